// The WGSL denoiser against the TypeScript reference (src/denoise/reference.ts), on the GPU.
//
// Tolerances, in the colour transform's domain t = (v / (1 + v))^(1/2.2) in [0, 1] (the clamped network
// output + 0.5, where both implementations' values are O(1)):
//  - f32: 1e-4 max. Float32 summation of n terms errs by up to n * 2^-24 relative to the sum of |terms|; the
//    widest conv sums 9 * 144 = 1296 terms (8e-5), and the reference sums in float64. Observed: ~4e-7.
//  - f16: tensors and weights are stored in half precision (relative step 2^-11, rounding error <= 2^-12 per
//    store, about 20 stores deep) while sums stay f32: max 8 * 2^-11 (4e-3), rms 2^-11.
//    Observed against the f32 reference: max ~9e-4, rms ~2e-4.
// A wrong tap, channel or layer order gives errors of order 0.1 (the outputs' spread, checked below).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConvStrip, subgroupLanesWork } from '../../src/denoise/conv.ts';
import { Denoiser } from '../../src/denoise/denoiser.ts';
import type { DenoiseImages } from '../../src/denoise/images.ts';
import { referenceDenoise } from '../../src/denoise/reference.ts';
import type { NetworkSpec } from '../../src/denoise/spec.ts';
import type { NetworkWeights } from '../../src/denoise/weights.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { errorStats, filmFromImages, loadSpec, randomImages, readDenoised, testWeights } from './support.ts';

const F32_MAX = 1e-4;
const F16_MAX = 8 * 2 ** -11;
const F16_RMS = 2 ** -11;

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await createNodeGpuContext();
});
afterAll(() => gpu?.destroy());

const fast = loadSpec('n2n-fast');
const paper = loadSpec('n2n-paper');
const fastWeights = testWeights(fast, 5);

async function gpuDenoise(spec: NetworkSpec, weights: NetworkWeights, images: DenoiseImages, options: Partial<Parameters<typeof Denoiser.create>[1]>) {
  const dn = await Denoiser.create(gpu, { spec, weights, ...options });
  try {
    const out = await dn.denoise(images);
    expect([out.width, out.height]).toEqual([images.width, images.height]);
    const rgb = await out.read();
    out.destroy();
    return { rgb, format: dn.format, lanes: dn.lanes, strip: dn.convStrip };
  } finally {
    dn.destroy();
  }
}

describe('denoiser (n2n-fast) matches the reference', () => {
  for (const [w, h] of [[37, 23], [64, 48]]) {
    it(`f32 at ${w}x${h}`, async () => {
      const images = randomImages(w, h, w);
      const { rgb, format } = await gpuDenoise(fast, fastWeights, images, { precision: 'f32' });
      expect(format).toBe('rgba32float');
      const e = errorStats(rgb, referenceDenoise(fast, fastWeights, images, 'f32'));
      expect(e.refStd).toBeGreaterThan(0.05);
      expect(e.max).toBeLessThan(F32_MAX);
    });
  }
  it('f16 at 37x23 (against the f32 reference and the f16-rounding reference)', async () => {
    const images = randomImages(37, 23, 3);
    const { rgb, format } = await gpuDenoise(fast, fastWeights, images, { precision: 'f16' });
    expect(format).toBe('rgba16float');
    const e32 = errorStats(rgb, referenceDenoise(fast, fastWeights, images, 'f32'));
    expect(e32.max).toBeLessThan(F16_MAX);
    expect(e32.rms).toBeLessThan(F16_RMS);
    expect(e32.max).toBeGreaterThan(F32_MAX / 10); // it really is half precision
    const e16 = errorStats(rgb, referenceDenoise(fast, fastWeights, images, 'f16'));
    expect(e16.rms).toBeLessThan(e32.rms * 1.5);
    expect(e16.max).toBeLessThan(F16_MAX);
  });
  it('the workgroup-memory (no subgroups) path at 37x23', async () => {
    const images = randomImages(37, 23, 11);
    const { rgb, lanes } = await gpuDenoise(fast, fastWeights, images, { precision: 'f32', lanes: 'plain' });
    expect(lanes).toBe('plain');
    expect(errorStats(rgb, referenceDenoise(fast, fastWeights, images, 'f32')).max).toBeLessThan(F32_MAX);
  });
});

