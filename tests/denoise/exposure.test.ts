// Autoexposure (specs with `autoexposure`): the colour is scaled by k = key / E before the network and the output
// divided by k, E being the geometric mean of 16x16-bin mean luminances. The CPU definition (transform.ts) is
// checked on constructed images; the runtime's film passes (exposure_*.wgsl), its image path, the trainer's
// inference, gpu.js and the training pairs must agree with it; and the result scales with the input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Denoiser } from '../../src/denoise/denoiser.ts';
import type { DenoiseImages } from '../../src/denoise/images.ts';
import { referenceDenoise } from '../../src/denoise/reference.ts';
import { BUILTIN_SPECS } from '../../src/denoise/specs.ts';
import { parseSpec, specHash, type NetworkSpec } from '../../src/denoise/spec.ts';
import { EXPOSURE_BIN, exposureScale, exposureStatistic, prepColorFast } from '../../src/denoise/transform.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { makePair, sampleBatch } from '../../src/train/data.ts';
import { mulberry32 } from '../support/random.ts';
import { errorStats, filmFromImages, loadSpec, randomImages, testWeights, otherBackendErrors, readDenoised } from './support.ts';

const fast = loadSpec('n2n-fast');
const demod = loadSpec('n2n-fast-demod');
const plain: NetworkSpec = { ...fast, autoexposure: undefined };
const weights = testWeights(fast, 3);
/** As in denoiser.test.ts: float32 sums of up to 1296 terms against float64 (tone-mapped domain). */
const F32_MAX = 1e-4;

/** Images whose colour is `scale` times randomImages' (0..4 with NaN/Inf/negative): scale 1/64 is a dim scene. */
function dimImages(width: number, height: number, seed: number, scale: number): DenoiseImages {
  const im = randomImages(width, height, seed);
  return { ...im, color: im.color.map((v) => v * scale) };
}

describe('exposure statistic', () => {
  it('is the geometric mean of the bins\' mean luminance, partial bins averaged over their pixels, dark bins left out', () => {
    // 40 x 20: bins of 16 -> 3 x 2, the right column 8 wide and the bottom row 4 high
    const w = 40, h = 20;
    const color = new Float32Array(w * h * 3);
    const binOf = (x: number, y: number) => Math.floor(y / EXPOSURE_BIN) * 3 + Math.floor(x / EXPOSURE_BIN);
    const grey = [0.5, 2, 0.125, 0, 4, 1]; // bin 3 black: left out
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        // luminance weights sum to 1, so a grey pixel's luminance is its value
        const v = grey[binOf(x, y)];
        color.set([v, v, v], (y * w + x) * 3);
      }
    }
    // bin 5 (8 x 4 pixels): half its pixels 2, half 0 -> mean 1; NaN, Inf and negatives count as 0
    for (let y = 16; y < 20; y++) {
      for (let x = 32; x < 40; x++) {
        const i = (y * w + x) * 3;
        const v = x < 36 ? 2 : [NaN, Infinity, -3, 0][x - 36];
        color.set([v, v, v], i);
      }
    }
    const want = 2 ** ((Math.log2(0.5) + Math.log2(2) + Math.log2(0.125) + Math.log2(4) + Math.log2(1)) / 5);
    expect(exposureStatistic(color, w, h)).toBeCloseTo(want, 12);
    // one coloured pixel: Rec. 709 weights
    const one = new Float32Array([1, 0, 0]);
    expect(exposureStatistic(one, 1, 1)).toBeCloseTo(0.2126, 7);
    expect(exposureScale(0.5, one, 1, 1)).toBeCloseTo(0.5 / 0.2126, 6);
  });

  it('k = 1 without a key, and for an image with no light', () => {
    const black = new Float32Array(12);
    expect(exposureStatistic(black, 2, 2)).toBe(0);
    expect(exposureScale(0.27, black, 2, 2)).toBe(1);
    expect(exposureScale(undefined, new Float32Array([5, 5, 5]), 1, 1)).toBe(1);
  });
});

describe('autoexposure in the spec', () => {
  it('is an optional positive key, not part of the architecture hash', () => {
    expect(fast.autoexposure).toBe(0.27);
    for (const spec of Object.values(BUILTIN_SPECS)) expect(spec.autoexposure).toBe(0.27);
    const json = JSON.parse(JSON.stringify(fast));
    for (const bad of [0, -1, 'bright', Infinity, null]) {
      expect(() => parseSpec({ ...json, autoexposure: bad }, 'x.json')).toThrow(/x\.json: autoexposure must be a positive number/);
    }
    const { autoexposure: _, ...without } = json;
    expect(parseSpec(without).autoexposure).toBeUndefined();
    expect(specHash(parseSpec(without))).toBe(specHash(fast));
  });
});

