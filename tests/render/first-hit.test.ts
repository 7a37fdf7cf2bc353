// The first-hit emission a PathTracer accumulates beside its film (option firstHitEmission, integrator.wgsl
// `first_hit`): bitwise what a maxDepth 0 render of the same seed and samples holds, however the samples were
// split (passes, bands, restricted pixels), clamped like the radiance, cleared with the film; the film itself is
// unchanged by the option. Emission separation (src/render/emission.ts) relies on it in place of that render.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileProceduralScene } from '../../scenes/procedural.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { PathTracer, type PathTracerOptions } from '../../src/render/path-tracer.ts';
import type { CompiledScene } from '../../src/scene/compile.ts';
import { compileBuiltin, everyNthPixel, expectChosenOnly } from '../support/render.ts';

const W = 24;
const H = 20;

describe('PathTracer firstHitEmission', () => {
  let gpu: GpuContext;
  const scenes: Record<string, CompiledScene> = {};
  beforeAll(async () => {
    gpu = await createNodeGpuContext();
    scenes['cornell-box'] = await compileBuiltin('cornell-box'); // an area light in view
    scenes['material-test'] = await compileBuiltin('material-test'); // an area light and a sky map, glass and metal
    scenes['procedural-70000000'] = compileProceduralScene(70000000); // a sky map in view
  });
  afterAll(() => gpu?.destroy());

  async function withTracers<T>(scene: CompiledScene, opts: Partial<PathTracerOptions>, fn: (full: PathTracer, depth0: PathTracer) => Promise<T>): Promise<T> {
    const full = await PathTracer.create(gpu, scene, { width: W, height: H, maxDepth: 8, ...opts, firstHitEmission: true });
    const depth0 = await PathTracer.create(gpu, scene, { width: W, height: H, ...opts, maxDepth: 0 });
    try {
      return await fn(full, depth0);
    } finally {
      full.destroy();
      depth0.destroy();
    }
  }

  for (const name of ['cornell-box', 'material-test', 'procedural-70000000']) {
    it(`${name}: equals a depth-0 render of the same seed and samples, bit for bit; the film is the plain tracer's`, async () => {
      const scene = scenes[name];
      await withTracers(scene, {}, async (full, depth0) => {
        await full.render({ spp: 5, seed: 77 });
        const frame = await full.readFrame();
        await depth0.render({ spp: 5, seed: 77 });
        const want = await depth0.readColor();
        expect(frame.firstHitEmission).toEqual(want);
        expect(await full.readFirstHitEmission()).toEqual(want);
        // something was seen (else the check is empty), and less than everything: the first hit is part of a path
        const lit = want.filter((v) => v > 0).length;
        expect(lit).toBeGreaterThan(0);
        let below = 0;
        for (let i = 0; i < want.length; i++) if (frame.color[i] > want[i] * (1 + 1e-5)) below++;
        expect(below).toBeGreaterThan(want.length / 4);
        // the option does not change the film
        const plain = await PathTracer.create(gpu, scene, { width: W, height: H, maxDepth: 8 });
        try {
          await plain.render({ spp: 5, seed: 77 });
          const p = await plain.readFrame();
          expect(p.firstHitEmission).toBeUndefined();
          expect([p.color, p.variance, p.albedo, p.normal, p.depth]).toEqual([frame.color, frame.variance, frame.albedo, frame.normal, frame.depth]);
        } finally {
          plain.destroy();
        }
        // another seed's emission differs (the comparison above is not of two constant images)
        await depth0.render({ spp: 5, seed: 78 });
        expect(await depth0.readColor()).not.toEqual(want);
      });
    });
  }

  it('however the samples are split: passes, bands of rows, continued renders; reset clears it', async () => {
    await withTracers(scenes['cornell-box'], { pathsPerSubmit: W * H }, async (full, depth0) => {
      full.reset(9);
      await full.accumulate(2); // one sample per submission
      await full.accumulateRows(0, 7, 1);
      // mid-band rows 0-6 hold a sample more than the others, each pixel decoded by its own count as the film is
      const partial = await full.readFrame();
      await full.accumulateRows(7, H - 7, 1);
      full.commitSamples(1);
      await depth0.render({ spp: 2, seed: 9 });
      const two = await depth0.readColor();
      await depth0.accumulate(1);
      const three = await depth0.readColor();
      const split = 7 * W * 3;
      expect(partial.firstHitEmission!.subarray(0, split)).toEqual(three.subarray(0, split));
      expect(partial.firstHitEmission!.subarray(split)).toEqual(two.subarray(split));
      expect(two).not.toEqual(three);
      expect(await full.readFirstHitEmission()).toEqual(three);
      await full.accumulate(2);
      await depth0.accumulate(2);
      expect(await full.readFirstHitEmission()).toEqual(await depth0.readColor());
      full.reset(9, 3); // a continuation from sample 3: what the last 2 samples of a 5-sample render add
      await full.accumulate(2);
      depth0.reset(9, 3);
      await depth0.accumulate(2);
      expect(await full.readFirstHitEmission()).toEqual(await depth0.readColor());
      full.reset(4);
      expect(await full.readFirstHitEmission()).toEqual(new Float32Array(W * H * 3));
    });
  });

  it('restricted to some pixels: those as in a full render, the others zero', async () => {
    await withTracers(scenes['cornell-box'], {}, async (full, depth0) => {
      await depth0.render({ spp: 2, seed: 5 });
      const all = await depth0.readColor();
      const chosen = everyNthPixel(W, H, 3);
      full.reset(5);
      full.restrictTo(chosen);
      await full.accumulate(2);
      expectChosenOnly(await full.readFirstHitEmission(), all, chosen);
    });
  });

  it('renderWindow: a window alone is the window of the whole render, value for value, emission included', async () => {
    await withTracers(scenes['material-test'], {}, async (full) => {
      await full.render({ spp: 3, seed: 9 });
      const whole = await full.readFrame();
      const [x0, y0, w, h] = [5, 3, 11, 9];
      const win = await full.renderWindow(x0, y0, w, h, 3, 9);
      expect([win.width, win.height, win.spp]).toEqual([w, h, 3]);
      const crop = (v: Float32Array) => {
        const out = new Float32Array(w * h * 3);
        for (let y = 0; y < h; y++) out.set(v.subarray(((y0 + y) * W + x0) * 3, ((y0 + y) * W + x0 + w) * 3), y * w * 3);
        return out;
      };
      for (const k of ['color', 'albedo', 'normal', 'variance', 'firstHitEmission'] as const) {
        expect(Array.from(win[k] as Float32Array), k).toEqual(Array.from(crop(whole[k] as Float32Array)));
      }
      expect(win.color.some((v) => v > 0)).toBe(true);
      await expect(full.renderWindow(20, 0, 5, 4, 1)).rejects.toThrow(/renderWindow: 5x4 at \(20, 0\) is not a window of the 24x20 view/);
      await expect(full.renderWindow(0, 0, 0, 4, 1)).rejects.toThrow(/not a window/);
    });
  });

  it('a clamped render clamps it like its radiance: the depth-0 render with the same clamp, never above the frame', async () => {
    // the Cornell box light's radiance is (17, 12, 4): a clamp of 5 cuts two of its channels
    await withTracers(scenes['cornell-box'], { clamp: 5 }, async (full, depth0) => {
      await full.render({ spp: 3, seed: 2 });
      const frame = await full.readFrame();
      await depth0.render({ spp: 3, seed: 2 });
      const want = await depth0.readColor();
      expect(frame.firstHitEmission).toEqual(want);
      expect(Math.max(...want)).toBe(5);
      for (let i = 0; i < want.length; i++) expect(frame.color[i]).toBeGreaterThanOrEqual(want[i] * (1 - 1e-6));
    });
  });
});