// The GPU-shaped conv ('4x8': 16 x 16 tiles, 8 output channels per invocation, conv3x3_tiles.wgsl) on this
// adapter. Sizes that are not multiples of its tile exercise the partial tiles; n2n-fast's last conv has 3 output
// channels (one layer of a pair, the other skipped) and its decoder convs read upsampled inputs.
describe("the '4x8' conv strip matches the reference", () => {
  it('is the default only on hardware adapters', async () => {
    const dn = await Denoiser.create(gpu, { spec: fast, weights: fastWeights });
    try {
      expect(dn.convStrip).toBe(gpu.adapter.isFallback ? '8x16' : '4x8');
      expect([defaultConvStrip(true), defaultConvStrip(false)]).toEqual(['8x16', '4x8']);
    } finally {
      dn.destroy();
    }
  });
  for (const [w, h] of [[37, 23], [80, 48]]) {
    it(`n2n-fast, f32 at ${w}x${h}`, async () => {
      const images = randomImages(w, h, 100 + w);
      const { rgb, strip, lanes } = await gpuDenoise(fast, fastWeights, images, { precision: 'f32', convStrip: '4x8' });
      expect([strip, lanes]).toEqual(['4x8', 'plain']);
      const e = errorStats(rgb, referenceDenoise(fast, fastWeights, images, 'f32'));
      expect(e.refStd).toBeGreaterThan(0.05);
      expect(e.max).toBeLessThan(F32_MAX);
    });
  }
  it('n2n-fast, f16 at 37x23', async () => {
    const images = randomImages(37, 23, 5);
    const { rgb } = await gpuDenoise(fast, fastWeights, images, { precision: 'f16', convStrip: '4x8' });
    const e = errorStats(rgb, referenceDenoise(fast, fastWeights, images, 'f32'));
    expect(e.max).toBeLessThan(F16_MAX);
    expect(e.rms).toBeLessThan(F16_RMS);
  });
  it('n2n-paper (blocks of 16 channels up to 96, five pools), f32 at 37x23', async () => {
    const weights = testWeights(paper, 9);
    const images = randomImages(37, 23, 22);
    const { rgb } = await gpuDenoise(paper, weights, images, { precision: 'f32', convStrip: '4x8' });
    const e = errorStats(rgb, referenceDenoise(paper, weights, images, 'f32'));
    expect(e.refStd).toBeGreaterThan(0.05);
    expect(e.max).toBeLessThan(F32_MAX);
  });
  it("takes '8x16' for subgroup lanes under 'auto', and refuses them with '4x8' and unknown strips", async () => {
    if (await subgroupLanesWork(gpu, 4)) {
      const dn = await Denoiser.create(gpu, { spec: fast, lanes: 'subgroup' });
      expect([dn.convStrip, dn.lanes]).toEqual(['8x16', 'subgroup']);
      dn.destroy();
    }
    await expect(Denoiser.create(gpu, { spec: fast, convStrip: '4x8', lanes: 'subgroup' })).rejects.toThrow(/'subgroup' exists for the '8x16' conv strip only/);
    await expect(Denoiser.create(gpu, { spec: fast, convStrip: '2x4' as never })).rejects.toThrow(/convStrip must be 'auto' or one of 8x16, 4x8, got 2x4/);
  });
});

describe('denoiser (n2n-paper) matches the reference', () => {
  it('f32 and f16 at 37x23 (padded to 64x32: five pools)', async () => {
    const weights = testWeights(paper, 8);
    const images = randomImages(37, 23, 21);
    const ref = referenceDenoise(paper, weights, images, 'f32');
    const a = await gpuDenoise(paper, weights, images, { precision: 'f32' });
    const e = errorStats(a.rgb, ref);
    expect(e.refStd).toBeGreaterThan(0.05);
    expect(e.max).toBeLessThan(F32_MAX);
    const b = await gpuDenoise(paper, weights, images, { precision: 'f16' });
    const e16 = errorStats(b.rgb, ref);
    expect(e16.max).toBeLessThan(F16_MAX);
    expect(e16.rms).toBeLessThan(F16_RMS);
  });
});

