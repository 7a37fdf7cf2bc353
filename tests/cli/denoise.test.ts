// `tracelab denoise` and `tracelab render --denoise` end to end (spawning bin/tracelab.js as cli.test.ts does):
// outputs of the right size, both backends, and a one-line error with no output file for every kind of bad input.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceDenoise, referenceEnsemble } from '../../src/denoise/reference.ts';
import { exposureScale } from '../../src/denoise/transform.ts';
import { encodeWeights, initWeights } from '../../src/denoise/weights.ts';
import { readImageFile, writeImageFile } from '../../src/node/image-files.ts';
import { errorStats, loadSpec, randomImages } from '../denoise/support.ts';
import { cliRunner, expectCleanFailure } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tracelab-denoise-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tracelab = cliRunner(dir);


const W = 12, H = 10;
const fast = loadSpec('n2n-fast');
const p = (f: string) => join(dir, f);

beforeAll(async () => {
  const img = randomImages(W, H, 4);
  const rgb = (data: Float32Array, w = W, h = H) => ({ width: w, height: h, channels: 3 as const, data });
  await writeImageFile(p('noisy.exr'), rgb(img.color.map((v) => (Number.isFinite(v) ? v : 0))));
  await writeImageFile(p('albedo.exr'), rgb(img.albedo!));
  await writeImageFile(p('normal.exr'), rgb(img.normal!));
  await writeImageFile(p('small-albedo.exr'), rgb(new Float32Array(6 * 5 * 3), 6, 5));
  writeFileSync(p('garbage.exr'), Buffer.from('this is not an image file at all'));

  // weights files: a good one, and one per kind of mismatch with the spec
  const good = encodeWeights(fast, initWeights(fast, 7));
  writeFileSync(p('fast.bin'), good);
  const magic = good.slice();
  magic.set([0x58, 0x58, 0x58, 0x58], 0);
  writeFileSync(p('bad-magic.bin'), magic);
  const version = good.slice();
  new DataView(version.buffer).setUint32(4, 2, true);
  writeFileSync(p('version.bin'), version);
  writeFileSync(p('truncated.bin'), good.slice(0, good.length - 100));
  // first table entry: u16 name length at 20, the name, u8 dtype, u8 rank, then dims: make dim 0 wrong
  const shape = good.slice();
  const view = new DataView(shape.buffer);
  view.setUint32(20 + 2 + view.getUint16(20, true) + 2, 31, true);
  writeFileSync(p('shape.bin'), shape);
  writeFileSync(p('paper.bin'), encodeWeights(loadSpec('n2n-paper'), initWeights(loadSpec('n2n-paper'), 1)));
  writeFileSync(p('bad-spec.json'), '{"format": "tracelab-unet", "version": 1, "name": "x"');
});

const aux = ['--albedo', 'albedo.exr', '--normal', 'normal.exr'];

