// The local mean correction: each denoised value times the ratio q of its channel's input mean to its output mean
// over the window of LOCAL_MEAN_RADIUS pixels around it (clipped to the image), shrunk towards 1 by the window's
// noise (positive-part James-Stein: q' = 1 + (q - 1) max(0, 1 - LOCAL_MEAN_SHRINKAGE s / d^2), d = input sum -
// output sum, s = sum of (input - output)^2) and limited to [1 / LOCAL_MEAN_LIMIT, LOCAL_MEAN_LIMIT]. The CPU
// reference (correctLocalMean) is checked against window sums written out here; the WGSL passes (images, films,
// tiles whose colour is uploaded alone, demodulating specs, a self-ensemble, bands of rows) against the reference
// within a bound derived from float32 summation, and shown to change the result (a runtime that skipped them would
// fail); the localMean: false option of both runtimes leaves it out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Denoiser } from '../../src/denoise/denoiser.ts';
import { GpuJsDenoiser } from '../../src/denoise/gpujs/denoiser.ts';
import { denoiseEnsemble } from '../../src/denoise/dihedral.ts';
import { inputExposure, referenceDenoise, referenceEnsemble } from '../../src/denoise/reference.ts';
import { alignedRange, localMeanBandRows, localMeanBands } from '../../src/denoise/io-passes.ts';
import { cleanRadiance, correctLocalMean, LOCAL_MEAN_LIMIT, LOCAL_MEAN_RADIUS, LOCAL_MEAN_SHRINKAGE, localMeanFactor } from '../../src/denoise/transform.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { denoiseOnce, errorStats, filmFromImages, loadSpec, randomImages, testWeights } from './support.ts';

interface WindowSums { input: Float64Array; output: Float64Array; residual: Float64Array; count: Float64Array }

/** The three window sums of every value straight from their definition. */
function windowSumsOf(rgb: ArrayLike<number>, color: Float32Array, width: number, height: number): WindowSums {
  const r = LOCAL_MEAN_RADIUS;
  const sums = { input: new Float64Array(rgb.length), output: new Float64Array(rgb.length), residual: new Float64Array(rgb.length), count: new Float64Array(rgb.length) };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        for (let yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) {
          for (let xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++) {
            const v = cleanRadiance(color[(yy * width + xx) * 3 + c]), o = rgb[(yy * width + xx) * 3 + c];
            sums.input[i] += v;
            sums.output[i] += o;
            sums.residual[i] += (v - o) ** 2;
            sums.count[i]++;
          }
        }
      }
    }
  }
  return sums;
}

/** The correction written out from the window sums. */
function bruteForce(rgb: Float32Array, color: Float32Array, width: number, height: number): Float64Array {
  const { input, output, residual } = windowSumsOf(rgb, color, width, height);
  return Float64Array.from(rgb, (o, i) => {
    const d = input[i] - output[i];
    if (!(output[i] > 0) || d === 0) return o;
    const shrink = Math.max(0, 1 - (LOCAL_MEAN_SHRINKAGE * residual[i]) / (d * d));
    return o * Math.min(LOCAL_MEAN_LIMIT, Math.max(1 / LOCAL_MEAN_LIMIT, 1 + (input[i] / output[i] - 1) * shrink));
  });
}

function maxRelDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-6));
  return m;
}

