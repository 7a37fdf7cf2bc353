import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageRole, loadFiles, type FileLike } from '../../src/app/files.ts';
import { encodeImage } from '../../src/image/codec.ts';
import { tonemapValue } from '../../src/image/tonemap.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/app');

function file(name: string, bytes: Uint8Array | string): FileLike {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return { name, arrayBuffer: async () => data.slice().buffer };
}

/** A flat (not run-length encoded) 2x1 Radiance HDR, about (1, 0.5, 0.25) and (2, 2, 2). */
function tinyHdr(): Uint8Array {
  const head = new TextEncoder().encode('#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 2\n');
  return new Uint8Array([...head, 128, 64, 32, 129, 128, 128, 128, 130]);
}

describe('loading dropped or picked files', () => {
  it('a .glb is a scene, a .hdr an environment map, .exr/.png images with roles from their names', async () => {
    const glb = new Uint8Array(await readFile(join(FIXTURES, 'tiny.glb')));
    const png = encodeImage({ width: 2, height: 2, channels: 3, data: new Float32Array(12).fill(0.5) }, 'png');
    const exr = encodeImage({ width: 2, height: 2, channels: 4, data: new Float32Array(16).fill(0.25) }, 'exr');
    const loaded = await loadFiles([file('tiny.glb', glb), file('sky.hdr', tinyHdr()), file('x-normal.png', png), file('x.exr', exr)]);
    expect(loaded.map((f) => [f.kind, f.name])).toEqual([['scene', 'tiny.glb'], ['environment', 'sky.hdr'], ['image', 'x-normal.png'], ['image', 'x.exr']]);
    const env = loaded[1];
    if (env.kind !== 'environment' || env.environment.kind !== 'map') throw new Error('expected an environment map');
    expect([env.environment.width, env.environment.height]).toEqual([2, 1]);
    // RGBE: mantissa * 2^(exponent - 128) / 255
    const expected = [256, 128, 64, 512, 512, 512].map((v) => v / 255);
    Array.from(env.environment.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    const normal = loaded[2];
    if (normal.kind !== 'image') throw new Error('expected an image');
    expect(normal.role).toBe('normal');
    // read as stored (no sRGB decoding), mapped from [0, 1] back to [-1, 1]
    const stored = Math.round(255 * tonemapValue(0.5));
    expect(normal.image.data[0]).toBeCloseTo((stored / 255) * 2 - 1, 6);
    const colour = loaded[3];
    if (colour.kind !== 'image') throw new Error('expected an image');
    expect([colour.role, colour.image.channels, colour.image.data[0]]).toEqual(['color', 3, 0.25]);
  });

  it('bad files fail with one line that starts with the file name', async () => {
    const invalid = new Uint8Array(await readFile(join(FIXTURES, 'invalid.glb')));
    await expect(loadFiles([file('invalid.glb', invalid)])).rejects.toThrow(/^invalid\.glb: invalid glTF JSON/);
    await expect(loadFiles([file('a.txt', 'hi')])).rejects.toThrow(/^a\.txt: unsupported file type/);
    await expect(loadFiles([file('broken.png', 'not a png')])).rejects.toThrow(/^broken\.png: /);
    await expect(loadFiles([file('sky.hdr', '#?RADIANCE\n')])).rejects.toThrow(/^sky\.hdr: /);
    const gltf = JSON.stringify({ asset: { version: '2.0' }, buffers: [{ uri: 'mesh.bin', byteLength: 4 }] });
    await expect(loadFiles([file('scene.gltf', gltf)])).rejects.toThrow(/scene\.gltf: .*mesh\.bin/);
    await expect(loadFiles([])).rejects.toThrow(/no file/);
    for (const err of await Promise.allSettled([loadFiles([file('invalid.glb', invalid)])])) {
      expect(String((err as PromiseRejectedResult).reason.message)).not.toContain('\n');
    }
  });

  it('a .tza is OIDN weights, checked as it loads', async () => {
    const tza = new Uint8Array(await readFile(join(FIXTURES, '../oidn/rt_hdr_alb_nrm_small.tza')));
    const [w] = await loadFiles([file('rt_hdr_alb_nrm_small.tza', tza)]);
    if (w.kind !== 'oidn-weights') throw new Error('expected OIDN weights');
    expect([w.name, w.bytes.length]).toEqual(['rt_hdr_alb_nrm_small.tza', tza.length]);
    await expect(loadFiles([file('junk.tza', 'not weights')])).rejects.toThrow(/^junk\.tza: not an OIDN weights file \(\.tza\)/);
    await expect(loadFiles([file('cut.tza', tza.subarray(0, 3000))])).rejects.toThrow(/^cut\.tza: not an OIDN weights file/);
  });

  it('a .bin alone, an empty file, a folder or an unreadable file: one line naming it, nothing loaded', async () => {
    await expect(loadFiles([file('mesh.bin', new Uint8Array(8))])).rejects.toThrow(/^mesh\.bin: a \.bin file is only the buffer of a \.gltf; drop or pick it together with the \.gltf$/);
    for (const name of ['e.glb', 'e.gltf', 'e.hdr', 'e.exr', 'e.png', 'e.tza']) {
      await expect(loadFiles([file(name, '')])).rejects.toThrow(new RegExp(`^${name.replace('.', '\\.')}: the file is empty$`));
    }
    await expect(loadFiles([file('photos', '')])).rejects.toThrow(/^photos: no file extension \(expected .*; a folder: drop the files in it instead\)$/);
    // a dropped folder whose name looks like a file: reading it fails (as Chromium's File for a folder does)
    const folder: FileLike = { name: 'scenes.glb', arrayBuffer: () => Promise.reject(new DOMException('A requested file or directory could not be found', 'NotFoundError')) };
    await expect(loadFiles([folder])).rejects.toThrow(/^scenes\.glb: could not be read \(a folder\? drop the files in it instead\): A requested file/);
    // the .gltf's buffer unreadable: named too
    const gltf = JSON.stringify({ asset: { version: '2.0' }, buffers: [{ uri: 'mesh.bin', byteLength: 4 }] });
    const gone: FileLike = { name: 'mesh.bin', arrayBuffer: () => Promise.reject(new Error('NotReadableError')) };
    await expect(loadFiles([file('scene.gltf', gltf), gone])).rejects.toThrow(/^scene\.gltf: .*mesh\.bin: could not be read/);
  });

  it('image roles follow `tracelab render --aov` names', () => {
    expect(imageRole('shot-albedo.exr')).toBe('albedo');
    expect(imageRole('shot-NORMAL.png')).toBe('normal');
    expect(imageRole('shot.exr')).toBe('color');
  });
});