describe('tracelab denoise', () => {
  it('denoises an EXR with albedo and normal on WebGPU, then on gpu.js, with matching results', async () => {
    const r = await tracelab('denoise', 'noisy.exr', ...aux, '--model', 'n2n-fast', '--weights', 'fast.bin', '--out', 'dn.exr', '--backend', 'webgpu');
    expect(r.code, r.stderr).toBe(0);
    // the input's autoexposure scale, as the file holds it
    const noisy = await readImageFile(p('noisy.exr'));
    const k = exposureScale(fast.autoexposure, noisy.data, W, H).toPrecision(3);
    expect(r.stdout).toMatch(new RegExp(`^wrote dn\\.exr \\(12x10, n2n-fast, weights \\S+; backend webgpu \\(.+\\), f(16|32) tensors; denoise \\d+ ms, autoexposure x${k}\\)$`, 'm'));
    expect(r.stderr).toMatch(/model: n2n-fast \(84,195 parameters, 28,224 MACs\/pixel\), weights fast\.bin/);
    const gpu = await readImageFile(p('dn.exr'));
    expect([gpu.width, gpu.height, gpu.channels]).toEqual([W, H, 3]);

    const j = await tracelab('denoise', 'noisy.exr', ...aux, '--model', 'n2n-fast', '--weights', 'fast.bin', '--out', 'dn-gpujs.exr', '--backend', 'gpujs');
    expect(j.code, j.stderr).toBe(0);
    expect(j.stdout).toMatch(new RegExp(`^wrote dn-gpujs\\.exr \\(12x10, n2n-fast, weights \\S+; backend gpu\\.js (webasm|cpu); denoise \\d+ ms, autoexposure x${k}\\)$`, 'm'));
    const cpu = await readImageFile(p('dn-gpujs.exr'));
    // WebGPU stores tensors in f16 where the adapter can: the f16 tolerance of denoiser.test.ts (8 * 2^-11)
    const e = errorStats(cpu.data, gpu.data);
    expect(e.refStd).toBeGreaterThan(0.02);
    expect(e.max).toBeLessThan(8 * 2 ** -11);
  });

  it('runs the self-ensemble with --ensemble: the reference network\'s mean over the 8 symmetries', async () => {
    const r = await tracelab('denoise', 'noisy.exr', ...aux, '--model', 'n2n-fast', '--weights', 'fast.bin', '--out', 'dn-x8.exr', '--ensemble', '8');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote dn-x8\.exr \(12x10, n2n-fast, .*; denoise \d+ ms \(ensemble of 8\), autoexposure x[\d.]+\)$/m);
    const got = (await readImageFile(p('dn-x8.exr'))).data;
    const noisy = await readImageFile(p('noisy.exr'));
    const images = { width: W, height: H, color: noisy.data, albedo: (await readImageFile(p('albedo.exr'))).data, normal: (await readImageFile(p('normal.exr'))).data };
    const weights = initWeights(fast, 7);
    const want = await referenceEnsemble(fast, weights, images, 8);
    // f16 tensors where the adapter has them: denoiser.test.ts's f16 tolerance
    expect(errorStats(got, want).max).toBeLessThan(8 * 2 ** -11);
    expect(errorStats(got, referenceDenoise(fast, weights, images)).max).toBeGreaterThan(0.01);
  });

  it('warns about untrained weights (n2n-paper ships none) and writes a tone-mapped PNG with the default backend', async () => {
    const r = await tracelab('denoise', 'noisy.exr', ...aux, '--model', 'n2n-paper', '--out', 'dn.png', '--exposure', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^tracelab: warning: no weights for 'n2n-paper' .*untrained \(random\) weights/m);
    expect(r.stdout).toMatch(/wrote dn\.png \(12x10, n2n-paper, untrained \(random\) weights; backend webgpu/);
    const png = await readImageFile(p('dn.png'));
    expect([png.width, png.height]).toEqual([W, H]);
  });

  it('uses the shipped n2n-fast weights without --weights', async () => {
    const r = await tracelab('denoise', 'noisy.exr', ...aux, '--model', 'n2n-fast', '--out', 'dn-fast.exr');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/warning/);
    expect(r.stdout).toMatch(/wrote dn-fast\.exr \(12x10, n2n-fast, weights .*denoiser\/weights\/n2n-fast\.bin/);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['weights with a bad magic', ['--weights', 'bad-magic.bin'], /bad-magic\.bin: not a tracelab weights file \(magic "XXXX"/],
    ['weights of another version', ['--weights', 'version.bin'], /version\.bin: unsupported weights version 2/],
    ['truncated weights', ['--weights', 'truncated.bin'], /truncated\.bin: truncated: the data of tensor 'out\.\w+' needs/],
    ['weights with a wrong tensor shape', ['--weights', 'shape.bin'], /shape\.bin: tensor 'enc0\.0\.weight' has shape \[31, 9, 3, 3\], expected \[32, 9, 3, 3\]/],
    ['weights for another network', ['--weights', 'paper.bin'], /paper\.bin: weights were made for a different network/],
    ['a missing weights file', ['--weights', 'none.bin'], /none\.bin: cannot read weights file \(ENOENT\)/],
    // was ": cannot read weights file (ENOENT)"
    ['an empty weights file name', ['--weights', ''], /^tracelab: error: --weights must name a file$/],
  ];
  for (const [what, args, pattern] of bad) {
    it(`rejects ${what}`, async () => {
      expectCleanFailure(await tracelab('denoise', 'noisy.exr', ...aux, '--model', 'n2n-fast', '--out', 'never.exr', ...args), pattern);
      expect(existsSync(p('never.exr'))).toBe(false);
    });
  }

  const badImages: Array<[string, string[], RegExp]> = [
    ['an albedo of another size', ['noisy.exr', '--albedo', 'small-albedo.exr', '--normal', 'normal.exr', '--model', 'n2n-fast'], /small-albedo\.exr: albedo image is 6x5 but noisy\.exr is 12x10/],
    ['n2n-paper without normals', ['noisy.exr', '--albedo', 'albedo.exr', '--model', 'n2n-paper'], /model 'n2n-paper' needs color \+ albedo \+ normal inputs: give the normal image with --normal/],
    ['n2n-fast without albedo', ['noisy.exr', '--normal', 'normal.exr', '--model', 'n2n-fast'], /model 'n2n-fast' needs color \+ albedo \+ normal inputs: give the albedo image with --albedo/],
    ['a missing noisy image', ['missing.exr', ...aux, '--model', 'n2n-fast'], /missing\.exr: cannot read file \(ENOENT/],
    ['an unreadable noisy image', ['garbage.exr', ...aux, '--model', 'n2n-fast'], /garbage\.exr: /],
    ['a missing normal image', ['noisy.exr', '--albedo', 'albedo.exr', '--normal', 'nope.exr', '--model', 'n2n-fast'], /nope\.exr: cannot read file/],
    ['an unknown model', ['noisy.exr', ...aux, '--model', 'n2n-huge'], /--model 'n2n-huge' is not a built-in network \(n2n-paper, n2n-fast, n2n-fast-demod, n2n-paper-demod\)/],
    ['a malformed spec file', ['noisy.exr', ...aux, '--model', 'bad-spec.json'], /bad-spec\.json: invalid JSON/],
    ['no model', ['noisy.exr', ...aux], /denoise needs --model/],
    ['a bad backend', ['noisy.exr', ...aux, '--model', 'n2n-fast', '--backend', 'cuda'], /--backend must be one of auto, webgpu, gpujs/],
    ['a bad ensemble size', ['noisy.exr', ...aux, '--model', 'n2n-fast', '--ensemble', '3'], /--ensemble must be one of 1, 2, 4, 8, got '3'/],
    ['a bad output extension', ['noisy.exr', ...aux, '--model', 'n2n-fast', '--out', 'never.jpg'], /never\.jpg: cannot write '\.jpg'/],
    // was ": cannot write no extension: ..."
    ['an empty output name', ['noisy.exr', ...aux, '--model', 'n2n-fast', '--out', ''], /^tracelab: error: --out must name a file$/],
    ['an output under a file', ['noisy.exr', ...aux, '--model', 'n2n-fast', '--out', 'noisy.exr/never.exr'], /--out noisy\.exr\/never\.exr: cannot be written there \(\S*noisy\.exr is a file\)/],
    // devices that never end: readFile read them until memory ran out
    ['a device as the noisy image', ['/dev/zero', ...aux, '--model', 'n2n-fast'], /\/dev\/zero: cannot read file \(\/dev\/zero is a device, not a file\)/],
    ['a device as the weights', ['noisy.exr', ...aux, '--model', 'n2n-fast', '--weights', '/dev/zero'], /\/dev\/zero: cannot read weights file \(\/dev\/zero is a device, not a file\)/],
    ['a device as the spec', ['noisy.exr', ...aux, '--model', '/dev/urandom'], /--model '\/dev\/urandom' is not a built-in network .* and not a readable spec file \(\/dev\/urandom is a device, not a file\)/],
  ];
  for (const [what, args, pattern] of badImages) {
    it(`rejects ${what}`, async () => {
      expectCleanFailure(await tracelab('denoise', ...args, ...(args.includes('--out') ? [] : ['--out', 'never.exr'])), pattern);
      expect(readdirSync(dir).filter((f) => f.startsWith('never'))).toEqual([]);
    });
  }
});

describe('tracelab render --denoise', () => {
  it('renders and denoises in one go, writing both images', async () => {
    const r = await tracelab('render', 'cornell-box', '--spp', '2', '--size', '20x14', '--out', 'cb.exr', '--denoise', 'n2n-fast', '--weights', 'fast.bin');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote cb\.exr \(20x14, 2 spp/m);
    expect(r.stdout).toMatch(/^wrote cb-denoised\.exr \(n2n-fast; backend webgpu \(.+\); denoise \d+ ms, emission separated \(32 rays per pixel\), autoexposure x\d+\.?\d*\)$/m);
    const [noisy, denoised] = await Promise.all([readImageFile(p('cb.exr')), readImageFile(p('cb-denoised.exr'))]);
    expect([noisy.width, noisy.height, denoised.width, denoised.height]).toEqual([20, 14, 20, 14]);
    expect(denoised.data.some((v, i) => v !== noisy.data[i])).toBe(true);
  });

  it('--ensemble 4 denoises the rendered frame with the self-ensemble: another image than one pass', async () => {
    const r = await tracelab('render', 'cornell-box', '--spp', '2', '--size', '20x14', '--out', 'cb4.exr', '--denoise', 'n2n-fast', '--weights', 'fast.bin', '--ensemble', '4');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote cb4-denoised\.exr \(n2n-fast; backend webgpu \(.+\); denoise \d+ ms \(ensemble of 4\), emission separated \(32 rays per pixel\), autoexposure x\d+\.?\d*\)$/m);
    // the same render (same seed) as cb.exr above, denoised by 4 passes instead of one
    const [one, four] = await Promise.all([readImageFile(p('cb-denoised.exr')), readImageFile(p('cb4-denoised.exr'))]);
    expect(errorStats(four.data, one.data).max).toBeGreaterThan(1e-3);
  });

  it('--emission-spp 0 denoises the film as rendered: the same noisy frame, another denoised image', async () => {
    const r = await tracelab('render', 'cornell-box', '--spp', '2', '--size', '20x14', '--out', 'cb0.exr', '--denoise', 'n2n-fast', '--weights', 'fast.bin', '--emission-spp', '0');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote cb0-denoised\.exr \(n2n-fast; backend webgpu \(.+\); denoise \d+ ms, autoexposure x\d+\.?\d*\)$/m);
    const [noisy, noisy0, sep, off] = await Promise.all(['cb.exr', 'cb0.exr', 'cb-denoised.exr', 'cb0-denoised.exr'].map((f) => readImageFile(p(f))));
    expect(noisy0.data).toEqual(noisy.data);
    expect(errorStats(sep.data, off.data).max).toBeGreaterThan(1e-3);
  });

  it('--clamp: the emission is separated too, and what goes back on the light is clamped as the samples were', async () => {
    const C = 2; // the Cornell light's radiance is 17 in its brightest channel
    const r = await tracelab('render', 'cornell-box', '--spp', '2', '--size', '32x32', '--out', 'cbc.exr', '--denoise', 'n2n-fast', '--weights', 'fast.bin', '--clamp', String(C));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote cbc-denoised\.exr \(.*, emission separated \(32 rays per pixel\)/m);
    const [noisy, denoised] = await Promise.all([readImageFile(p('cbc.exr')), readImageFile(p('cbc-denoised.exr'))]);
    const max = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, v), 0);
    expect(max(noisy.data)).toBeLessThanOrEqual(C * (1 + 1e-6));
    // the light's inside: its clamped emission C plus the denoised remainder (its reflection, small), not 17
    expect(max(denoised.data)).toBeGreaterThan(0.99 * C);
    expect(max(denoised.data)).toBeLessThan(1.5 * C);
  });

  it('rejects bad weights before rendering, writing nothing', async () => {
    expectCleanFailure(await tracelab('render', 'cornell-box', '--size', '8x8', '--out', 'never.png', '--denoise', 'n2n-fast', '--weights', 'truncated.bin'), /truncated\.bin: truncated/);
    expectCleanFailure(await tracelab('render', 'cornell-box', '--size', '8x8', '--out', 'never.png', '--weights', 'fast.bin'), /--weights needs --denoise/);
    expectCleanFailure(await tracelab('render', 'cornell-box', '--size', '8x8', '--out', 'never.png', '--ensemble', '8'), /--ensemble needs --denoise/);
    expectCleanFailure(await tracelab('render', 'cornell-box', '--size', '8x8', '--out', 'never.png', '--denoise', 'n2n-fast', '--ensemble', '6'), /--ensemble must be one of 1, 2, 4, 8, got '6'/);
    expectCleanFailure(await tracelab('render', 'cornell-box', '--size', '8x8', '--out', 'never.png', '--emission-spp', '8'), /--emission-spp needs --denoise/);
    expectCleanFailure(await tracelab('render', 'cornell-box', '--size', '8x8', '--out', 'never.png', '--denoise', 'n2n-fast', '--emission-spp', 'x'), /--emission-spp/);
    expectCleanFailure(await tracelab('render', 'cornell-box', '--size', '8x8', '--out', 'never.png', '--denoise', 'n2n-huge'), /^tracelab: error: --denoise 'n2n-huge' is not a built-in network/, 2);
    expect(readdirSync(dir).filter((f) => f.startsWith('never'))).toEqual([]);
  });
});
