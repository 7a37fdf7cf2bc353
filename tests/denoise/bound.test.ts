// The output bound: every output value is at most the larger of the largest input colour value of its channel
// within OUTPUT_BOUND_RADIUS pixels and the channel's mean within OUTPUT_BOUND_MEAN_RADIUS pixels. The CPU
// reference defines it; the WGSL output pass (images, film, tiles, plain and demodulating specs) must agree (to the
// float32 rounding of its window sums). Saturating weights (output bias far above the transform's range) make the
// unbounded output ~1e6 everywhere, so the bounded output is the bound itself. The runtime's result is that after
// the local mean correction, which these GPU checks leave out (localMean: false): tests/denoise/local-mean.test.ts
// checks the correction of the runtime's own bounded output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Denoiser } from '../../src/denoise/denoiser.ts';
import { referenceDenoise } from '../../src/denoise/reference.ts';
import type { NetworkSpec } from '../../src/denoise/spec.ts';
import { boundByInput, correctLocalMean, OUTPUT_BOUND_MEAN_RADIUS, OUTPUT_BOUND_RADIUS, outputToLinear } from '../../src/denoise/transform.ts';
import type { NetworkWeights } from '../../src/denoise/weights.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { denoiseOnce, filmFromImages, loadSpec, randomImages, testWeights } from './support.ts';

const fast = loadSpec('n2n-fast');
const demod = loadSpec('n2n-fast-demod');

/** Weights whose output is past the top of the colour transform everywhere (radiance ~1e6 before the bound). */
function saturating(spec: NetworkSpec): NetworkWeights {
  const w = testWeights(spec, 21);
  w['out'].weight.fill(0);
  w['out'].bias.fill(2);
  return w;
}

describe('output bound (CPU reference)', () => {
  it('caps each value at the larger of its channel\'s largest clean input value nearby and its wider mean', () => {
    expect([OUTPUT_BOUND_RADIUS, OUTPUT_BOUND_MEAN_RADIUS]).toEqual([2, 8]);
    const width = 40, height = 24;
    const color = new Float32Array(width * height * 3);
    const at = (x: number, y: number, c: number) => (y * width + x) * 3 + c;
    color[at(0, 0, 0)] = 5; // corner: the maximum within x <= 2, y <= 2; the mean's window within x <= 8, y <= 8
    color[at(39, 23, 1)] = NaN; // not a value: counts as 0
    color[at(38, 23, 1)] = Infinity;
    color[at(37, 23, 1)] = 0.5;
    color[at(4, 2, 2)] = -3; // negative: counts as 0
    const rgb = boundByInput(new Float32Array(width * height * 3).fill(100), color, width, height);
    expect(rgb[at(2, 2, 0)]).toBe(5);
    // 3 pixels away: outside the maximum's window; the mean's window clipped to the image is x 0..11, y 0..8
    expect(rgb[at(3, 0, 0)]).toBe(Math.fround(5 / (12 * 9)));
    expect(rgb[at(8, 8, 0)]).toBe(Math.fround(5 / (17 * 17)));
    expect(rgb[at(9, 0, 0)]).toBe(0); // outside both windows
    expect(rgb[at(39, 23, 1)]).toBe(0.5); // Inf and NaN do not raise the bound; the 0.5 two pixels left does
    expect(rgb[at(34, 23, 1)]).toBe(Math.fround(0.5 / (14 * 9))); // three pixels left of it: only the mean
    expect(rgb[at(4, 2, 2)]).toBe(0);
    // values under the bound are untouched
    const below = boundByInput(new Float32Array(width * height * 3).fill(0.25), color, width, height);
    expect(below[at(1, 1, 0)]).toBe(0.25);
    expect(below[at(3, 0, 0)]).toBe(Math.fround(5 / 108));
    expect(below[at(20, 12, 0)]).toBe(0);
  });

  it('does not force a sparse input\'s unlit neighbourhoods to 0 (the wider mean bounds them)', () => {
    // a dim surface seen at a few spp: one pixel in 36 holds a lit sample (value 1), the rest none; the converged
    // value is ~1/36 everywhere. The nearest-maximum bound alone would make 5x5 windows without a lit pixel 0.
    const width = 48, height = 48;
    const color = new Float32Array(width * height * 3);
    for (let y = 3; y < height; y += 6) for (let x = 3; x < width; x += 6) color.fill(1, (y * width + x) * 3, (y * width + x) * 3 + 3);
    const rgb = boundByInput(new Float32Array(width * height * 3).fill(1 / 36), color, width, height);
    // (24, 24): the nearest lit pixels are 3 away in x and y, none in its 5x5 window; its 17x17 window holds 4 of them
    const x = 24, y = 24, i = (y * width + x) * 3;
    expect(rgb[i]).toBe(Math.fround(4 / 289));
    // and where a lit pixel is within 2 pixels the bound is that pixel's value (the output passes unchanged)
    expect(rgb[(22 * width + 22) * 3]).toBe(Math.fround(1 / 36));
  });

  it('takes the saturated inverse transform (~1e6) down to the input\'s local maximum', () => {
    expect(outputToLinear(2)).toBeGreaterThan(1e5);
    const im = randomImages(17, 11, 2);
    const out = referenceDenoise(fast, saturating(fast), im, 'f32', undefined, false);
    const expected = boundByInput(new Float32Array(out.length).fill(Infinity), im.color, im.width, im.height);
    expect(out).toEqual(expected);
    expect(Math.max(...out)).toBeLessThanOrEqual(4);
  });
});

