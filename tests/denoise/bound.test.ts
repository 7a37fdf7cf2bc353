// The output bound: every output value is at most the largest input colour value of its channel within
// OUTPUT_BOUND_RADIUS pixels. The CPU reference defines it; the WGSL output pass (images, film, tiles, plain and
// demodulating specs) must agree. Saturating weights (output bias far above the transform's range) make the
// unbounded output ~1e6 everywhere, so the bounded output is exactly the window maximum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Denoiser } from '../../src/denoise/denoiser.ts';
import { referenceDenoise } from '../../src/denoise/reference.ts';
import type { NetworkSpec } from '../../src/denoise/spec.ts';
import { boundByInput, OUTPUT_BOUND_RADIUS, outputToLinear } from '../../src/denoise/transform.ts';
import type { NetworkWeights } from '../../src/denoise/weights.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { denoiseOnce, errorStats, filmFromImages, loadSpec, randomImages, testWeights } from './support.ts';

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
  it('caps each value at its channel\'s largest clean input value in the clamped (2r+1)^2 window', () => {
    expect(OUTPUT_BOUND_RADIUS).toBe(2);
    const width = 9, height = 5;
    const color = new Float32Array(width * height * 3);
    const at = (x: number, y: number, c: number) => (y * width + x) * 3 + c;
    color[at(0, 0, 0)] = 5; // corner: raises red within x <= 2, y <= 2
    color[at(8, 4, 1)] = NaN; // not a value: counts as 0
    color[at(7, 4, 1)] = Infinity;
    color[at(6, 4, 1)] = 0.5;
    color[at(4, 2, 2)] = -3; // negative: counts as 0
    const rgb = boundByInput(new Float32Array(width * height * 3).fill(100), color, width, height);
    expect(rgb[at(2, 2, 0)]).toBe(5);
    expect(rgb[at(3, 0, 0)]).toBe(0); // 3 pixels away: outside the window
    expect(rgb[at(0, 3, 0)]).toBe(0);
    expect(rgb[at(8, 4, 1)]).toBe(0.5); // Inf and NaN do not raise the bound; the 0.5 two pixels left does
    expect(rgb[at(3, 2, 1)]).toBe(0);
    expect(rgb[at(4, 2, 2)]).toBe(0);
    // values under the bound are untouched
    const below = boundByInput(new Float32Array(width * height * 3).fill(0.25), color, width, height);
    expect(below[at(1, 1, 0)]).toBe(0.25);
    expect(below[at(8, 0, 0)]).toBe(0);
  });

  it('takes the saturated inverse transform (~1e6) down to the input\'s local maximum', () => {
    expect(outputToLinear(2)).toBeGreaterThan(1e5);
    const im = randomImages(17, 11, 2);
    const out = referenceDenoise(fast, saturating(fast), im);
    const expected = boundByInput(new Float32Array(out.length).fill(Infinity), im.color, im.width, im.height);
    expect(out).toEqual(expected);
    expect(Math.max(...out)).toBeLessThanOrEqual(4);
  });
});

describe('output bound on the GPU', () => {
  let gpu: GpuContext;
  beforeAll(async () => {
    gpu = await createNodeGpuContext();
  });
  afterAll(() => gpu?.destroy());

  const run = (spec: NetworkSpec, weights: NetworkWeights, input: Parameters<Denoiser['denoise']>[0], tileSize?: number): Promise<Float32Array> =>
    denoiseOnce(gpu, { spec, weights, precision: 'f32', tileSize }, input);

  it('saturating weights give the window maximum from images, a film and tiles, plain and demodulating', async () => {
    const width = 150, height = 120, spp = 4;
    const im = randomImages(width, height, 8);
    const expected = boundByInput(new Float32Array(width * height * 3).fill(Infinity), im.color, width, height);
    const buffer = gpu.createBufferWithData('test film', filmFromImages(im, spp), GPUBufferUsage.STORAGE);
    try {
      const frame = { width, height, spp, film: buffer };
      for (const spec of [fast, demod]) {
        const w = saturating(spec);
        expect(referenceDenoise(spec, w, im)).toEqual(expected);
        expect(await run(spec, w, im)).toEqual(expected);
        expect(await run(spec, w, im, 112)).toEqual(expected); // tiles: windows at inner tile edges see the margin
        // the film holds sums: sum * (1 / spp) may differ from the image value in the last bit
        expect(errorStats(await run(spec, w, frame), expected).max).toBeLessThan(1e-6 * 4);
        expect(errorStats(await run(spec, w, frame, 112), expected).max).toBeLessThan(1e-6 * 4);
      }
    } finally {
      buffer.destroy();
    }
  });

  it('keeps a tile margin of at least the bound\'s radius when asked for none', async () => {
    const width = 150, height = 120;
    const im = randomImages(width, height, 9);
    const w = saturating(fast);
    const expected = boundByInput(new Float32Array(width * height * 3).fill(Infinity), im.color, width, height);
    expect(await denoiseOnce(gpu, { spec: fast, weights: w, precision: 'f32', tileSize: 64, tileMargin: 0 }, im)).toEqual(expected);
  });
});
