// Misuse of the PathTracer's public API: overlapping calls, use during and after destroy(), bad options. Each gets an
// error naming what is wrong, never a WebGPU validation message, a hang or a silently wrong frame.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { IntegratorPipeline, PathTracer } from '../../src/render/path-tracer.ts';
import type { CompiledScene } from '../../src/scene/compile.ts';
import { compileBuiltin } from '../support/render.ts';

let gpu: GpuContext;
let scene: CompiledScene;
let pipeline: IntegratorPipeline;
beforeAll(async () => {
  gpu = await createNodeGpuContext();
  scene = await compileBuiltin('cornell-box');
  pipeline = await IntegratorPipeline.create(gpu);
}, 60_000);
afterAll(() => gpu?.destroy());

const create = (o: Partial<Parameters<typeof PathTracer.create>[2]> = {}) => PathTracer.create(gpu, scene, { width: 16, height: 16, pipeline, ...o });

describe('PathTracer misuse', () => {
  it('refuses a second render while one runs (they would mix seeds and sample counts), and the first stays right', async () => {
    const pt = await create();
    try {
      await pt.render({ spp: 2, seed: 1 });
      const alone = await pt.readFrame();
      const first = pt.render({ spp: 2, seed: 1 });
      await expect(pt.render({ spp: 2, seed: 2 })).rejects.toThrow(/PathTracer\.render: a render call is still running/);
      expect(() => pt.reset(3)).toThrow(/PathTracer\.reset: a render call is still running/);
      await expect(pt.accumulate(1)).rejects.toThrow(/still running/);
      expect((await first).spp).toBe(2);
      const f = await pt.readFrame();
      expect([f.spp, f.color]).toEqual([2, alone.color]);
    } finally {
      pt.destroy();
    }
  });
  it('a render in flight when destroy() is called rejects saying so; later calls too; destroy twice is a no-op', async () => {
    for (const pathsPerSubmit of [1 << 20, 256]) { // one pass, and several
      const pt = await create({ pathsPerSubmit });
      const p = pt.render({ spp: 3 });
      pt.destroy();
      await expect(p).rejects.toThrow(/PathTracer used after destroy\(\)/);
      pt.destroy();
      expect(() => pt.frame()).toThrow(/PathTracer used after destroy\(\)/);
      await expect(pt.readFrame()).rejects.toThrow(/PathTracer used after destroy\(\)/);
    }
    expect(() => gpu.check()).not.toThrow();
  });
  it('rejects bad options at create, and a bad spp before clearing the film', async () => {
    await expect(create({ maxDepth: -1 })).rejects.toThrow(/maxDepth must be an integer of at least 0, got -1/);
    await expect(create({ rrDepth: NaN })).rejects.toThrow(/rrDepth must be an integer/);
    await expect(create({ clamp: NaN })).rejects.toThrow(/clamp must be a finite number/);
    await expect(create({ pathsPerSubmit: 0 })).rejects.toThrow(/pathsPerSubmit must be an integer of at least 1/);
    await expect(create({ mode: 7 as never })).rejects.toThrow(/mode must be one of the EstimatorMode values/);
    const pt = await create();
    try {
      await pt.render({ spp: 1, seed: 5 });
      const before = await pt.readFrame();
      await expect(pt.render({ spp: 0, seed: 6 })).rejects.toThrow(/spp must be a positive integer, got 0/);
      await expect(pt.renderWindow(0, 0, 2, 2, 1.5)).rejects.toThrow(/spp must be a positive integer, got 1.5/);
      const after = await pt.readFrame();
      expect([after.spp, after.color]).toEqual([1, before.color]);
    } finally {
      pt.destroy();
    }
  });
});
