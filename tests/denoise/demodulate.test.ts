// Albedo demodulation (specs with `demodulate`): the network sees colour / d and its output is multiplied back by
// d = max(albedo clamped to [0, 1], 0.01). The CPU reference defines it; the WGSL runtime (images, film, tiles), the
// gpu.js fallback, the trainer's inference and the training batches must agree with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Denoiser } from '../../src/denoise/denoiser.ts';
import type { DenoiseImages } from '../../src/denoise/images.ts';
import { demodulated, forward, linearOutput, preprocess, referenceDenoise, remodulate } from '../../src/denoise/reference.ts';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { parseSpec, specHash, type NetworkSpec } from '../../src/denoise/spec.ts';
import { boundByInput, correctLocalMean, DEMOD_EPSILON, demodFactor, prepColor } from '../../src/denoise/transform.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { makePair, sampleBatch } from '../../src/train/data.ts';
import { mulberry32 } from '../support/random.ts';
import { denoiseOnce, errorStats, filmFromImages, loadSpec, randomImages, testWeights, otherBackendErrors } from './support.ts';

const fast = loadSpec('n2n-fast');
const demod = loadSpec('n2n-fast-demod');
// the shipped specs without their autoexposure (tests/denoise/exposure.test.ts covers it): demodulation alone
const plainFast: NetworkSpec = { ...fast, autoexposure: undefined };
const plainDemod: NetworkSpec = { ...demod, autoexposure: undefined };
const weights = testWeights(fast, 9); // same tensors for both specs
/** As in denoiser.test.ts: float32 sums of up to 1296 terms against float64 (tone-mapped domain). */
const F32_MAX = 1e-4;

/** Images whose albedo includes the cases the factor must handle: black, over 1, NaN. */
function images(width: number, height: number, seed: number): DenoiseImages {
  const im = randomImages(width, height, seed);
  im.albedo![0] = 0;
  im.albedo![4] = 1.5;
  im.albedo![8] = NaN;
  return im;
}

describe('demodulation: spec and reference', () => {
  it('is an optional spec field that needs the albedo input and changes the hash only when set', () => {
    expect(demod.demodulate).toBe(true);
    expect(fast.demodulate).toBeUndefined();
    expect(builtinSpec('n2n-fast-demod')).toEqual(demod);
    expect(specHash(demod)).not.toBe(specHash(fast));
    const plain = { ...JSON.parse(JSON.stringify(fast)), demodulate: false };
    expect(specHash(parseSpec(plain))).toBe(specHash(fast));
    expect(() => parseSpec({ ...plain, demodulate: 'yes' }, 'x.json')).toThrow(/x\.json: demodulate must be true or false/);
    expect(() => parseSpec({ ...plain, inputs: ['color', 'normal'], demodulate: true }, 'x.json')).toThrow(/demodulate needs "albedo"/);
  });

  it('factor: albedo clamped to [0, 1] with a floor of DEMOD_EPSILON; NaN counts as black', () => {
    expect([0, 0.005, 0.5, 1, 1.5, NaN, -1].map(demodFactor)).toEqual([DEMOD_EPSILON, DEMOD_EPSILON, 0.5, 1, 1, DEMOD_EPSILON, DEMOD_EPSILON]);
  });

  it('the demodulating network is the plain network on colour / d, multiplied back by d (then bounded and corrected by the colour)', () => {
    const im = images(21, 11, 3);
    const direct = referenceDenoise(plainDemod, weights, im);
    const d = im.albedo!.map(demodFactor);
    const unbounded = (spec: NetworkSpec, x: DenoiseImages): Float32Array => linearOutput(forward(spec, weights, preprocess(spec, x)), x.width, x.height);
    const bounded = boundByInput(remodulate(unbounded(plainFast, { ...im, color: demodulated(im.color, im.albedo!) }), im.albedo!), im.color, im.width, im.height);
    const viaPlain = correctLocalMean(bounded, im.color, im.width, im.height);
    expect(direct).toEqual(viaPlain);
    // and it is not the plain network: the factor really applies (values < 1 scale the output down)
    const plain = referenceDenoise(plainFast, weights, im);
    let differs = 0;
    for (let i = 0; i < d.length; i++) if (d[i] < 0.9 && Math.abs(direct[i] - plain[i]) > 1e-3 * (1 + plain[i])) differs++;
    expect(differs).toBeGreaterThan(d.length / 4);
  });
});