describe('autoexposure in the CPU reference', () => {
  it('the output scales with the input (denoise(s x) = s denoise(x)), which it does not without autoexposure', () => {
    const im = randomImages(24, 16, 1);
    for (const spec of [fast, demod]) {
      const base = referenceDenoise(spec, weights, im);
      for (const s of [1 / 64, 8]) {
        const scaled = referenceDenoise(spec, weights, { ...im, color: im.color.map((v) => v * s) });
        let worst = 0;
        for (let i = 0; i < base.length; i++) worst = Math.max(worst, Math.abs(scaled[i] / s - base[i]) / (1e-6 + Math.abs(base[i])));
        expect(worst).toBeLessThan(1e-5);
      }
    }
    // without the key the network sees another input: clearly not proportional
    const base = referenceDenoise(plain, weights, im);
    const dim = referenceDenoise(plain, weights, { ...im, color: im.color.map((v) => v / 64) });
    const e = errorStats(dim.map((v) => v * 64), base);
    expect(e.max).toBeGreaterThan(0.05);
  });

  it('is the plain network on k x colour, its output divided by k', () => {
    const im = dimImages(24, 16, 2, 1 / 32);
    const k = exposureScale(fast.autoexposure, im.color, im.width, im.height);
    expect(k).toBeGreaterThan(4);
    const viaPlain = referenceDenoise(plain, weights, { ...im, color: im.color.map((v) => v * k) }).map((v) => v / k);
    const got = referenceDenoise(fast, weights, im);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - viaPlain[i]) / (1e-6 + Math.abs(viaPlain[i])));
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('autoexposure in training pairs', () => {
  it('both renders are scaled by the first one\'s k; the spec must agree', () => {
    const w = 20, h = 18, n = w * h * 3;
    const rand = mulberry32(5);
    const [a, b] = [0, 1].map(() => new Float32Array(n).map(() => 0.01 * rand()));
    const [albedo, normal] = [0, 1].map(() => new Float32Array(n).map(() => rand()));
    const pair = makePair('p', w, h, 4, a, b, albedo, normal, false, fast);
    const k = exposureScale(0.27, a, w, h);
    expect(k).toBeGreaterThan(10);
    expect(pair.exposure).toBe(k);
    expect(pair.autoexposure).toBe(0.27);
    for (const i of [0, 7, 100]) {
      const plane = (i % 3) * w * h + Math.floor(i / 3);
      expect(pair.targetB[plane]).toBe(Math.fround(b[i] * k));
      expect(pair.prepA[plane]).toBe(Math.fround(prepColorFast(Math.fround(a[i] * k))));
    }
    expect(sampleBatch(fast, [pair], 1, 16, mulberry32(1)).input.length).toBe(9 * 256);
    expect(() => sampleBatch(plain, [pair], 1, 16, mulberry32(1))).toThrow(/p was prepared with autoexposure key 0.27, spec 'n2n-fast' has no autoexposure/);
    const unscaled = makePair('q', w, h, 4, a, b, albedo, normal, false, plain);
    expect(unscaled.exposure).toBe(1);
    expect(() => sampleBatch(fast, [unscaled], 1, 16, mulberry32(1))).toThrow(/q was prepared with no autoexposure, spec 'n2n-fast' has autoexposure key 0.27/);
  });
});

describe('autoexposure on the GPU and in gpu.js', () => {
  let gpu: GpuContext;
  beforeAll(async () => {
    gpu = await createNodeGpuContext();
  });
  afterAll(() => gpu?.destroy());

  it('the film passes compute the CPU\'s k, and the runtime matches the reference from images, a film and in tiles', async () => {
    // 150 x 120: partial bins on both edges; a dim image, so k is far from 1
    const width = 150, height = 120, spp = 4;
    const im = dimImages(width, height, 6, 1 / 40);
    const want = exposureScale(demod.autoexposure, im.color, width, height);
    expect(want).toBeGreaterThan(5);
    const ref = referenceDenoise(demod, weights, im);
    const dn = await Denoiser.create(gpu, { spec: demod, weights, precision: 'f32' });
    const tiled = await Denoiser.create(gpu, { spec: demod, weights, precision: 'f32', tileSize: 112 });
    const film = gpu.createBufferWithData('test film', filmFromImages(im, spp), GPUBufferUsage.STORAGE);
    const read = async (d: Denoiser, input: Parameters<Denoiser['denoise']>[0]) => ({ rgb: await readDenoised(d, input), k: await d.lastExposureScale() });
    try {
      const fromImages = await read(dn, im);
      expect(fromImages.k).toBe(Math.fround(want));
      expect(errorStats(fromImages.rgb, ref).max).toBeLessThan(F32_MAX);
      expect(errorStats(fromImages.rgb, referenceDenoise(plain, weights, im)).max).toBeGreaterThan(0.01);
      expect((await read(tiled, im)).rgb).toEqual(fromImages.rgb); // tiles use the whole image's k
      const frame = { width, height, spp, film };
      for (const d of [dn, tiled]) {
        const fromFilm = await read(d, frame);
        // GPU float32 sums and log2/exp2 against the CPU's float64
        expect(Math.abs(fromFilm.k / want - 1)).toBeLessThan(1e-5);
        expect(errorStats(fromFilm.rgb, ref).max).toBeLessThan(F32_MAX);
      }
      // a black film: every bin left out, k = 1
      const black = gpu.createBufferWithData('black film', new Float32Array(16 * 16 * 16), GPUBufferUsage.STORAGE);
      try {
        await read(dn, { width: 16, height: 16, spp: 1, film: black });
        expect(await dn.lastExposureScale()).toBe(1);
      } finally {
        black.destroy();
      }
    } finally {
      film.destroy();
      dn.destroy();
      tiled.destroy();
    }
  });

  it('the trainer\'s inference and the gpu.js fallback match the reference', async () => {
    const e = await otherBackendErrors(gpu, fast, weights, dimImages(13, 9, 7, 1 / 40));
    expect(e.trainer).toBeLessThan(F32_MAX);
    expect(e.gpujs).toBeLessThan(F32_MAX);
  });
});