/** Largest relative difference: the GPU sums the mean's window in float32 (up to 289 values), the reference in float64. */
function maxRelDiff(got: Float32Array, want: Float32Array): number {
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-6));
  return m;
}
/** Relative rounding error bound of the wider mean: a float32 sum of 289 non-negative values, times 1 / 289. */
const SUM_TOLERANCE = 290 * 2 ** -24;
const boundOf = (color: Float32Array, width: number, height: number): Float32Array =>
  boundByInput(new Float32Array(width * height * 3).fill(Infinity), color, width, height);

describe('output bound on the GPU', () => {
  let gpu: GpuContext;
  beforeAll(async () => {
    gpu = await createNodeGpuContext();
  });
  afterAll(() => gpu?.destroy());

  const run = (spec: NetworkSpec, weights: NetworkWeights, input: Parameters<Denoiser['denoise']>[0], tileSize?: number): Promise<Float32Array> =>
    denoiseOnce(gpu, { spec, weights, precision: 'f32', tileSize, localMean: false }, input);

  it('saturating weights give the window maximum from images, a film and tiles, plain and demodulating', async () => {
    const width = 150, height = 120, spp = 4;
    const im = randomImages(width, height, 8);
    const expected = boundOf(im.color, width, height);
    const buffer = gpu.createBufferWithData('test film', filmFromImages(im, spp), GPUBufferUsage.STORAGE);
    try {
      const frame = { width, height, spp, film: buffer };
      for (const spec of [fast, demod]) {
        const w = saturating(spec);
        expect(referenceDenoise(spec, w, im)).toEqual(correctLocalMean(expected.slice(), im.color, width, height));
        expect(maxRelDiff(await run(spec, w, im), expected)).toBeLessThan(SUM_TOLERANCE);
        expect(maxRelDiff(await run(spec, w, im, 112), expected)).toBeLessThan(SUM_TOLERANCE); // tiles: windows at inner tile edges see the margin
        // the film holds sums: sum * (1 / spp) may differ from the image value in the last bit
        expect(maxRelDiff(await run(spec, w, frame), expected)).toBeLessThan(SUM_TOLERANCE + 1e-6);
        expect(maxRelDiff(await run(spec, w, frame, 112), expected)).toBeLessThan(SUM_TOLERANCE + 1e-6);
      }
    } finally {
      buffer.destroy();
    }
  });

  it('keeps a tile margin of at least the bound\'s radius when asked for none', async () => {
    const width = 150, height = 120;
    const im = randomImages(width, height, 9);
    const w = saturating(fast);
    const expected = boundOf(im.color, width, height);
    expect(maxRelDiff(await denoiseOnce(gpu, { spec: fast, weights: w, precision: 'f32', tileSize: 64, tileMargin: 0, localMean: false }, im), expected)).toBeLessThan(SUM_TOLERANCE);
  });
});