describe('local mean correction (CPU reference)', () => {
  it('shrinks a noiseless difference by the window size and holds the limit', () => {
    expect([LOCAL_MEAN_RADIUS, LOCAL_MEAN_SHRINKAGE, LOCAL_MEAN_LIMIT]).toEqual([8, 1, 1.5]);
    const width = 30, height = 20, n = width * height * 3;
    const color = new Float32Array(n).fill(1);
    const count = windowSumsOf(new Float32Array(n), color, width, height).count;
    const at = (o: number) => correctLocalMean(new Float32Array(n).fill(o), color, width, height);
    // a uniform difference of m pixels: d = m (1 - o), s = m (1 - o)^2, so the ratio keeps 1 - k / m of its step
    for (const o of [0.95, 1.05]) {
      const want = Float64Array.from(count, (m) => o * (1 + (1 / o - 1) * Math.max(0, 1 - LOCAL_MEAN_SHRINKAGE / m)));
      expect(maxRelDiff(at(o), want)).toBeLessThan(1e-7);
    }
    expect(at(0.25)[0]).toBe(Math.fround(0.25 * LOCAL_MEAN_LIMIT)); // too dark: raised by the limit only
    expect(at(4)[0]).toBe(Math.fround(4 / LOCAL_MEAN_LIMIT));
    expect(at(0)).toEqual(new Float32Array(n)); // an output window summing to 0 is left as it is
    expect(at(1)).toEqual(color);
  });

  it('leaves a lone firefly alone and corrects a bias many standard errors wide', () => {
    // one value of F over an exact output: d = F, s = F^2, so k s / d^2 = k > 1 and nothing moves
    const width = 40, height = 40, n = width * height * 3;
    const color = new Float32Array(n).fill(0.5);
    color[3 * (20 * width + 20)] = 200;
    const out = new Float32Array(n).fill(0.5);
    expect(correctLocalMean(out.slice(), color, width, height)).toEqual(out);
    expect(localMeanFactor(1 + 200, 1, 200 ** 2)).toBe(1);
    // d = 0.2 n over s = n (0.04 + noise): the factor keeps 1 - k s / d^2 of the step q - 1 = 0.25
    const m = 625, noise = 0.01;
    const f = localMeanFactor(m, 0.8 * m, m * (0.04 + noise));
    expect(f).toBeCloseTo(1 + 0.25 * (1 - (LOCAL_MEAN_SHRINKAGE * (0.04 + noise)) / (0.04 * m)), 12);
    expect(f).toBeGreaterThan(1.2);
    // the same step where it is within sqrt(k / 2) standard errors is shrunk to nothing
    expect(localMeanFactor(m, 0.8 * m, (2 * (0.2 * m) ** 2) / LOCAL_MEAN_SHRINKAGE)).toBe(1);
    expect(localMeanFactor(10, 0, 1)).toBe(1);
    expect(localMeanFactor(10, 10, 1)).toBe(1);
  });

  it('matches the window sums written out, with NaN, Inf and negative inputs counted as 0 and windows clipped', () => {
    const width = 41, height = 27;
    const im = randomImages(width, height, 3); // colour with NaN, Inf and a negative, mean 1
    // an output of mean 0.6: a bias of several standard errors in most windows
    const rgb = randomImages(width, height, 4).color.map((v) => (Number.isFinite(v) && v > 0 ? 0.5 * v + 0.1 : 0.5));
    const want = bruteForce(rgb, im.color, width, height);
    const got = correctLocalMean(rgb.slice(), im.color, width, height);
    expect(maxRelDiff(got, want)).toBeLessThan(2 ** -23);
    // it did something, and the shrinkage did something: the plain ratio would move values further
    expect(maxRelDiff(got, rgb)).toBeGreaterThan(0.1);
    const { input, output } = windowSumsOf(rgb, im.color, width, height);
    const ratios = Array.from(got, (v, i) => v / rgb[i]);
    const plain = Array.from(rgb, (_, i) => Math.min(LOCAL_MEAN_LIMIT, input[i] / output[i]));
    expect(ratios.every((q, i) => q >= 1 - 1e-6 && q <= plain[i] * (1 + 1e-6))).toBe(true);
    expect(maxRelDiff(ratios, plain)).toBeGreaterThan(0.05);
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
    expect(localMeanBandRows(1000, 1000, 4, 2 * r * 16000 + align, align)).toBe(0); // room for the radii only
    expect(localMeanBandRows(1000, 1000, 4, (2 * r + 1) * 16000 + align, align)).toBe(1);
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

  /**
   * Checks the GPU's corrected result `got` against the CPU correction (float64 sums) of the GPU's own uncorrected
   * output `raw`, value by value, within a bound on float32 arithmetic: with n the window's size, eps = 2^-24, the
   * sums si (input), so (output), ss (squared residual) are within (n + 2) eps, n eps and (n + 3) eps relative;
   * the factor's step g = q - 1 = (d - k ss / d) / so (d = si - so) has |dg/dsi| <= 2 / so, |dg/dso| <= (2 + |g|) / so
   * and |dg/dss| ss <= |d| / so where it is not 0 (k ss / d^2 <= 1 there), the limit only narrows differences, and
   * the few float32 operations of the factor add 6 eps (1 + |d| / so) + eps; q >= 1 / 2 turns that into twice as
   * much relative, plus eps for the product.
   */
  function expectCorrectionOf(got: Float32Array, raw: Float32Array, color: Float32Array, width: number, height: number, what: string): void {
    const eps = 2 ** -24;
    const want = correctLocalMean(raw.slice(), color, width, height);
    const { input, output, count } = windowSumsOf(raw, color, width, height);
    let worst = 0, where = -1;
    for (let i = 0; i < want.length; i++) {
      const si = input[i], so = output[i], n = count[i];
      if (!(so > 0)) {
        if (got[i] !== raw[i]) { worst = Infinity; where = i; }
        continue;
      }
      const d = si - so, g = d / so;
      const dq = (2 * (n + 2) * eps * si + (2 + Math.abs(g)) * n * eps * so) / so + Math.abs(g) * (n + 3) * eps + 6 * eps * (1 + Math.abs(g)) + eps;
      const bound = 2 * dq + eps;
      const err = Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-30) / bound;
      if (!(err <= worst)) { worst = err; where = i; }
    }
    expect(worst, `${what}: value ${where} is off by ${worst.toFixed(2)} times its bound`).toBeLessThanOrEqual(1);
  }

  it('agrees with the correction of its own network output, from images, a film and tiles, plain and demodulating, and changes the result', async () => {
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
          const raws = new Map<number | undefined, Promise<Float32Array>>(); // the uncorrected output, by tile size
          // bands of 13 rows: 10 bands, the last of 3 rows; of 40: 3 bands, with tiles
          for (const [tileSize, localMeanBand] of [[undefined, undefined], [112, undefined], [undefined, 13], [112, 40]]) {
            const options = { spec, weights, precision: 'f32' as const, tileSize };
            const got = await denoiseOnce(gpu, { ...options, localMeanBand }, input);
            if (!raws.has(tileSize)) raws.set(tileSize, denoiseOnce(gpu, { ...options, localMean: false }, input));
            const raw = await raws.get(tileSize)!;
            const what = `${spec.name}, ${'film' in input ? 'film' : 'images'}, tiles ${tileSize ?? 'none'}, bands ${localMeanBand ?? 'none'}`;
            // the network's float32 differences from the reference, as denoiser.test.ts measures them (F32_MAX)
            expect(errorStats(raw, uncorrected).max, what).toBeLessThan(1e-4);
            expectCorrectionOf(got, raw, im.color, width, height, what);
            expect(maxRelDiff(got, raw)).toBeGreaterThan(0.05);
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
    await expect(Denoiser.create(gpu, { spec, localMeanBand: LOCAL_MEAN_RADIUS - 1 })).rejects.toThrow(new RegExp(`localMeanBand must be an integer of at least ${LOCAL_MEAN_RADIUS}\\b`));
    await expect(Denoiser.create(gpu, { spec, localMeanBand: 20.5 })).rejects.toThrow(/localMeanBand/);
  });

  it('corrects a self-ensemble once, after averaging its members', async () => {
    const spec = loadSpec('n2n-fast-demod');
    const weights = testWeights(spec, 33);
    const im = randomImages(40, 28, 13);
    const k = inputExposure(spec, im);
    const want = await referenceEnsemble(spec, weights, im, 4);
    const eachCorrected = await denoiseEnsemble(im, 4, async (view) => referenceDenoise(spec, weights, view, 'f32', k));
    expect(maxRelDiff(want, eachCorrected)).toBeGreaterThan(0.01); // the order matters
    const ensemble = (localMean: boolean) => denoiseOnce(gpu, { spec, weights, precision: 'f32', localMean }, im, { ensemble: 4 });
    const got = await ensemble(true);
    const raw = await ensemble(false);
    // the uncorrected mean against the reference's (its network's float32 differences, F32_MAX), then its correction
    const uncorrected = await denoiseEnsemble(im, 4, async (view) => referenceDenoise(spec, weights, view, 'f32', k, false));
    expect(errorStats(raw, uncorrected).max).toBeLessThan(1e-4);
    expectCorrectionOf(got, raw, im.color, im.width, im.height, 'ensemble of 4');
    expect(errorStats(got, want).max).toBeLessThan(1e-3);
  });
});
