// The local mean correction: each denoised value times the ratio of its channel's input mean to its output mean over
// the window of LOCAL_MEAN_RADIUS pixels around it (clipped to the image), the ratio limited to
// [1 / LOCAL_MEAN_LIMIT, LOCAL_MEAN_LIMIT]. The CPU reference (correctLocalMean) is checked against window sums
// written out here; the WGSL passes (images, films, tiles whose colour is uploaded alone, demodulating specs, a
// self-ensemble, bands of rows) against the reference, and shown to change the result (a runtime that skipped them
// would fail); the localMean: false option of both runtimes leaves it out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Denoiser } from '../../src/denoise/denoiser.ts';
import { GpuJsDenoiser } from '../../src/denoise/gpujs/denoiser.ts';
import { denoiseEnsemble } from '../../src/denoise/dihedral.ts';
import { inputExposure, referenceDenoise, referenceEnsemble } from '../../src/denoise/reference.ts';
import { alignedRange, localMeanBandRows, localMeanBands } from '../../src/denoise/io-passes.ts';
import { cleanRadiance, correctLocalMean, LOCAL_MEAN_LIMIT, LOCAL_MEAN_RADIUS } from '../../src/denoise/transform.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { denoiseOnce, errorStats, filmFromImages, loadSpec, randomImages, testWeights } from './support.ts';

/** The correction written out: for each value, both window sums straight from their definition. */
function bruteForce(rgb: Float32Array, color: Float32Array, width: number, height: number): Float64Array {
  const r = LOCAL_MEAN_RADIUS;
  const out = new Float64Array(rgb.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let si = 0, so = 0;
        for (let yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) {
          for (let xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++) {
            si += cleanRadiance(color[(yy * width + xx) * 3 + c]);
            so += rgb[(yy * width + xx) * 3 + c];
          }
        }
        const i = (y * width + x) * 3 + c;
        out[i] = so > 0 ? rgb[i] * Math.min(LOCAL_MEAN_LIMIT, Math.max(1 / LOCAL_MEAN_LIMIT, si / so)) : rgb[i];
      }
    }
  }
  return out;
}

function maxRelDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-6));
  return m;
}

describe('local mean correction (CPU reference)', () => {
  it('scales a uniform output to the input\'s mean, within the ratio limit', () => {
    expect([LOCAL_MEAN_RADIUS, LOCAL_MEAN_LIMIT]).toEqual([12, 1.1]);
    const width = 30, height = 20, n = width * height * 3;
    const color = new Float32Array(n).fill(1);
    const at = (o: number) => correctLocalMean(new Float32Array(n).fill(o), color, width, height);
    expect(maxRelDiff(at(0.95), new Float32Array(n).fill(1))).toBeLessThan(1e-7);
    expect(maxRelDiff(at(1.05), new Float32Array(n).fill(1))).toBeLessThan(1e-7);
    expect(at(0.5)[0]).toBe(Math.fround(0.5 * LOCAL_MEAN_LIMIT)); // too dark: raised by the limit only
    expect(at(2)[0]).toBe(Math.fround(2 / LOCAL_MEAN_LIMIT));
    expect(at(0)).toEqual(new Float32Array(n)); // an output window summing to 0 is left as it is
  });

  it('matches the window sums written out, with NaN, Inf and negative inputs counted as 0 and windows clipped', () => {
    const width = 41, height = 27;
    const im = randomImages(width, height, 3); // colour with NaN, Inf and a negative
    const rgb = randomImages(width, height, 4).color.map((v) => (Number.isFinite(v) && v > 0 ? 0.8 * v + 0.1 : 0.5));
    const want = bruteForce(rgb, im.color, width, height);
    const got = correctLocalMean(rgb.slice(), im.color, width, height);
    expect(maxRelDiff(got, want)).toBeLessThan(2 ** -23);
    // it did something: some values moved by more than 1%, some by the whole limit
    expect(maxRelDiff(got, rgb)).toBeGreaterThan(0.01);
    const ratios = Array.from(got, (v, i) => v / rgb[i]);
    expect(Math.min(...ratios)).toBeGreaterThanOrEqual(Math.fround(1 / LOCAL_MEAN_LIMIT) * (1 - 2 ** -23));
    expect(Math.max(...ratios)).toBeLessThanOrEqual(LOCAL_MEAN_LIMIT * (1 + 2 ** -23));
  });

  it('scales with the image and leaves a region whose windows see the same mean unchanged', () => {
    const width = 36, height = 36;
    const im = randomImages(width, height, 5);
    const rgb = randomImages(width, height, 6).color.map((v) => (Number.isFinite(v) && v > 0 ? v : 1));
    const base = correctLocalMean(rgb.slice(), im.color, width, height);
    const scaled = correctLocalMean(rgb.map((v) => 8 * v), im.color.map((v) => 8 * v), width, height);
    expect(maxRelDiff(scaled, base.map((v) => 8 * v))).toBeLessThan(1e-6);
    // output = the clean input itself: every ratio is 1
    const clean = im.color.map(cleanRadiance);
    expect(correctLocalMean(clean.slice(), im.color, width, height)).toEqual(clean);
  });
});

