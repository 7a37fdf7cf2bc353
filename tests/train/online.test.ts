// Online per-scene training: it trains while rendering (loss finite, steps counted, the pair pool bounded), its
// denoise uses the current weights exactly as the runtime denoiser would (checked against Denoiser.setWeights),
// and a few dozen steps from a random start already bring the output closer to the reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Denoiser } from '../../src/denoise/denoiser.ts';
import { builtinSpec } from '../../src/denoise/specs.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { psnr } from '../../src/metrics/index.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { PathTracer, type FrameData } from '../../src/render/path-tracer.ts';
import { renderPair } from '../../src/train/data.ts';
import type { CompiledScene } from '../../src/scene/compile.ts';
import { OnlineTrainer } from '../../src/train/online.ts';
import { NetworkTrainer } from '../../src/train/trainer.ts';
import { compileBuiltin, renderCompiled } from '../support/render.ts';

// Without the shipped autoexposure: from random initialisation these 36 steps gain 3.6 dB on the dim Cornell box
// as the network sees it, 2.3 dB once its input is scaled up ~5x (measured; the online trainer starts from shipped
// weights in use). Autoexposure in training pairs and inference is tested in tests/denoise/exposure.test.ts.
const spec = { ...builtinSpec('n2n-fast'), autoexposure: undefined };
let gpu: GpuContext;
let scene: CompiledScene;
let noisy: FrameData;
let reference: FrameData;

beforeAll(async () => {
  gpu = await createNodeGpuContext();
  scene = await compileBuiltin('cornell-box');
  noisy = await renderCompiled(gpu, scene, { width: 36, height: 28, spp: 4, seed: 99 });
  reference = await renderCompiled(gpu, scene, { width: 36, height: 28, spp: 512, seed: 1234 });
}, 60_000);
afterAll(() => gpu?.destroy());

const img = (f: { width: number; height: number }, data: Float32Array) => ({ width: f.width, height: f.height, channels: 3 as const, data });

/** Runs `run`, counting the queue submissions it makes. */
async function submissionsOf<T>(run: () => Promise<T>): Promise<{ value: T; submissions: number }> {
  const q = gpu.device.queue;
  const submit = q.submit.bind(q);
  let submissions = 0;
  q.submit = (buffers: Iterable<GPUCommandBuffer>) => {
    submissions++;
    submit(buffers);
  };
  try {
    const value = await run();
    return { value, submissions };
  } finally {
    q.submit = submit;
  }
}

