// The tracelab CLI end to end: successful renders write every requested file; bad input gives a one-line
// error, a non-zero exit, no stack trace and no output file.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as THREE from 'three';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageFile } from '../../src/node/image-files.ts';
import { cliRunner, expectCleanFailure } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tracelab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tracelab = cliRunner(dir);
writeFileSync(join(dir, 'a-file'), 'x');
mkdirSync(join(dir, 'a-dir.png'));


describe('tracelab render', () => {
  it('renders PNG with AOVs, and EXR/PFM linear HDR', async () => {
    const png = join(dir, 'cb.png');
    const r = await tracelab('render', 'cornell-box', '--spp', '4', '--size', '24x16', '--seed', '3', '--out', png, '--aov', 'albedo,normal,depth', '--aperture', '0.01', '--focus', '1.2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote .*cb\.png \(24x16, 4 spp/);
    expect(r.stderr).toMatch(/render \[#+\] 4\/4 spp .* samples\/s {2}ETA/);
    for (const f of ['cb.png', 'cb-albedo.png', 'cb-normal.png', 'cb-depth.png']) expect(existsSync(join(dir, f)), f).toBe(true);
    const img = await readImageFile(png);
    expect([img.width, img.height]).toEqual([24, 16]);

    const exr = join(dir, 'cb.exr');
    expect((await tracelab('render', 'cornell-box', '--spp', '2', '--size', '8x8', '--out', exr, '--aov', 'depth')).code).toBe(0);
    const hdr = await readImageFile(exr);
    expect(hdr.data.some((v) => v > 1)).toBe(true); // the light is seen directly: linear values above 1 survive
    expect((await readImageFile(join(dir, 'cb-depth.exr'))).channels).toBe(1);
    expect((await tracelab('render', 'cornell-box', '--spp', '1', '--size', '8x8', '--out', join(dir, 'cb.pfm'))).code).toBe(0);
    expect((await readImageFile(join(dir, 'cb.pfm'))).width).toBe(8);
    // a negative value as its own argument (an exposure in stops) is the option's value, not an unknown option
    const dark = await tracelab('render', 'cornell-box', '--spp', '1', '--size', '8x8', '--exposure', '-1.5', '--out', join(dir, 'dark.png'));
    expect(dark.code, dark.stderr).toBe(0);
    expect(dark.stdout).toMatch(/exposure -1\.5\)$/m);
  });

  it('lights a scene with an equirectangular .hdr environment (--env)', async () => {
    // A 4x2 Radiance RGBE map (flat scanlines): bright top row, dim bottom row.
    const w = 4, h = 2;
    const header = Buffer.from(`#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y ${h} +X ${w}\n`, 'ascii');
    const px = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      const v = i < w ? 2 : 0.25; // 2 = 0.5 * 2^2, 0.25 = 0.5 * 2^-1
      const e = Math.ceil(Math.log2(v)) + (Number.isInteger(Math.log2(v)) ? 1 : 0);
      px.set([128, 128, 128, e + 128], i * 4);
    }
    writeFileSync(join(dir, 'sky.hdr'), Buffer.concat([header, px]));
    const out = join(dir, 'furnace-env.exr');
    const r = await tracelab('render', 'furnace-diffuse', '--env', join(dir, 'sky.hdr'), '--spp', '4', '--size', '8x8', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const img = await readImageFile(out);
    // The map replaces the scene's constant white environment: a corner pixel sees the sky directly.
    const corner = [img.data[0], img.data[1], img.data[2]];
    // (RGBE decodes as mantissa / 255 * 2^(e - 128), three.js's convention: 128 -> 2 * 128/127.5.)
    const sky = [2, 0.25].map((v) => (v * 128) / 127.5);
    for (const c of corner) expect(sky.some((v) => Math.abs(c - v) < 1e-4), `corner ${c}`).toBe(true);
    writeFileSync(join(dir, 'bad.hdr'), Buffer.from('#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 2 +X 4\n\x01'));
    expectCleanFailure(await tracelab('render', 'cornell-box', '--env', join(dir, 'bad.hdr'), '--out', join(dir, 'x.png')), /bad\.hdr/);
    expect(existsSync(join(dir, 'x.png'))).toBe(false);
  });

  it('checks the files written beside --out before rendering, leaving an existing --out as it was', async () => {
    // FILE-albedo.png / FILE-denoised.png that are directories: the render ran, replaced FILE.png, then failed
    mkdirSync(join(dir, 'side-albedo.png'));
    mkdirSync(join(dir, 'side-denoised.png'));
    const out = join(dir, 'side.png');
    writeFileSync(out, 'keep');
    const aov = await tracelab('render', 'cornell-box', '--spp', '1', '--size', '8x8', '--out', out, '--aov', 'albedo');
    expectCleanFailure(aov, /^tracelab: error: --aov \S*side-albedo\.png: is a directory, not a file$/, 2);
    const denoised = await tracelab('render', 'cornell-box', '--spp', '1', '--size', '8x8', '--out', out, '--denoise', 'n2n-fast');
    expectCleanFailure(denoised, /^tracelab: error: --denoise \S*side-denoised\.png: is a directory, not a file$/, 2);
    expect(readFileSync(out, 'utf8')).toBe('keep');
  });

  it('refuses an environment map with NaN or infinite radiance, naming the file and the first pixel', async () => {
    // 2x1 RGB PFM (bottom row first, little-endian): one good pixel, one NaN; then one with +Inf (a clipped sun
    // that the compiled map would have read as black)
    const pfm = (values: number[]) => Buffer.concat([Buffer.from('PF\n2 1\n-1.0\n'), Buffer.from(new Float32Array(values).buffer)]);
    writeFileSync(join(dir, 'nan-sky.pfm'), pfm([1, 1, 1, 0.5, NaN, 0.5]));
    writeFileSync(join(dir, 'inf-sky.pfm'), pfm([1, 1, 1, Infinity, Infinity, Infinity]));
    const out = join(dir, 'never-env.png');
    expectCleanFailure(await tracelab('render', 'cornell-box', '--env', join(dir, 'nan-sky.pfm'), '--out', out), /nan-sky\.pfm: the environment map has 1 NaN or infinite value \(first at pixel 1,0: NaN\)$/, 1);
    expectCleanFailure(await tracelab('render', 'cornell-box', '--env', join(dir, 'inf-sky.pfm'), '--out', out), /inf-sky\.pfm: the environment map has 3 NaN or infinite values \(first at pixel 1,0: Infinity\)$/, 1);
    expect(existsSync(out)).toBe(false);
  });

  it('lists scenes and prints the adapter', async () => {
    const s = await tracelab('scenes');
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/^cornell-box\s/m);
    expect(s.stdout).toMatch(/^bunny-field\s+1\.06M tris/m);
    expect(s.stdout).toMatch(/^procedural-<8 hex digits>: .* procedural-70000000 \.\.\. procedural-70000007$/m);
    const i = await tracelab('info');
    expect(i.code).toBe(0);
    expect(i.stdout).toMatch(/^adapter: \S/m);
    expect(i.stdout).toMatch(/maxStorageBufferBindingSize: \d+/);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['unknown scene', ['render', 'no-such-scene'], /unknown scene 'no-such-scene'/],
    ['missing file', ['render', 'missing.glb'], /missing\.glb: cannot read file/],
    ['zero size', ['render', 'cornell-box', '--size', '0x10'], /--size must be at least 1x1/],
    ['huge size', ['render', 'cornell-box', '--size', '100000x100000'], /--size must be at most/],
    ['malformed size', ['render', 'cornell-box', '--size', 'big'], /--size must look like WIDTHxHEIGHT/],
    ['zero spp', ['render', 'cornell-box', '--spp', '0'], /--spp must be between 1/],
    ['NaN spp', ['render', 'cornell-box', '--spp', 'NaN'], /--spp must be a whole number/],
    ['negative seed', ['render', 'cornell-box', '--seed=-1'], /--seed must be between 0 and 4294967295, got -1/],
    ['negative spp, as its own argument', ['render', 'cornell-box', '--spp', '-4'], /--spp must be between 1 and \d+, got -4/],
    ['fractional seed', ['render', 'cornell-box', '--seed', '1.5'], /--seed must be a whole number, got '1\.5'/],
    ['seed too large', ['render', 'cornell-box', '--seed', '4294967296'], /--seed must be between 0 and 4294967295/],
    ['bad exposure', ['render', 'cornell-box', '--exposure', 'bright'], /--exposure must be a finite number/],
    ['bad tonemap', ['render', 'cornell-box', '--tonemap', 'filmic'], /--tonemap must be one of aces, reinhard, clamp/],
    ['bad aov', ['render', 'cornell-box', '--aov', 'albedo,motion'], /--aov must be one of albedo, normal, depth/],
    ['bad extension', ['render', 'cornell-box', '--out', 'x.jpg'], /x\.jpg: cannot write '\.jpg'/],
    // where the image cannot go fails before the render, not after it
    ['an output under a file', ['render', 'cornell-box', '--out', 'a-file/x.png'], /^tracelab: error: --out a-file\/x\.png: cannot be written there \(\S*a-file is a file\)$/m],
    ['an output that is a directory', ['render', 'cornell-box', '--out', 'a-dir.png'], /^tracelab: error: --out a-dir\.png: is a directory, not a file$/m],
    ['negative aperture', ['render', 'cornell-box', '--aperture=-0.1'], /--aperture must be between 0/],
    ['negative aperture, as its own argument', ['render', 'cornell-box', '--aperture', '-.1'], /--aperture must be between 0 and \S+, got -\.1/],
    ['zero focus', ['render', 'cornell-box', '--focus', '0'], /--focus must be between/],
    ['unknown option', ['render', 'cornell-box', '--fast'], /Unknown option '--fast'/],
    ['unknown command', ['paint'], /unknown command 'paint'/],
    // was usage text and exit 0
    ['unknown command asking for help', ['paint', '--help'], /unknown command 'paint'/],
    // were ignored: the list of scenes, the adapter, exit 0
    ['an argument to scenes', ['scenes', 'cornell-box'], /unexpected argument 'cornell-box'/],
    ['an option to info', ['info', '--verbose'], /Unknown option '--verbose'/],
    // an empty or repeated item was dropped or written twice; an empty list wrote no AOV
    ['an empty aov list', ['render', 'cornell-box', '--aov', ''], /--aov must be a comma-separated list without empty items, got ''/],
    ['an empty aov item', ['render', 'cornell-box', '--aov', 'albedo,,depth'], /--aov must be a comma-separated list without empty items/],
    ['a repeated aov', ['render', 'cornell-box', '--aov', 'depth,DEPTH'], /--aov lists an item twice: 'depth,DEPTH'/],
    // was ignored: the scene's own environment
    ['an empty --env', ['render', 'cornell-box', '--env', ''], /^tracelab: error: --env must name a file$/],
    ['an empty --env of a reference', ['reference', 'cornell-box', '--spp', '1', '--env', ''], /^tracelab: error: --env must name a file$/],
    // was ": cannot write no extension"
    ['an empty --out', ['render', 'cornell-box', '--out', ''], /^tracelab: error: --out must name a file$/],
    // was ": cannot read weights file (ENOENT)"
    ['an empty --weights', ['render', 'cornell-box', '--denoise', 'n2n-fast', '--weights', ''], /^tracelab: error: --weights must name a file$/],
    // were read as 16 and 1
    ['a hexadecimal exposure', ['render', 'cornell-box', '--exposure', '0x10'], /--exposure must be a finite number, got '0x10'/],
    ['a binary clamp', ['render', 'cornell-box', '--clamp', '0b1'], /--clamp must be a finite number, got '0b1'/],
    // was the path tracer's "image size must be ... up to 67108864 pixels" once the GPU had started
    ['a size over the renderer\'s pixels', ['render', 'cornell-box', '--size', '16384x8192'], /--size must be at most 67108864 pixels \(e\.g\. 8192x8192\), got 16384x8192/],
  ];
  for (const [what, args, pattern] of bad) {
    it(`rejects ${what} with a one-line error`, async () => {
      expectCleanFailure(await tracelab(...args), pattern);
    });
  }

  it('rejects a malformed .glb and a .glb with NaN vertices, leaving no output file', async () => {
    writeFileSync(join(dir, 'garbage.glb'), Buffer.from('glTF this is not really a binary glTF file at all'));
    const out = join(dir, 'never.png');
    expectCleanFailure(await tracelab('render', join(dir, 'garbage.glb'), '--out', out), /garbage\.glb/);

    // A valid glTF whose one triangle has a NaN coordinate.
    const pos = new Float32Array([0, 0, 0, 1, 0, 0, 0, NaN, 0]);
    const bin = Buffer.from(pos.buffer);
    const min = [0, 0, 0], max = [1, 1, 0];
    const json = {
      asset: { version: '2.0' },
      scene: 0,
      scenes: [{ nodes: [0] }],
      nodes: [{ mesh: 0 }],
      meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
      buffers: [{ byteLength: bin.length, uri: `data:application/octet-stream;base64,${bin.toString('base64')}` }],
      bufferViews: [{ buffer: 0, byteLength: bin.length }],
      accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min, max }],
    };
    writeFileSync(join(dir, 'nan.gltf'), JSON.stringify(json));
    expectCleanFailure(await tracelab('render', join(dir, 'nan.gltf'), '--out', out), /nan\.gltf.*non-finite/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('never'))).toEqual([]);
  });

  it('rejects glTF files three.js cannot follow, naming the file, without an internal error or a hang', async () => {
    const pos = Buffer.from(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]).buffer);
    const gltf = (extra: Record<string, unknown>) => JSON.stringify({
      asset: { version: '2.0' }, scene: 0, scenes: [{ nodes: [0] }], nodes: [{ mesh: 0 }],
      meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
      buffers: [{ byteLength: pos.length, uri: `data:application/octet-stream;base64,${pos.toString('base64')}` }],
      bufferViews: [{ buffer: 0, byteLength: pos.length }],
      accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] }],
      ...extra,
    });
    const out = join(dir, 'never-gltf.png');
    for (const [name, extra, pattern] of [
      // was "tracelab: internal error: Cannot read properties of null (reading 'mesh')"
      ['null-node.gltf', { nodes: [null] }, /null-node\.gltf: nodes\[0\] is not an object/],
      // was "Maximum call stack size exceeded"
      ['cycle.gltf', { nodes: [{ mesh: 0, children: [0] }] }, /cycle\.gltf: the node hierarchy has a cycle/],
      // a buffer that is a device: was read without end
      ['device.gltf', { buffers: [{ byteLength: 36, uri: '/dev/zero' }] }, /device\.gltf: external buffer "\/dev\/zero" could not be read: \/dev\/zero is a device, not a file/],
      // the camera's error did not name the file
      ['fov.gltf', { cameras: [{ type: 'perspective', perspective: { yfov: 0, znear: 0.1 } }], nodes: [{ mesh: 0, children: [1] }, { camera: 0 }] }, /fov\.gltf: camera field of view must be in/],
    ] as const) {
      writeFileSync(join(dir, name), gltf(extra));
      const r = await tracelab('render', join(dir, name), '--spp', '1', '--size', '8x8', '--out', out);
      expectCleanFailure(r, pattern, 1);
      expect(r.stderr).not.toMatch(/internal error/);
    }
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('renders a glTF file exported from a three.js scene', async () => {
    const scene = new THREE.Scene();
    const light = new THREE.Mesh(new THREE.PlaneGeometry(1, 1), new THREE.MeshStandardMaterial({ emissive: 0xffffff, emissiveIntensity: 4, side: THREE.DoubleSide }));
    light.position.set(0, 2, 0);
    light.rotation.x = Math.PI / 2;
    scene.add(light, new THREE.Mesh(new THREE.BoxGeometry(1, 1, 1), new THREE.MeshStandardMaterial({ color: 0x808080 })));
    const geo = (m: THREE.Mesh) => m.geometry.toNonIndexed();
    // Hand-written .gltf (positions + normals) keeps the test free of the exporter's DOM needs.
    scene.updateMatrixWorld(true);
    const parts = scene.children.map((o) => geo(o as THREE.Mesh).applyMatrix4(o.matrixWorld));
    const arrays = parts.flatMap((g) => [g.getAttribute('position').array as Float32Array, g.getAttribute('normal').array as Float32Array]);
    const bin = Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
    let offset = 0;
    const bufferViews = arrays.map((a) => { const v = { buffer: 0, byteOffset: offset, byteLength: a.byteLength }; offset += a.byteLength; return v; });
    const accessors = arrays.map((a, i) => {
      const acc: Record<string, unknown> = { bufferView: i, componentType: 5126, count: a.length / 3, type: 'VEC3' };
      if (i % 2 === 0) {
        const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
        for (let k = 0; k < a.length; k++) { min[k % 3] = Math.min(min[k % 3], a[k]); max[k % 3] = Math.max(max[k % 3], a[k]); }
        Object.assign(acc, { min, max });
      }
      return acc;
    });
    const json = {
      asset: { version: '2.0' }, scene: 0, scenes: [{ nodes: [0, 1] }],
      nodes: [{ mesh: 0 }, { mesh: 1 }],
      meshes: [0, 1].map((m) => ({ primitives: [{ attributes: { POSITION: 2 * m, NORMAL: 2 * m + 1 }, material: m }] })),
      materials: [
        { emissiveFactor: [1, 1, 1], doubleSided: true, extensions: { KHR_materials_emissive_strength: { emissiveStrength: 4 } } },
        { pbrMetallicRoughness: { baseColorFactor: [0.5, 0.5, 0.5, 1], metallicFactor: 0 } },
      ],
      extensionsUsed: ['KHR_materials_emissive_strength'],
      buffers: [{ byteLength: bin.length, uri: 'scene.bin' }],
      bufferViews, accessors,
    };
    writeFileSync(join(dir, 'scene.bin'), bin);
    writeFileSync(join(dir, 'scene.gltf'), JSON.stringify(json));
    const r = await tracelab('render', join(dir, 'scene.gltf'), '--spp', '4', '--size', '16x16', '--out', join(dir, 'scene.exr'));
    expect(r.code, r.stderr).toBe(0);
    const img = await readImageFile(join(dir, 'scene.exr'));
    expect(img.data.reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
  });
});