describe('local mean correction bands', () => {
  it('cover the image, each with the rows within the radius, and fit the binding limit', () => {
    const r = LOCAL_MEAN_RADIUS;
    for (const [height, rows] of [[120, 13], [120, 40], [120, 120], [100, 12], [7, 12]]) {
      const bands = localMeanBands(height, rows);
      expect(bands.map((b) => b.bandCount).reduce((a, b) => a + b, 0)).toBe(height);
      bands.forEach((b, k) => {
        expect(b.bandY0).toBe(k * rows);
        expect(b.rowsY0).toBe(Math.max(0, b.bandY0 - r));
        expect(b.rowsY0 + b.rowsCount).toBe(Math.min(height, b.bandY0 + b.bandCount + r));
      });
    }
    // 1000 pixels wide, film source (16 bytes a pixel): the whole image fits 1 MiB + alignment at 65 rows, not 66
    const align = 256;
    expect(localMeanBandRows(1000, 65, 4, 65 * 16000 + align, align)).toBe(65);
    expect(localMeanBandRows(1000, 66, 4, 65 * 16000 + align, align)).toBe(65 - 2 * r);
    expect(localMeanBandRows(1000, 66, 3, 65 * 16000 + align, align)).toBe(66); // images: 12 bytes a pixel
    expect(localMeanBandRows(1000, 1000, 4, 20 * 16000 + align, align)).toBe(0);
  });

  it('bind from aligned offsets, the first float within the range', () => {
    expect(alignedRange(0, 10, 256)).toEqual({ offset: 0, size: 40, first: 0 });
    expect(alignedRange(100, 10, 256)).toEqual({ offset: 256, size: 184, first: 36 });
    expect(alignedRange(64, 3, 256)).toEqual({ offset: 256, size: 12, first: 0 });
  });
});

describe('local mean correction on the GPU', () => {
  let gpu: GpuContext;
  beforeAll(async () => {
    gpu = await createNodeGpuContext();
  });
  afterAll(() => gpu?.destroy());

  // the ratio of two float32 sums of up to n = (2 LOCAL_MEAN_RADIUS + 1)^2 non-negative values against float64 (each
  // within n 2^-24 relative), on top of the network's own float32 differences from the reference (1e-4, as
  // denoiser.test.ts's F32_MAX)
  const TOLERANCE = 2 * (2 * LOCAL_MEAN_RADIUS + 1) ** 2 * 2 ** -24 + 1e-4;

  it('agrees with the reference from images, a film and tiles, plain and demodulating, and changes the result', async () => {
    const width = 150, height = 120, spp = 4;
    const im = randomImages(width, height, 12);
    const buffer = gpu.createBufferWithData('test film', filmFromImages(im, spp), GPUBufferUsage.STORAGE);
    try {
      const frame = { width, height, spp, film: buffer };
      for (const spec of [loadSpec('n2n-fast'), loadSpec('n2n-fast-demod')]) {
        const weights = testWeights(spec, 31);
        const want = referenceDenoise(spec, weights, im);
        const uncorrected = referenceDenoise(spec, weights, im, 'f32', inputExposure(spec, im), false);
        expect(maxRelDiff(want, uncorrected)).toBeGreaterThan(0.05);
        for (const input of [im, frame]) {
          // bands of 13 rows: 10 bands, the last of 3 rows; of 40: 3 bands, with tiles
          for (const [tileSize, localMeanBand] of [[undefined, undefined], [112, undefined], [undefined, 13], [112, 40]]) {
            const got = await denoiseOnce(gpu, { spec, weights, precision: 'f32', tileSize, localMeanBand }, input);
            const what = `${spec.name}, ${'film' in input ? 'film' : 'images'}, tiles ${tileSize ?? 'none'}, bands ${localMeanBand ?? 'none'}`;
            expect(maxRelDiff(got, want), what).toBeLessThan(TOLERANCE);
            expect(maxRelDiff(got, uncorrected)).toBeGreaterThan(0.05);
          }
        }
      }
    } finally {
      buffer.destroy();
    }
  });

  it('is left out with localMean: false, on WebGPU and on gpu.js', async () => {
    const spec = loadSpec('n2n-fast-demod');
    const weights = testWeights(spec, 34);
    const im = randomImages(36, 28, 14);
    const uncorrected = referenceDenoise(spec, weights, im, 'f32', inputExposure(spec, im), false);
    expect(maxRelDiff(uncorrected, referenceDenoise(spec, weights, im))).toBeGreaterThan(0.05);
    // the network's float32 differences from the reference, measured as denoiser.test.ts does (tone-mapped, F32_MAX)
    expect(errorStats(await denoiseOnce(gpu, { spec, weights, precision: 'f32', localMean: false }, im), uncorrected).max).toBeLessThan(1e-4);
    const gj = await GpuJsDenoiser.create({ spec, weights, mode: 'cpu', localMean: false });
    try {
      expect(errorStats((await gj.denoise(im)).data, uncorrected).max).toBeLessThan(1e-4);
    } finally {
      await gj.destroy();
    }
  });

  it('refuses bands narrower than the radius', async () => {
    const spec = loadSpec('n2n-fast');
    await expect(Denoiser.create(gpu, { spec, localMeanBand: LOCAL_MEAN_RADIUS - 1 })).rejects.toThrow(/localMeanBand must be an integer of at least 12/);
    await expect(Denoiser.create(gpu, { spec, localMeanBand: 20.5 })).rejects.toThrow(/localMeanBand/);
  });

  it('corrects a self-ensemble once, after averaging its members', async () => {
    const spec = loadSpec('n2n-fast-demod');
    const weights = testWeights(spec, 33);
    const im = randomImages(40, 28, 13);
    const k = inputExposure(spec, im);
    const want = await referenceEnsemble(spec, weights, im, 4);
    const eachCorrected = await denoiseEnsemble(im, 4, async (view) => referenceDenoise(spec, weights, view, 'f32', k));
    expect(maxRelDiff(want, eachCorrected)).toBeGreaterThan(10 * TOLERANCE); // the order matters
    const dn = await Denoiser.create(gpu, { spec, weights, precision: 'f32' });
    try {
      const out = await dn.denoise(im, { ensemble: 4 });
      expect(maxRelDiff(await out.read(), want)).toBeLessThan(TOLERANCE);
      out.destroy();
    } finally {
      dn.destroy();
    }
  });
});