describe('demodulation: training batches', () => {
  it('inputs and targets are the colours divided by the first render\'s factor; specs must agree', () => {
    const w = 8, h = 8, n = w * h * 3;
    const rand = mulberry32(4);
    const [a, b, albedo, normal] = [0, 1, 2, 3].map(() => new Float32Array(n).map(() => rand()));
    albedo[0] = 0;
    const pair = makePair('p', w, h, 4, a, b, albedo, normal, true, { demodulate: true });
    expect(pair.demodulated).toBe(true);
    for (const i of [0, 1, 17]) {
      const plane = (i % 3) * w * h + Math.floor(i / 3); // the pair's prepared arrays are planes
      expect(pair.targetB[plane]).toBeCloseTo(b[i] / demodFactor(albedo[i]), 6);
      expect(pair.prepA[plane]).toBeCloseTo(prepColor(a[i] / demodFactor(albedo[i])), 6);
    }
    // clean pair, crop = whole image: transform t is drawn per crop, so check the target's sum (transform-invariant)
    const batch = sampleBatch(plainDemod, [pair], 1, 8, mulberry32(1));
    const sum = (x: Float32Array) => x.reduce((s, v) => s + v, 0);
    expect(sum(batch.target)).toBeCloseTo(sum(pair.targetB), 2);
    expect(() => sampleBatch(plainFast, [pair], 1, 8, mulberry32(1))).toThrow(/prepared with demodulation, spec 'n2n-fast' does not/);
    const plainPair = makePair('q', w, h, 4, a, b, albedo, normal, true);
    // without demodulation the target is the render as is (as planes)
    expect(plainPair.targetB.every((v, j) => v === b[(j % (w * h)) * 3 + Math.floor(j / (w * h))])).toBe(true);
    expect(() => sampleBatch(plainDemod, [plainPair], 1, 8, mulberry32(1))).toThrow(/prepared without demodulation, spec 'n2n-fast-demod' demodulates/);
  });
});

describe('demodulation on the GPU and in gpu.js', () => {
  let gpu: GpuContext;
  beforeAll(async () => {
    gpu = await createNodeGpuContext();
  });
  afterAll(() => gpu?.destroy());

  const run = (spec: NetworkSpec, input: Parameters<Denoiser['denoise']>[0], tileSize?: number): Promise<Float32Array> =>
    denoiseOnce(gpu, { spec, weights, precision: 'f32', tileSize }, input);

  it('the runtime matches the reference from images, from a film, and in tiles', async () => {
    const width = 150, height = 120, spp = 4;
    const im = images(width, height, 5);
    const ref = referenceDenoise(demod, weights, im);
    const fromImages = await run(demod, im);
    const e = errorStats(fromImages, ref);
    expect(e.refStd).toBeGreaterThan(0.05);
    expect(e.max).toBeLessThan(F32_MAX);
    expect(errorStats(await run(fast, im), ref).max).toBeGreaterThan(0.01); // the plain spec is measurably different
    expect(await run(demod, im, 112)).toEqual(fromImages); // tiles: the albedo is read at each tile's offset
    const buffer = gpu.createBufferWithData('test film', filmFromImages(im, spp), GPUBufferUsage.STORAGE);
    try {
      const frame = { width, height, spp, film: buffer };
      // the film's autoexposure k comes from the GPU's float32 passes, the images' from the CPU: equal to rounding
      expect(errorStats(await run(demod, frame), fromImages).max).toBeLessThan(F32_MAX / 10);
      expect(errorStats(await run(demod, frame, 112), fromImages).max).toBeLessThan(F32_MAX / 10);
      expect(await run(plainDemod, frame)).toEqual(await run(plainDemod, im));
    } finally {
      buffer.destroy();
    }
  });

  it('the trainer\'s inference and the gpu.js fallback match the reference', async () => {
    const e = await otherBackendErrors(gpu, demod, weights, images(13, 9, 6));
    expect(e.trainer).toBeLessThan(F32_MAX);
    expect(e.gpujs).toBeLessThan(F32_MAX);
  });
});