describe('online training', () => {
  it('trains while rendering and denoises with the current weights', async () => {
    const online = await OnlineTrainer.create(gpu, scene, { spec, width: 36, height: 28, crop: 16, batch: 4, stepsPerFrame: 3, keepPairs: 2, learningRate: 3e-3, sppPerRender: 2 });
    const denoiser = await Denoiser.create(gpu, { spec, precision: 'f32' });
    try {
      const before = psnr(img(noisy, await online.denoise(noisy)), img(reference, reference.color));
      let r = { step: 0, loss: NaN, pairs: 0, rendered: false, steps: 0, stepMs: 0, pairMs: 0 };
      for (let i = 0; i < 10; i++) r = await online.trainFrame();
      expect([r.step, r.steps]).toEqual([30, 3]);
      // a frame may take another number of steps (the app sizes it to its frame budget)
      r = await online.trainFrame(6);
      expect([r.step, r.steps]).toEqual([36, 6]);
      expect(r.stepMs).toBeGreaterThan(0);
      await expect(online.trainFrame(0)).rejects.toThrow(/online training: steps must be a positive integer, got 0/);
      await expect(online.trainFrame(1.5)).rejects.toThrow(/steps must be a positive integer/);
      expect(online.step).toBe(36); // a refused frame renders and trains nothing
      expect(r.pairs).toBe(2);
      expect(Number.isFinite(r.loss)).toBe(true);
      const out = await online.denoise(noisy);
      expect(out.length).toBe(36 * 28 * 3);
      const after = psnr(img(noisy, out), img(reference, reference.color));
      expect(after).toBeGreaterThan(before + 3);
      // The same weights through the runtime denoiser give the same image.
      await denoiser.setWeights(await online.weights());
      const rt = await denoiser.denoise({ width: 36, height: 28, color: noisy.color, albedo: noisy.albedo, normal: noisy.normal });
      const rtData = await rt.read();
      rt.destroy();
      let err = 0;
      for (let i = 0; i < out.length; i++) err = Math.max(err, Math.abs(out[i] - rtData[i]) / (1 + Math.abs(out[i])));
      expect(err).toBeLessThan(1e-4);
    } finally {
      denoiser.destroy();
      online.destroy();
    }
  }, 120_000);

  it('stepsPerPair: a new pair once that many steps were taken on the pool, and after a camera change', async () => {
    const online = await OnlineTrainer.create(gpu, scene, { spec, width: 36, height: 28, crop: 16, batch: 2, stepsPerFrame: 1, sppPerRender: 2, stepsPerPair: 3 });
    try {
      const rendered: boolean[] = [];
      const pools: number[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await online.trainFrame();
        rendered.push(r.rendered);
        pools.push(r.pairs);
        if (r.rendered) expect(r.pairMs).toBeGreaterThan(0); // the frame rendered its pair
        else expect(r.pairMs).toBe(0);
      }
      expect(rendered).toEqual([true, false, false, true, false, false, true]);
      expect(pools).toEqual([1, 1, 1, 2, 2, 2, 3]);
      // a frame of more steps than that: the next frame renders
      expect((await online.trainFrame(5)).rendered).toBe(false);
      expect((await online.trainFrame()).rendered).toBe(true);
      // a new view empties the pool: its first frame renders
      online.setCamera({ ...scene.camera, origin: [scene.camera.origin[0] + 0.05, scene.camera.origin[1], scene.camera.origin[2]] });
      const moved = await online.trainFrame();
      expect([moved.rendered, moved.pairs]).toEqual([true, 1]);
      expect(online.step).toBe(14);
    } finally {
      online.destroy();
    }
    await expect(OnlineTrainer.create(gpu, scene, { spec, width: 36, height: 28, stepsPerPair: 0 })).rejects.toThrow(/stepsPerPair must be a positive integer, got 0/);
  }, 60_000);

  it('samplesPerSubmit: a pair rendered a sample per submission is bitwise the pair rendered in one', async () => {
    const make = (samplesPerSubmit?: number) => OnlineTrainer.create(gpu, scene, { spec, width: 36, height: 28, crop: 16, batch: 2, stepsPerFrame: 1, sppPerRender: 3, samplesPerSubmit });
    const [whole, split] = [await make(), await make(1)];
    try {
      const counts: number[] = [];
      for (const t of [whole, split]) counts.push((await submissionsOf(() => t.trainFrame())).submissions);
      // two renders of 3 samples: 2 more submissions each
      expect(counts[1] - counts[0]).toBe(4);
      const [a, b] = [whole.latestPair!, split.latestPair!];
      expect(b.targetA).toEqual(a.targetA);
      expect(b.targetB).toEqual(a.targetB);
      expect(b.prepAlbedo).toEqual(a.prepAlbedo);
    } finally {
      whole.destroy();
      split.destroy();
    }
    await expect(make(0)).rejects.toThrow(/samplesPerSubmit must be a positive integer, got 0/);
  }, 60_000);

  it('a step submitted in slices (so render frames can run between them) gives bitwise the same weights', async () => {
    const make = (slicesPerStep: number) => OnlineTrainer.create(gpu, scene, { spec, width: 36, height: 28, crop: 16, batch: 2, stepsPerFrame: 2, sppPerRender: 1, slicesPerStep });
    const [whole, sliced] = [await make(1), await make(7)];
    try {
      const counts: number[] = [];
      for (let i = 0; i < 2; i++) {
        const a = await submissionsOf(() => whole.trainFrame());
        const b = await submissionsOf(() => sliced.trainFrame());
        counts.push(a.submissions, b.submissions);
        expect(b.value.loss).toBe(a.value.loss);
      }
      // 2 steps per frame: each sliced step submits 6 more times than a whole one
      expect(counts[1] - counts[0]).toBe(12);
      const [wa, wb] = [await whole.weights(), await sliced.weights()];
      for (const layer of Object.keys(wa)) {
        expect(wb[layer].weight).toEqual(wa[layer].weight);
        expect(wb[layer].bias).toEqual(wa[layer].bias);
      }
    } finally {
      whole.destroy();
      sliced.destroy();
    }
    await expect(make(0)).rejects.toThrow(/slicesPerStep must be a positive integer/);
  }, 60_000);

  it('separateEmission: each pair is the plain pair less the emission its camera rays hit, after a camera change too', async () => {
    const opts = { spec, width: 36, height: 28, crop: 16, batch: 2, stepsPerFrame: 1, sppPerRender: 1 };
    const plain = await OnlineTrainer.create(gpu, scene, opts);
    const sep = await OnlineTrainer.create(gpu, scene, { ...opts, separateEmission: true });
    try {
      // One sample per pixel: what is taken out of a pixel is all of the light's radiance (its camera ray hit the
      // light) or nothing. Taken out where the ray missed it (a tracer off the view) would leave less than that.
      const check = () => {
        const [p, q] = [plain.latestPair!, sep.latestPair!];
        expect([p.emissionSeparated, q.emissionSeparated]).toEqual([false, true]);
        let lit = 0;
        for (const [a, b] of [[p.targetA, q.targetA], [p.targetB, q.targetB]]) {
          const n = p.width * p.height;
          for (let i = 0; i < n; i++) {
            const removed = [0, 1, 2].map((c) => a[c * n + i] - b[c * n + i]);
            if (removed.every((r) => r === 0)) continue;
            lit++;
            // the Cornell box light: (17, 12, 4) in every channel's ratio, whatever the rest of the path added
            expect(removed[0]).toBeCloseTo(17, 3);
            expect(removed[1]).toBeCloseTo(12, 3);
            expect(removed[2]).toBeCloseTo(4, 3);
          }
        }
        return lit;
      };
      expect([plain.separatesEmission, sep.separatesEmission, plain.latestPair]).toEqual([false, true, null]);
      await Promise.all([plain.trainFrame(), sep.trainFrame()]);
      const before = check();
      expect(before).toBeGreaterThan(0);
      const moved = { ...scene.camera, origin: [scene.camera.origin[0] + 0.06, scene.camera.origin[1] + 0.04, scene.camera.origin[2]] as [number, number, number] };
      plain.setCamera(moved);
      sep.setCamera(moved);
      await Promise.all([plain.trainFrame(), sep.trainFrame()]);
      expect(check()).toBeGreaterThan(0);
    } finally {
      plain.destroy();
      sep.destroy();
    }
  }, 60_000);

  it('window: a view larger than it has its pairs rendered in windows of it, each the window of the whole-view pair, at seeded places', async () => {
    const opts = { spec, width: 36, height: 28, crop: 16, batch: 2, stepsPerFrame: 1, sppPerRender: 2, keepPairs: 4, separateEmission: true };
    const whole = await OnlineTrainer.create(gpu, scene, opts);
    const windowed = await OnlineTrainer.create(gpu, scene, { ...opts, window: 16 });
    const again = await OnlineTrainer.create(gpu, scene, { ...opts, window: 16 });
    try {
      const places = new Set<string>();
      for (let i = 0; i < 4; i++) {
        await Promise.all([whole.trainFrame(), windowed.trainFrame(), again.trainFrame()]);
        const [p, q] = [whole.latestPair!, windowed.latestPair!];
        expect([p.width, p.height, q.width, q.height]).toEqual([36, 28, 16, 16]);
        expect(Array.from(again.latestPair!.targetA)).toEqual(Array.from(q.targetA)); // the same seed, the same window
        // find the window: the one place where the windowed pair's targets are the whole pair's, value for value
        const at = (v: Float32Array, w: number, h: number, c: number, x: number, y: number) => v[(c * h + y) * w + x];
        const matches: string[] = [];
        for (let y0 = 0; y0 <= 28 - 16; y0++) {
          for (let x0 = 0; x0 <= 36 - 16; x0++) {
            let same = true;
            for (let c = 0; c < 3 && same; c++) {
              for (let y = 0; y < 16 && same; y++) {
                for (let x = 0; x < 16 && same; x++) {
                  same = at(q.targetA, 16, 16, c, x, y) === at(p.targetA, 36, 28, c, x0 + x, y0 + y)
                    && at(q.targetB, 16, 16, c, x, y) === at(p.targetB, 36, 28, c, x0 + x, y0 + y)
                    && at(q.prepNormal, 16, 16, c, x, y) === at(p.prepNormal, 36, 28, c, x0 + x, y0 + y);
                }
              }
            }
            if (same) matches.push(`${x0},${y0}`);
          }
        }
        expect(matches.length, `pair ${i}`).toBe(1);
        places.add(matches[0]);
      }
      expect(places.size).toBeGreaterThan(1); // not one fixed window
      expect((await windowed.trainFrame()).loss).toSatisfy(Number.isFinite);
    } finally {
      whole.destroy();
      windowed.destroy();
      again.destroy();
    }
  }, 120_000);

  it('prefetch: the next pair renders in the background, and the pairs and weights are bitwise those without it, across a camera change', async () => {
    const opts = { spec, width: 36, height: 28, crop: 16, batch: 2, stepsPerFrame: 1, sppPerRender: 2, stepsPerPair: 2, keepPairs: 3, window: 24, learningRate: 1e-3 };
    const plain = await OnlineTrainer.create(gpu, scene, opts);
    const ahead = await OnlineTrainer.create(gpu, scene, { ...opts, prefetch: true });
    const moved = { ...scene.camera, origin: [scene.camera.origin[0] + 0.06, scene.camera.origin[1] + 0.04, scene.camera.origin[2]] as [number, number, number] };
    try {
      const rendered: boolean[] = [];
      for (let i = 0; i < 9; i++) {
        // a camera change while the background pair (of the old view) renders: it is dropped, and the new view's
        // first pair is the one rendered without the prefetch
        if (i === 5) {
          expect(ahead.prefetching).toBe(true);
          plain.setCamera(moved);
          ahead.setCamera(moved);
        }
        const [p, q] = [await plain.trainFrame(), await ahead.trainFrame()];
        expect(ahead.prefetching, `frame ${i}`).toBe(true); // the next pair is on its way
        expect(plain.prefetching).toBe(false);
        expect([q.rendered, q.pairs, q.loss], `frame ${i}`).toEqual([p.rendered, p.pairs, p.loss]);
        rendered.push(q.rendered);
        const [a, b] = [plain.latestPair!, ahead.latestPair!];
        expect(b.name).toBe(a.name);
        for (const k of ['targetA', 'targetB', 'prepAlbedo', 'prepNormal'] as const) expect(b[k], `frame ${i} ${k}`).toEqual(a[k]);
      }
      expect(rendered).toEqual([true, false, true, false, true, true, false, true, false]);
      const [wa, wb] = [await plain.weights(), await ahead.weights()];
      for (const layer of Object.keys(wa)) expect(wb[layer].weight).toEqual(wa[layer].weight);
    } finally {
      plain.destroy();
      ahead.destroy();
    }
    // destroyed while its background pair renders: the render settles, nothing escapes to the device
    const early = await OnlineTrainer.create(gpu, scene, { ...opts, prefetch: true });
    await early.trainFrame();
    expect(early.prefetching).toBe(true);
    early.destroy();
    await expect(early.trainFrame()).rejects.toThrow(/trainFrame after destroy/);
    await new Promise((r) => setTimeout(r, 500));
    expect(() => gpu.check()).not.toThrow();
  }, 120_000);

  it('prefetch: a WebGPU error made while the background pair renders is not lost, also when a camera change drops that pair', async () => {
    const opts = { spec, width: 36, height: 28, crop: 16, batch: 2, stepsPerFrame: 1, sppPerRender: 2, stepsPerPair: 2, prefetch: true };
    const moved = { ...scene.camera, origin: [scene.camera.origin[0] + 0.06, scene.camera.origin[1], scene.camera.origin[2]] as [number, number, number] };
    for (const dropped of [false, true]) {
      const online = await OnlineTrainer.create(gpu, scene, opts);
      try {
        await online.trainFrame();
        expect(online.prefetching).toBe(true);
        // an invalid buffer (MAP_READ with STORAGE): caught by the background render's error scope if one is open,
        // else uncaptured; either way the next train frame fails with it
        gpu.device.createBuffer({ label: 'invalid on purpose', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
        if (dropped) online.setCamera(moved);
        else await online.trainFrame(); // not due yet: the pair is taken on the frame after
        await expect(online.trainFrame(), dropped ? 'dropped' : 'taken').rejects.toThrow(/invalid on purpose|MAP_READ|usage/i);
      } finally {
        online.destroy();
      }
      expect(() => gpu.check()).not.toThrow();
    }
  }, 60_000);

  it('renderPair separates the emission only with a tracer that keeps its first-hit emission', async () => {
    const tracer = await PathTracer.create(gpu, scene, { width: 16, height: 16 });
    try {
      await expect(renderPair(tracer, 'x', 1, 1, undefined, {}, undefined, true)).rejects.toThrow(/needs a tracer made with the firstHitEmission option/);
    } finally {
      tracer.destroy();
    }
  });

  it('calls made while a train frame runs wait for it; destroy() stops a running one with an error saying so', async () => {
    const opts = { spec, width: 16, height: 16, crop: 16, batch: 1, stepsPerFrame: 2, keepPairs: 1, learningRate: 1e-3 };
    const seq = await OnlineTrainer.create(gpu, scene, opts);
    const overlap = await OnlineTrainer.create(gpu, scene, opts);
    try {
      const expected = [await seq.trainFrame(), await seq.trainFrame()].map((r) => [r.step, r.loss]);
      const both = await Promise.all([overlap.trainFrame(), overlap.trainFrame()]);
      expect(both.map((r) => [r.step, r.loss])).toEqual(expected);
      expect(await overlap.weights()).toEqual(await seq.weights());
    } finally {
      seq.destroy();
    }
    const running = overlap.trainFrame();
    overlap.destroy();
    overlap.destroy(); // a second call does nothing
    await expect(running).rejects.toThrow(/online training: trainFrame after destroy\(\)|destroyed during trainFrame/);
    const frame = { width: 8, height: 8, color: new Float32Array(192), albedo: new Float32Array(192), normal: new Float32Array(192) };
    await expect(overlap.denoise(frame)).rejects.toThrow(/online training: denoise after destroy\(\)/);
    await expect(overlap.weights()).rejects.toThrow(/online training: weights after destroy\(\)/);
    expect(() => overlap.setCamera(scene.camera)).toThrow(/setCamera after destroy/);
    expect(() => gpu.check()).not.toThrow();
    const trainer = await NetworkTrainer.create(gpu, { spec, batch: 1, crop: 16, loss: 'hdr' });
    trainer.destroy();
    trainer.destroy();
    await expect(trainer.weights()).rejects.toThrow(/NetworkTrainer\.weights: used after destroy\(\)/);
    await expect(trainer.denoise({ width: 8, height: 8, color: frame.color, albedo: frame.albedo, normal: frame.normal })).rejects.toThrow(/NetworkTrainer\.denoise: used after destroy/);
    expect(() => gpu.check()).not.toThrow();
  }, 60_000);

  it('rejects bad options', async () => {
    await expect(OnlineTrainer.create(gpu, scene, { spec, width: NaN, height: 16 })).rejects.toThrow(/online training: width must be a positive integer, got NaN/);
    await expect(OnlineTrainer.create(gpu, scene, { spec, width: 16, height: 16, crop: 0 })).rejects.toThrow(/online training: crop must be a positive integer, got 0/);
    await expect(OnlineTrainer.create(gpu, scene, { spec, width: 4, height: 4 })).rejects.toThrow(/smaller than the network's 8-pixel unit/);
    await expect(OnlineTrainer.create(gpu, scene, { spec, width: 32, height: 32, batch: 0 })).rejects.toThrow(/batch must be a positive integer/);
    await expect(OnlineTrainer.create(gpu, scene, { spec, width: 32, height: 32, seed: -1 })).rejects.toThrow(/online training: seed must be a non-negative integer, got -1/);
    await expect(OnlineTrainer.create(gpu, scene, { spec, width: 32, height: 32, learningRate: 0 })).rejects.toThrow(/online training: learningRate must be in \(0, 1\), got 0/);
    await expect(OnlineTrainer.create(gpu, scene, { spec, width: 32, height: 32, window: 0 })).rejects.toThrow(/online training: window must be a positive integer, got 0/);
  });
});
