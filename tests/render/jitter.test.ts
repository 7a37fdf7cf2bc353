// PathTracer's `jitter: 'sobol'` (per-pixel Owen-scrambled Sobol camera jitter, path.wgsl pixel_jitter), on the
// Cornell box's directly seen emission (maxDepth 0: a pixel's value is the light's radiance times the fraction of its
// rays that hit the light, so all the error is at the light's edge). Against a 16,384-ray reference:
// - 16 Sobol rays have well under half the squared error that 16 uniform rays have in expectation (the reference's
//   per-pixel variance / 16: a known number, unlike one uniform render's error, which swings 2x from seed to seed);
// - unbiased: 64 Sobol renders of 16 rays (independent scrambles) sum to the reference's image sum within 4 standard
//   deviations, taking the uniform variance as a bound on Sobol's;
// - the wavefront tracer jitters the same way as the megakernel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { PathTracer, type FrameData } from '../../src/render/path-tracer.ts';
import { WavefrontTracer } from '../../src/render/wavefront/wavefront-tracer.ts';
import type { CompiledScene } from '../../src/scene/compile.ts';
import { compileBuiltin, renderCompiled } from '../support/render.ts';

const SIZE = 32;
const RAYS = 16;
let gpu: GpuContext;
let scene: CompiledScene;
let sobol: PathTracer;
let ref: FrameData;

beforeAll(async () => {
  gpu = await createNodeGpuContext();
  scene = await compileBuiltin('cornell-box');
  ref = await renderCompiled(gpu, scene, { width: SIZE, height: SIZE, maxDepth: 0, spp: 16384, seed: 99 });
  sobol = await PathTracer.create(gpu, scene, { width: SIZE, height: SIZE, maxDepth: 0, jitter: 'sobol' });
});
afterAll(() => {
  sobol?.destroy();
  gpu?.destroy();
});

async function renderSobol(seed: number): Promise<Float32Array> {
  await sobol.render({ spp: RAYS, seed });
  return (await sobol.readFrame()).color;
}

describe("PathTracer jitter: 'sobol'", () => {
  it('16 rays: under half the squared error 16 uniform rays have in expectation, at the light\'s edge', async () => {
    const uniformExpected = ref.variance.reduce((a, v) => a + v, 0) / RAYS;
    expect(uniformExpected).toBeGreaterThan(1); // the light's edge is in view
    let sobolErr = 0;
    const seeds = [1, 2, 3, 4];
    for (const seed of seeds) {
      const c = await renderSobol(seed);
      for (let i = 0; i < c.length; i++) sobolErr += (c[i] - ref.color[i]) ** 2;
    }
    expect(sobolErr / seeds.length).toBeLessThan(0.5 * uniformExpected);
  });

  it('is unbiased: the mean of 64 scrambles sums to the reference within 4 standard deviations', async () => {
    const renders = 64;
    let diff = 0;
    for (let r = 0; r < renders; r++) {
      const c = await renderSobol(1000 + r);
      for (let i = 0; i < c.length; i++) diff += (c[i] - ref.color[i]) / renders;
    }
    const varSum = ref.variance.reduce((a, v) => a + v, 0);
    const sd = Math.sqrt(varSum / (renders * RAYS) + varSum / ref.spp);
    expect(Math.abs(diff)).toBeLessThan(4 * sd);
  });

  it('the same seed gives the same image; the wavefront tracer jitters the same way', async () => {
    const a = await renderSobol(7);
    expect(await renderSobol(7)).toEqual(a);
    const wf = await WavefrontTracer.create(gpu, scene, { width: SIZE, height: SIZE, maxDepth: 0, jitter: 'sobol' });
    try {
      await wf.render({ spp: RAYS, seed: 7 });
      const w = (await wf.readFrame()).color;
      let close = 0;
      for (let i = 0; i < a.length; i++) if (Math.abs(w[i] - a[i]) <= 1e-5 * Math.max(1, Math.abs(a[i]))) close++;
      expect(close / a.length).toBeGreaterThan(0.99);
    } finally {
      wf.destroy();
    }
    const uniform = await renderCompiled(gpu, scene, { width: SIZE, height: SIZE, maxDepth: 0, spp: RAYS, seed: 7 });
    expect(uniform.color).not.toEqual(a);
  });

  it('rejects an unknown pattern', async () => {
    // @ts-expect-error: not a JitterPattern
    await expect(PathTracer.create(gpu, scene, { width: 8, height: 8, jitter: 'halton' })).rejects.toThrow(/jitter must be one of uniform, sobol, got 'halton'/);
    // @ts-expect-error: not a JitterPattern
    await expect(WavefrontTracer.create(gpu, scene, { width: 8, height: 8, jitter: 'grid' })).rejects.toThrow(/jitter must be one of/);
  });
});
