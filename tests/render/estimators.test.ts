// Estimator consistency: NEE-only, BSDF-only and MIS renders of the Cornell box converge to the same image,
// so their region means agree within the standard error of the difference. With 16 regions x 3 pairs the
// threshold is Sidak-corrected (overall false-alarm rate 1%), which is a little over 3 standard errors.
// Also: determinism (same seed -> identical bits) and seed independence (different seeds -> uncorrelated noise).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { EstimatorMode } from '../../src/render/layout.ts';
import type { FrameData } from '../../src/render/path-tracer.ts';
import type { CompiledScene } from '../../src/scene/compile.ts';
import { compileBuiltin, regionStat, renderCompiled, sidakZ } from '../support/render.ts';

let gpu: GpuContext;
let cornell: CompiledScene;
beforeAll(async () => {
  gpu = await createNodeGpuContext();
  cornell = await compileBuiltin('cornell-box');
});
afterAll(() => gpu?.destroy());

const SIZE = 32;
const GRID = 4;

describe('estimator consistency (Cornell box)', () => {
  it('NEE-only, BSDF-only and MIS agree per region', async () => {
    const frames: Record<string, FrameData> = {};
    for (const [name, mode, spp] of [
      ['mis', EstimatorMode.MIS, 256],
      ['nee', EstimatorMode.NEE, 256],
      ['bsdf', EstimatorMode.BSDF, 1024], // noisier: the light is small
    ] as const) {
      frames[name] = await renderCompiled(gpu, cornell, { width: SIZE, height: SIZE, spp, seed: 11, mode, maxDepth: 5 });
    }
    const pairs = [['mis', 'nee'], ['mis', 'bsdf'], ['nee', 'bsdf']] as const;
    const z = sidakZ(0.01, GRID * GRID * pairs.length);
    expect(z).toBeGreaterThan(3);
    const cell = SIZE / GRID;
    let worst = 0;
    for (let gy = 0; gy < GRID; gy++) {
      for (let gx = 0; gx < GRID; gx++) {
        for (const [a, b] of pairs) {
          const sa = regionStat(frames[a], gx * cell, gy * cell, (gx + 1) * cell, (gy + 1) * cell);
          const sb = regionStat(frames[b], gx * cell, gy * cell, (gx + 1) * cell, (gy + 1) * cell);
          const se = Math.hypot(sa.se, sb.se);
          expect(se).toBeGreaterThan(0);
          const dz = Math.abs(sa.mean - sb.mean) / se;
          worst = Math.max(worst, dz);
          expect(dz, `region (${gx},${gy}) ${a}=${sa.mean.toFixed(4)} ${b}=${sb.mean.toFixed(4)} se=${se.toExponential(2)}`).toBeLessThan(z);
        }
      }
    }
    console.log(`estimator consistency: worst |z| = ${worst.toFixed(2)} (threshold ${z.toFixed(2)})`);
  });

  it('MIS has lower variance than either strategy alone on the lit walls', async () => {
    const v = async (mode: EstimatorMode) => {
      const f = await renderCompiled(gpu, cornell, { width: 16, height: 16, spp: 64, seed: 3, mode, maxDepth: 5 });
      return f.variance.reduce((s, x) => s + x, 0);
    };
    const [mis, nee, bsdf] = [await v(EstimatorMode.MIS), await v(EstimatorMode.NEE), await v(EstimatorMode.BSDF)];
    expect(mis).toBeLessThan(bsdf);
    expect(mis).toBeLessThan(nee * 1.05);
  });
});

describe('determinism and seed independence', () => {
  it('the same seed and spp give bit-identical images, whatever the pass split', async () => {
    const a = await renderCompiled(gpu, cornell, { width: 24, height: 24, spp: 16, seed: 5 });
    const b = await renderCompiled(gpu, cornell, { width: 24, height: 24, spp: 16, seed: 5, pathsPerSubmit: 24 * 24 * 3 });
    expect(Buffer.from(a.color.buffer).equals(Buffer.from(b.color.buffer))).toBe(true);
    expect(Buffer.from(a.albedo.buffer).equals(Buffer.from(b.albedo.buffer))).toBe(true);
  });

  it('a render continued from sample N adds the same samples a longer render would', async () => {
    const { PathTracer } = await import('../../src/render/path-tracer.ts');
    const pt = await PathTracer.create(gpu, cornell, { width: 16, height: 16 });
    try {
      await pt.render({ spp: 8, seed: 3 });
      const whole = await pt.readFrame();
      pt.reset(3, 0);
      await pt.accumulate(5);
      const head = await pt.readFrame();
      pt.reset(3, 5);
      await pt.accumulate(3);
      const tail = await pt.readFrame();
      for (let i = 0; i < whole.color.length; i++) {
        const merged = (head.color[i] * 5 + tail.color[i] * 3) / 8;
        expect(Math.abs(merged - whole.color[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, whole.color[i]));
      }
    } finally {
      pt.destroy();
    }
  });

  it('different seeds give independent noise (uncorrelated residuals)', async () => {
    const spp = 4;
    const a = await renderCompiled(gpu, cornell, { width: 32, height: 32, spp, seed: 1 });
    const b = await renderCompiled(gpu, cornell, { width: 32, height: 32, spp, seed: 2 });
    // Residuals against two further independent high-spp estimates (so they share no noise), standardised
    // per pixel; their correlation over n pixels is ~N(0, 1/n) when a and b are independent (n ~ 3072).
    const ref = await renderCompiled(gpu, cornell, { width: 32, height: 32, spp: 128, seed: 99 });
    const ref2 = await renderCompiled(gpu, cornell, { width: 32, height: 32, spp: 128, seed: 100 });
    const ra: number[] = [];
    const rb: number[] = [];
    for (let i = 0; i < a.color.length; i++) {
      const sd = Math.sqrt(ref.variance[i] / spp);
      if (!(sd > 0)) continue;
      ra.push((a.color[i] - ref.color[i]) / sd);
      rb.push((b.color[i] - ref2.color[i]) / sd);
    }
    const n = ra.length;
    const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
    const ma = mean(ra), mb = mean(rb);
    let sab = 0, saa = 0, sbb = 0;
    for (let i = 0; i < n; i++) {
      sab += (ra[i] - ma) * (rb[i] - mb);
      saa += (ra[i] - ma) ** 2;
      sbb += (rb[i] - mb) ** 2;
    }
    const r = sab / Math.sqrt(saa * sbb);
    expect(n).toBeGreaterThan(1000);
    // 4 standard deviations of the null distribution; identical seeds would give r = 1.
    expect(Math.abs(r)).toBeLessThan(4 / Math.sqrt(n));
    expect(Buffer.from(a.color.buffer).equals(Buffer.from(b.color.buffer))).toBe(false);
  });
});
