import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError, type ImageF32 } from '../../src/image/image.ts';
import { readImageFile, writeFormatForPath, writeImageFile } from '../../src/node/image-files.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tracelab-image-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rgb: ImageF32 = {
  width: 7, height: 5, channels: 3, data: new Float32Array(105).map((_, i) => (i % 11) * 0.25 - 0.5),
};

describe('image files', () => {
  it('round-trips EXR and PFM through the file system exactly', async () => {
    for (const name of ['a.exr', 'b.pfm', 'C.EXR']) {
      const path = join(dir, name);
      await writeImageFile(path, rgb);
      const back = await readImageFile(path);
      expect([back.width, back.height, back.channels]).toEqual([7, 5, 3]);
      expect(Array.from(back.data)).toEqual(Array.from(rgb.data));
    }
  });

  it('writes tone-mapped PNG with the given options and reads it back', async () => {
    const path = join(dir, 'tone.png');
    await writeImageFile(path, rgb, { operator: 'clamp' });
    const bytes = await readFile(path);
    expect(Array.from(bytes.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]); // 'PNG'
    const back = await readImageFile(path);
    for (let i = 0; i < rgb.data.length; i++) {
      const want = Math.min(1, Math.max(0, rgb.data[i]));
      expect(Math.abs(back.data[i] - want)).toBeLessThan(0.005); // 8-bit sRGB quantization
    }
  });

  it('creates missing parent directories', async () => {
    const path = join(dir, 'deep', 'er', 'out.pfm');
    await writeImageFile(path, rgb);
    expect((await readImageFile(path)).width).toBe(7);
  });

  it('chooses the format from the extension, listing the supported ones otherwise', async () => {
    expect(writeFormatForPath('x/y.PNG')).toBe('png');
    expect(() => writeFormatForPath('out.hdr')).toThrow(/^out\.hdr: cannot write '\.hdr': supported extensions are \.png, \.exr, \.pfm$/);
    expect(() => writeFormatForPath('out')).toThrow(/cannot write no extension/);
    const path = join(dir, 'nope.jpg');
    await expect(writeImageFile(path, rgb)).rejects.toThrow(ImageError);
    expect(await readdir(dir)).not.toContain('nope.jpg');
  });

  it('leaves no file (and keeps an old one intact) when encoding fails', async () => {
    const rgba: ImageF32 = { width: 1, height: 1, channels: 4, data: new Float32Array(4) };
    const fresh = join(dir, 'fresh.pfm');
    await expect(writeImageFile(fresh, rgba)).rejects.toThrow(/PFM stores 1 or 3 channels/);
    const broken: ImageF32 = { width: 7, height: 5, channels: 3, data: new Float32Array(3) };
    const existing = join(dir, 'existing.exr');
    await writeFile(existing, 'old contents');
    await expect(writeImageFile(existing, broken)).rejects.toThrow(/^.*existing\.exr: data length 3 does not match/);
    const names = await readdir(dir);
    expect(names).not.toContain('fresh.pfm');
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(await readFile(existing, 'utf8')).toBe('old contents');
  });

  it('cleans up its temporary file when the write itself fails', async () => {
    const target = join(dir, 'is-a-dir.exr');
    await writeImageFile(join(target, 'inner.exr'), rgb); // makes `target` a directory
    await expect(writeImageFile(target, rgb)).rejects.toThrow(/is-a-dir\.exr: cannot write file \(E[A-Z]+/);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('reads a hand-written .hdr and reports missing or corrupt files by path', async () => {
    const hdr = join(dir, 'env.hdr');
    const header = new TextEncoder().encode('#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 2\n');
    await writeFile(hdr, new Uint8Array([...header, 128, 128, 128, 129, 0, 0, 0, 0]));
    const env = await readImageFile(hdr);
    expect([env.width, env.height, env.channels]).toEqual([2, 1, 3]);
    expect(env.data[0]).toBeCloseTo(256 / 255, 6);

    const missing = join(dir, 'missing.exr');
    await expect(readImageFile(missing)).rejects.toThrow(`${missing}: cannot read file (ENOENT: no such file or directory)`);
    const garbage = join(dir, 'garbage.png');
    await writeFile(garbage, 'definitely not a png');
    await expect(readImageFile(garbage)).rejects.toThrow(`${garbage}: unrecognized image format`);
  });
});