describe('denoiser inputs', () => {
  it('a path-tracer film gives the same result as the equivalent images', async () => {
    const width = 19, height = 13, spp = 4, n = width * height;
    const images = randomImages(width, height, 77);
    // film: 4 planes of vec4f sums: radiance (w = count), radiance^2, albedo, normal + depth; spp = 4 keeps x4, /4 exact
    const film = filmFromImages(images, spp);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) film[(n + i) * 4 + c] = 123; // unused by the denoiser
      film[(3 * n + i) * 4 + 3] = 5 * spp;
    }
    const buffer = gpu.createBufferWithData('test film', film, GPUBufferUsage.STORAGE);
    // without autoexposure both paths compute the same values; with it the film's k comes from the GPU's float32
    // passes and the images' from the CPU (tests/denoise/exposure.test.ts), so they agree to float rounding
    const plainDn = await Denoiser.create(gpu, { spec: { ...fast, autoexposure: undefined }, weights: fastWeights, precision: 'f32' });
    const dn = await Denoiser.create(gpu, { spec: fast, weights: fastWeights, precision: 'f32' });
    try {
      expect(await readDenoised(plainDn, { width, height, spp, film: buffer })).toEqual(await readDenoised(plainDn, images));
      expect(errorStats(await readDenoised(dn, { width, height, spp, film: buffer }), await readDenoised(dn, images)).max).toBeLessThan(F32_MAX / 10);
      await expect(dn.denoise({ width, height, spp: 0, film: buffer })).rejects.toThrow(/frame: has 0 samples per pixel/);
    } finally {
      buffer.destroy();
      dn.destroy();
      plainDn.destroy();
    }
    await expect(dn.denoise(images)).rejects.toThrow(/after destroy/);
  });
  it('accepts ImageF32 inputs and rejects missing aux images and mismatched sizes', async () => {
    const dn = await Denoiser.create(gpu, { spec: fast, weights: fastWeights, precision: 'f32' });
    try {
      const images = randomImages(5, 4, 1);
      const img = (data: Float32Array, width = 5, height = 4) => ({ width, height, channels: 3 as const, data });
      const out = await dn.denoise({ color: img(images.color), albedo: img(images.albedo!), normal: img(images.normal!) });
      const direct = await dn.denoise(images);
      expect(await out.read()).toEqual(await direct.read());
      // calls made while another runs wait for it (the tensors are shared), even across sizes
      const other = randomImages(9, 6, 2);
      const [c1, c2] = await Promise.all([dn.denoise(other), dn.denoise(images)]);
      expect(await c2.read()).toEqual(await direct.read());
      expect(await c1.read()).toEqual(await (await dn.denoise(other)).read());
      for (const r of [out, direct, c1, c2]) r.destroy();
      await expect(dn.denoise({ color: img(images.color) })).rejects.toThrow(/albedo image: model 'n2n-fast' needs color \+ albedo \+ normal inputs/);
      await expect(dn.denoise({ color: img(images.color), albedo: img(new Float32Array(18), 3, 2), normal: img(images.normal!) }))
        .rejects.toThrow(/albedo image: size 3x2 does not match the colour image's 5x4/);
    } finally {
      dn.destroy();
    }
  });
  it('rejects weights that do not fit the spec', async () => {
    await expect(Denoiser.create(gpu, { spec: paper, weights: fastWeights })).rejects.toThrow(/weights for 'n2n-paper': layer 'enc0\.0' weight has 2592 values, expected 3888/);
  });
});

describe('denoiser misuse', () => {
  it('rejects images of bad sizes and channel counts with a DenoiseInputError, not a crash or a wrong image', async () => {
    const dn = await Denoiser.create(gpu, { spec: fast, weights: fastWeights, precision: 'f32' });
    try {
      const im = randomImages(8, 8, 3);
      const aux = { albedo: { width: 8, height: 8, channels: 3 as const, data: im.albedo! }, normal: { width: 8, height: 8, channels: 3 as const, data: im.normal! } };
      for (const channels of [0, 2, 5, 1.5]) {
        const color = { width: 8, height: 8, channels: channels as 3, data: new Float32Array(64 * channels) };
        await expect(dn.denoise({ color, ...aux })).rejects.toThrow(new RegExp(`color image: unsupported channel count ${channels} \\(expected 1, 3 or 4\\)`));
      }
      const planes = (n: number) => ({ color: new Float32Array(n), albedo: new Float32Array(n), normal: new Float32Array(n) });
      const film = gpu.device.createBuffer({ size: 4096, usage: GPUBufferUsage.STORAGE });
      for (const [w, h] of [[0, 0], [1.5, 128], [-8, -8], [NaN, 8]]) {
        await expect(dn.denoise({ width: w, height: h, ...planes(576) })).rejects.toThrow(new RegExp(`images: invalid size ${w}x${h}`));
        await expect(dn.denoise({ width: w, height: h, spp: 1, film })).rejects.toThrow(new RegExp(`frame: invalid size ${w}x${h}`));
      }
      film.destroy();
      await expect(dn.denoise(null as never)).rejects.toThrow(/input: expected a Frame, images or an ImageF32, got null/);
      const out = await dn.denoise(im);
      out.destroy();
      await expect(out.read()).rejects.toThrow(/DenoisedImage read after destroy\(\)/);
      expect(() => gpu.check()).not.toThrow();
    } finally {
      dn.destroy();
    }
  });
  it('a denoise running when destroy() is called finishes with the right result; then the tensors are freed', async () => {
    const images = randomImages(24, 16, 4);
    const dn = await Denoiser.create(gpu, { spec: fast, weights: fastWeights, precision: 'f32' });
    // ensemble 8 of a non-square image: the transposed symmetries resize the tensors, with GPU waits in between
    const expected = await readDenoised(dn, images, { ensemble: 8 });
    const running = dn.denoise(images, { ensemble: 8 });
    await new Promise((r) => setTimeout(r, 0)); // under way: past its first checks
    dn.destroy();
    const later = dn.denoise(images);
    const out = await running;
    expect(await out.read()).toEqual(expected);
    out.destroy();
    await expect(later).rejects.toThrow(/Denoiser used after destroy\(\)/);
    expect(dn.tensorBytes).toBe(0); // freed once the running call settled
    expect(() => gpu.check()).not.toThrow();
  });
});
