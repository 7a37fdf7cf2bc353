// The wavefront tracer (src/render/wavefront) against the megakernel (PathTracer): independent renders agree
// per region within the standard error of the difference (16 regions x 2 scenes, Sidak-corrected at an
// overall false-alarm rate of 1%); the same seed reproduces the megakernel's paths; wave splitting and the
// fused/per-bounce-submit variants do not change the image; a deep maxDepth ends via the liveness check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import type { FrameData } from '../../src/render/path-tracer.ts';
import { planWaves, waveCapacity } from '../../src/render/wavefront/wave-buffers.ts';
import { WavefrontTracer, type WavefrontOptions } from '../../src/render/wavefront/wavefront-tracer.ts';
import type { CompiledScene } from '../../src/scene/compile.ts';
import { compileBuiltin, regionStat, renderCompiled, sidakZ, type RegionStat } from '../support/render.ts';

let gpu: GpuContext;
const scenes: Record<string, CompiledScene> = {};
beforeAll(async () => {
  gpu = await createNodeGpuContext();
  for (const name of ['cornell-box', 'material-test']) scenes[name] = await compileBuiltin(name);
});
afterAll(() => gpu?.destroy());

async function renderWavefront(scene: CompiledScene, opts: WavefrontOptions & { spp: number; seed: number }): Promise<FrameData> {
  const wf = await WavefrontTracer.create(gpu, scene, opts);
  try {
    await wf.render({ spp: opts.spp, seed: opts.seed });
    return await wf.readFrame();
  } finally {
    wf.destroy();
  }
}

const SIZE = 32;
const GRID = 4;

describe('wavefront vs megakernel', () => {
  it('independent renders agree per region (cornell-box, material-test)', async () => {
    const names = Object.keys(scenes);
    const z = sidakZ(0.01, GRID * GRID * names.length);
    expect(z).toBeGreaterThan(3);
    const cell = SIZE / GRID;
    let worst = 0;
    for (const name of names) {
      const opts = { width: SIZE, height: SIZE, spp: 128, maxDepth: 8 };
      const wf = await renderWavefront(scenes[name], { ...opts, seed: 21 });
      const mk = await renderCompiled(gpu, scenes[name], { ...opts, seed: 22 });
      for (let gy = 0; gy < GRID; gy++) {
        for (let gx = 0; gx < GRID; gx++) {
          const r = [gx * cell, gy * cell, (gx + 1) * cell, (gy + 1) * cell] as const;
          const a = regionStat(wf, ...r);
          const b = regionStat(mk, ...r);
          const se = Math.hypot(a.se, b.se);
          expect(se).toBeGreaterThan(0);
          const dz = Math.abs(a.mean - b.mean) / se;
          worst = Math.max(worst, dz);
          expect(dz, `${name} region (${gx},${gy}) wavefront=${a.mean.toFixed(4)} megakernel=${b.mean.toFixed(4)} se=${se.toExponential(2)}`).toBeLessThan(z);
        }
      }
    }
    console.log(`wavefront vs megakernel: worst |z| = ${worst.toFixed(2)} (threshold ${z.toFixed(2)})`);
  });

  it('the same seed traces the same paths as the megakernel', async () => {
    const opts = { width: 24, height: 24, spp: 8, seed: 5 };
    const wf = await renderWavefront(scenes['material-test'], opts);
    const mk = await renderCompiled(gpu, scenes['material-test'], opts);
    // Same seeding, draw order and arithmetic: equal up to compiler contraction differences, which can flip a
    // rare branch (hence a fraction, not all pixels).
    let close = 0;
    for (let i = 0; i < wf.color.length; i++) {
      if (Math.abs(wf.color[i] - mk.color[i]) <= 1e-5 * Math.max(1, Math.abs(mk.color[i]))) close++;
    }
    expect(close / wf.color.length).toBeGreaterThan(0.99);
    expect(Array.from(wf.albedo)).toEqual(Array.from(mk.albedo));
  });

  it('wave splitting, fused extend and per-bounce submits leave the image unchanged', async () => {
    const base = { width: 20, height: 20, spp: 6, seed: 9 };
    const ref = await renderWavefront(scenes['cornell-box'], base);
    for (const variant of [{ waveSize: 150 }, { waveSize: 900 }, { fusedExtend: true, bouncesPerSubmit: 1 }] as const) {
      const f = await renderWavefront(scenes['cornell-box'], { ...base, ...variant });
      expect(f.spp).toBe(6);
      expect(Buffer.from(f.color.buffer).equals(Buffer.from(ref.color.buffer)), JSON.stringify(variant)).toBe(true);
      expect(Buffer.from(f.normal.buffer).equals(Buffer.from(ref.normal.buffer)), JSON.stringify(variant)).toBe(true);
    }
  });

  it('a deep maxDepth ends through Russian roulette and the liveness check', async () => {
    const opts = { width: 16, height: 16, spp: 16, seed: 4, maxDepth: 1000 };
    const wf = await WavefrontTracer.create(gpu, scenes['cornell-box'], opts);
    let a: RegionStat;
    try {
      await wf.render(opts);
      a = regionStat(await wf.readFrame(), 0, 0, 16, 16);
      // One wave; RR (survival <= albedo ~0.7 per bounce) ends all 256 paths long before bounce 1000.
      expect(wf.stats.waves).toBe(1);
      expect(wf.stats.bounces).toBeLessThan(200);
      expect(wf.stats.bounces % 16).toBe(0);
    } finally {
      wf.destroy();
    }
    const b = regionStat(await renderCompiled(gpu, scenes['cornell-box'], { ...opts, seed: 3 }), 0, 0, 16, 16);
    // One test at the 1% level.
    expect(Math.abs(a.mean - b.mean) / Math.hypot(a.se, b.se)).toBeLessThan(sidakZ(0.01, 1));
  });
});

describe('wavefront tracer API', () => {
  it('plans waves as whole samples when the image fits, else pixel chunks in sample order', () => {
    expect(waveCapacity(100, 350)).toBe(300);
    expect(planWaves(100, 4, 7, 300)).toEqual([
      { pixelBase: 0, pixelCount: 100, sampleBase: 4, samples: 3 },
      { pixelBase: 0, pixelCount: 100, sampleBase: 7, samples: 3 },
      { pixelBase: 0, pixelCount: 100, sampleBase: 10, samples: 1 },
    ]);
    expect(planWaves(100, 0, 2, 60)).toEqual([
      { pixelBase: 0, pixelCount: 60, sampleBase: 0, samples: 1 },
      { pixelBase: 60, pixelCount: 40, sampleBase: 0, samples: 1 },
      { pixelBase: 0, pixelCount: 60, sampleBase: 1, samples: 1 },
      { pixelBase: 60, pixelCount: 40, sampleBase: 1, samples: 1 },
    ]);
  });

  it('rejects bad options and use after destroy()', async () => {
    const scene = scenes['cornell-box'];
    await expect(WavefrontTracer.create(gpu, scene, { width: 0, height: 8 })).rejects.toThrow(RangeError);
    await expect(WavefrontTracer.create(gpu, scene, { width: 8, height: 8, waveSize: 0 })).rejects.toThrow(/waveSize/);
    await expect(WavefrontTracer.create(gpu, scene, { width: 8, height: 8, bouncesPerSubmit: 1.5 })).rejects.toThrow(/bouncesPerSubmit/);
    const wf = await WavefrontTracer.create(gpu, scene, { width: 8, height: 8 });
    await expect(wf.accumulate(0)).rejects.toThrow(/spp/);
    wf.destroy();
    await expect(wf.accumulate(1)).rejects.toThrow(/after destroy/);
  });
});
