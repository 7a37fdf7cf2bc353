// Reference-image test (Mitsuba 3 style): a fresh render of the Cornell box passes when at least 99.75% of
// its pixel channels pass a per-pixel Z-test (Sidak-corrected, alpha 0.01) against the stored mean+variance.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { zTest, type MeanVariance } from '../../src/harness/ztest.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { readImageFile } from '../../src/node/image-files.ts';
import type { FrameData } from '../../src/render/path-tracer.ts';
import type { CompiledScene } from '../../src/scene/compile.ts';
import { compileBuiltin, renderCompiled } from '../support/render.ts';
import { CORNELL_REFERENCE } from './reference-config.ts';

let gpu: GpuContext;
let cornell: CompiledScene;
let ref: MeanVariance;
const fixtures = new URL('../fixtures/', import.meta.url).pathname;

beforeAll(async () => {
  gpu = await createNodeGpuContext();
  cornell = await compileBuiltin('cornell-box');
  const meta = JSON.parse(await readFile(`${fixtures}cornell-64.json`, 'utf8')) as { spp: number };
  const mean = await readImageFile(`${fixtures}cornell-64-mean.exr`);
  const variance = await readImageFile(`${fixtures}cornell-64-variance.exr`);
  ref = { width: mean.width, height: mean.height, spp: meta.spp, mean: mean.data, variance: variance.data };
});
afterAll(() => gpu?.destroy());

const asMV = (f: FrameData): MeanVariance => ({ width: f.width, height: f.height, spp: f.spp, mean: f.color, variance: f.variance });

describe('Cornell box reference image', () => {
  const { size, maxDepth } = CORNELL_REFERENCE;
  it('a fresh render with an independent seed passes the per-pixel Z-test', async () => {
    // 512 spp: with fewer samples, the skewed per-pixel distributions (rare bright paths) make both the mean
    // and the variance estimate low together, and a few tenths of a percent of pixels fail one-sidedly.
    const f = await renderCompiled(gpu, cornell, { width: size, height: size, spp: 512, seed: 2024, maxDepth });
    const r = zTest(asMV(f), ref);
    console.log(`reference Z-test: ${(r.passFraction * 100).toFixed(2)}% of ${r.tested} pass (|z| < ${r.threshold.toFixed(2)})`);
    expect(r.ok).toBe(true);
  });

  it('the test has power: a render with fewer bounces fails it', async () => {
    const f = await renderCompiled(gpu, cornell, { width: size, height: size, spp: 128, seed: 2024, maxDepth: 2 });
    expect(zTest(asMV(f), ref).ok).toBe(false);
  });
});
