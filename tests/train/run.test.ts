// Training runs: deterministic given the seed, resumable bit-exactly from any checkpoint, protected against
// mismatched or corrupt checkpoints; the optimiser actually lowers the loss.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { decodeWeights } from '../../src/denoise/weights.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint } from '../../src/train/checkpoint.ts';
import { ConfigError, configHash, parseTrainConfig, type TrainConfig } from '../../src/train/config.ts';
import { IntegratorPipeline } from '../../src/render/path-tracer.ts';
import { compileProceduralScene, proceduralSceneName, trainingSeed } from '../../scenes/procedural.ts';
import { TrainKernels } from '../../src/train/kernels.ts';
import { packParams } from '../../src/train/params.ts';
import { renderTrainingPairs, resizedConfig, runTraining, type RunStore } from '../../src/train/run.ts';
import { NetworkTrainer } from '../../src/train/trainer.ts';
import { mulberry32 } from '../support/random.ts';

class MemoryStore implements RunStore {
  readonly checkpointName = 'mem/checkpoint.tlck';
  checkpoint: Uint8Array | null = null;
  /** Every checkpoint written, in order (to resume from an earlier one, as after a kill). */
  history: Uint8Array[] = [];
  weights: Uint8Array | null = null;
  log = '';
  async readCheckpoint() {
    return this.checkpoint;
  }
  async writeCheckpoint(b: Uint8Array) {
    this.checkpoint = b;
    this.history.push(b);
  }
  async writeWeights(b: Uint8Array) {
    this.weights = b;
  }
  async writeLog(j: string) {
    this.log = j;
  }
}

const CONFIG = new URL('../fixtures/train/tiny.json', import.meta.url).pathname;
let gpu: GpuContext;
let cfg: TrainConfig;
let full: MemoryStore;

beforeAll(async () => {
  gpu = await createNodeGpuContext();
  cfg = parseTrainConfig(JSON.parse(await readFile(CONFIG, 'utf8')), CONFIG);
  full = new MemoryStore();
  await runTraining(gpu, cfg, full);
}, 120_000);
afterAll(() => gpu?.destroy());

describe('training runs', () => {
  it('writes weights, a log with losses and validation, and a final checkpoint', () => {
    const log = JSON.parse(full.log);
    expect(log.done).toBe(true);
    expect(log.loss.map((l: { step: number }) => l.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.loss.every((l: { loss: number }) => Number.isFinite(l.loss) && l.loss > 0)).toBe(true);
    // Validation before training, at step 3 (every) and at the end.
    expect(log.validation.map((v: { step: number }) => v.step)).toEqual([0, 3, 6]);
    const s = log.validation[2].scores[0];
    expect(s.spp).toBe(4);
    expect(Number.isFinite(s.noisy) && Number.isFinite(s.denoised)).toBe(true);
    expect(decodeCheckpoint(full.checkpoint!, 'x').state.step).toBe(6);
    expect(full.history.length).toBe(3); // steps 2, 4 and the final save
  });

  it('logs where the data time went: each part of the pairs\' time within it, the validation set beside it', () => {
    const log = JSON.parse(full.log);
    const t = log.sessions[0].data;
    expect(t.pairs).toBe(cfg.data.scenes);
    const parts = [t.sceneWaitMs, t.tracerMs, t.renderMs, t.readMs, t.prepareMs];
    for (const ms of [...parts, t.pairsMs, t.validationMs]) expect(Number.isFinite(ms) && ms >= 0).toBe(true);
    expect(t.renderMs).toBeGreaterThan(0); // two renders per pair, each awaited
    expect(parts.reduce((a: number, b: number) => a + b, 0)).toBeLessThanOrEqual(t.pairsMs + 1e-6);
    expect(t.pairsMs + t.validationMs).toBeLessThanOrEqual(log.dataMs[0] + 1e-6);
  });

  it('is deterministic given the seed', async () => {
    const again = new MemoryStore();
    await runTraining(gpu, cfg, again);
    expect(Buffer.from(again.weights!).equals(Buffer.from(full.weights!))).toBe(true);
    expect(JSON.parse(again.log).loss).toEqual(JSON.parse(full.log).loss.map((l: object) => ({ ...l, elapsedMs: expect.any(Number) })));
  }, 60_000);

  it('resumes from an interrupted run (last checkpoint at step 2) to the same weights', async () => {
    const part = new MemoryStore();
    await runTraining(gpu, cfg, part, { maxStepsThisSession: 3 });
    // A kill after step 3 but before its save: only the step-2 checkpoint survives.
    part.checkpoint = part.history[0];
    expect(decodeCheckpoint(part.checkpoint, 'x').state.step).toBe(2);
    await runTraining(gpu, cfg, part);
    expect(Buffer.from(part.weights!).equals(Buffer.from(full.weights!))).toBe(true);
    // the log records both sessions: adapter, strip height, first step, validation references' spp
    const rows = (await TrainKernels.create(gpu)).stripRows;
    const refSpp = [cfg.validation.referenceSpp];
    const data = expect.objectContaining({ pairs: cfg.data.scenes });
    expect(JSON.parse(part.log).sessions).toEqual([
      { adapter: gpu.adapter.name, stripRows: rows, startStep: 0, validationReferenceSpp: refSpp, data },
      { adapter: gpu.adapter.name, stripRows: rows, startStep: 2, validationReferenceSpp: refSpp, data },
    ]);
  }, 60_000);

  it('runs with the other strip height to weights that agree to float rounding, and logs it', async () => {
    const other = (await TrainKernels.create(gpu)).stripRows === 8 ? 4 : 8;
    const store = new MemoryStore();
    await runTraining(gpu, cfg, store, { stripRows: other });
    expect(JSON.parse(store.log).sessions).toEqual([{ adapter: gpu.adapter.name, stripRows: other, startStep: 0, validationReferenceSpp: [cfg.validation.referenceSpp], data: expect.any(Object) }]);
    const a = new Float32Array(decodeCheckpoint(store.checkpoint!, 'x').state.params);
    const b = new Float32Array(decodeCheckpoint(full.checkpoint!, 'x').state.params);
    // Adam moves a parameter by up to ~lr per step (6 x 3e-4 here), so other gradients would show as differences
    // of order 1e-3; rounding (measured: 9e-8 on lavapipe) stays far below 1e-5.
    let err = 0;
    a.forEach((v, i) => (err = Math.max(err, Math.abs(v - b[i]))));
    expect(err).toBeLessThan(1e-5);
    expect(cfg.learningRate * cfg.steps).toBeGreaterThan(1e-3);
  }, 60_000);

  it('fitSteps sizes a new run once its data are rendered: the run is the config with those steps, which reruns to the same weights', async () => {
    let asked = 0;
    let kept: TrainConfig | null = null;
    const fitted = new MemoryStore();
    const events: string[] = [];
    const log = await runTraining(gpu, cfg, fitted, {
      fitSteps: () => { asked++; return 4; }, onConfig: async (c) => { kept = c; },
      onEvent: (e) => { if (e.phase === 'data-done' || e.phase === 'resized' || (e.phase === 'train' && e.step === 1)) events.push(e.phase); },
    });
    expect(asked).toBe(1);
    expect(events).toEqual(['data-done', 'resized', 'train']); // sized after the data, before the first step
    expect(kept).toEqual(resizedConfig(cfg, 4));
    expect(resizedConfig(cfg, 4)).toMatchObject({ steps: 4, validation: { every: 2 } }); // every 3 of 6 -> every 2 of 4
    expect(log.config).toEqual(kept);
    expect(log.done).toBe(true);
    expect(log.loss.at(-1)!.step).toBe(4);
    expect(log.validation.map((v) => v.step)).toEqual([0, 2, 4]);
    expect(decodeCheckpoint(fitted.checkpoint!, 'x').header.configHash).toBe(configHash(kept!));
    // the kept config, run as it is, is the same run; a finished or resumed run is not sized again
    const rerun = new MemoryStore();
    await runTraining(gpu, kept!, rerun);
    expect(Buffer.from(rerun.weights!).equals(Buffer.from(fitted.weights!))).toBe(true);
    await runTraining(gpu, kept!, fitted, { fitSteps: () => { asked++; return 5; } });
    expect(asked).toBe(1);
    expect(() => resizedConfig(cfg, 0)).toThrow(/positive whole number of steps, got 0/);
  }, 120_000);

  it('refuses a checkpoint of another config, and a corrupt one', async () => {
    const store = new MemoryStore();
    store.checkpoint = full.checkpoint;
    await expect(runTraining(gpu, { ...cfg, seed: 4 }, store)).rejects.toThrow(ConfigError);
    await expect(runTraining(gpu, { ...cfg, seed: 4 }, store)).rejects.toThrow(/another config/);
    // a checkpoint from before the spec's autoexposure (or with another key): its data would change mid-run, so an
    // unfinished run is refused; a finished one has nothing left to train and just returns its log
    const partial = new MemoryStore();
    await runTraining(gpu, cfg, partial, { maxStepsThisSession: 2 });
    const rewrite = (ck: Uint8Array, key: number | undefined) => {
      const { header, state } = decodeCheckpoint(ck, 'x');
      expect(header.autoexposure).toBe(builtinSpec(cfg.spec).autoexposure);
      const { autoexposure: _, step: _s, count: _c, ...older } = header;
      return encodeCheckpoint({ ...older, ...(key === undefined ? {} : { autoexposure: key }) }, state);
    };
    for (const k of [undefined, 0.5]) {
      store.checkpoint = rewrite(partial.checkpoint!, k);
      await expect(runTraining(gpu, cfg, store)).rejects.toThrow(new RegExp(`data were prepared with ${k === undefined ? 'no autoexposure' : `autoexposure key ${k}`}, spec '${cfg.spec}' now has autoexposure key 0.27: start a new run`));
    }
    store.checkpoint = rewrite(full.checkpoint!, undefined);
    expect((await runTraining(gpu, cfg, store)).done).toBe(true);
    store.checkpoint = full.checkpoint!.slice(0, full.checkpoint!.length - 4);
    await expect(runTraining(gpu, cfg, store)).rejects.toThrow(CheckpointError);
    await expect(runTraining(gpu, cfg, store)).rejects.toThrow(/mem\/checkpoint.tlck: not a usable checkpoint/);
  });

  it('emaDecay: the trainer averages its parameters after every step; validation and the weights file use the average', async () => {
    // the trainer: ema_t = d ema_{t-1} + (1 - d) params_t from the starting weights, checked against the recursion
    // on the parameters read back after each step
    const spec = builtinSpec('n2n-fast');
    const d = 0.75;
    const trainer = await NetworkTrainer.create(gpu, { spec, loss: 'l2', batch: 1, crop: 16, initSeed: 2, emaDecay: d });
    try {
      const rnd = mulberry32(5);
      const sz = trainer.batchSizes;
      const batch = { input: Float32Array.from({ length: sz.input }, () => rnd() - 0.5), target: Float32Array.from({ length: sz.target }, () => rnd()) };
      const expected = Float64Array.from((await trainer.state()).params);
      for (let i = 0; i < 3; i++) {
        await trainer.trainStep(batch, 1e-2);
        const p = (await trainer.state()).params;
        expected.forEach((e, j) => (expected[j] = d * e + (1 - d) * p[j]));
      }
      const state = await trainer.state();
      let err = 0;
      let moved = 0;
      state.ema!.forEach((v, j) => {
        err = Math.max(err, Math.abs(v - expected[j]));
        moved = Math.max(moved, Math.abs(v - state.params[j]));
      });
      expect(err).toBeLessThan(1e-6);
      expect(moved).toBeGreaterThan(1e-3); // the average is not the parameters (lr 1e-2: steps of ~1e-2)
      // withAveragedWeights swaps the average in for inference and puts the parameters back
      const input = Float32Array.from({ length: sz.input }, () => rnd() - 0.5);
      const own = await trainer.infer(input, 16, 16);
      const avg = await trainer.withAveragedWeights(() => trainer.infer(input, 16, 16));
      const plain = await NetworkTrainer.create(gpu, { spec, loss: 'l2', batch: 1, crop: 16, weights: await trainer.averagedWeights() });
      try {
        expect(Array.from(avg)).toEqual(Array.from(await plain.infer(input, 16, 16)));
      } finally {
        plain.destroy();
      }
      expect(Array.from(await trainer.infer(input, 16, 16))).toEqual(Array.from(own));
      expect(Array.from(avg)).not.toEqual(Array.from(own));
      // the checkpoint keeps it (version 2); a trainer restored from it continues the same average
      const ck = decodeCheckpoint(encodeCheckpoint({ configHash: 'h', spec: spec.name, elapsedMs: 0, log: null }, state), 'x');
      expect(ck.header.ema).toBe(true);
      expect(Array.from(ck.state.ema!)).toEqual(Array.from(state.ema!));
    } finally {
      trainer.destroy();
    }
    // a run: the weights file holds the average, validation scores it, and a resumed run equals an uninterrupted one
    const emaCfg = { ...cfg, emaDecay: 0.5 };
    const a = new MemoryStore();
    await runTraining(gpu, emaCfg, a);
    const final = decodeCheckpoint(a.checkpoint!, 'x');
    expect(final.header.ema).toBe(true);
    const written = packParams(builtinSpec(cfg.spec), decodeWeights(builtinSpec(cfg.spec), a.weights!, 'w'));
    expect(Array.from(written)).toEqual(Array.from(final.state.ema!));
    expect(Array.from(written)).not.toEqual(Array.from(final.state.params));
    const plainLog = JSON.parse(full.log);
    const emaLog = JSON.parse(a.log);
    expect(emaLog.validation[0].scores).toEqual(plainLog.validation[0].scores); // step 0: the average is the start
    expect(emaLog.validation[2].scores[0].denoised).not.toBe(plainLog.validation[2].scores[0].denoised);
    expect(emaLog.loss.map((l: { loss: number }) => l.loss)).toEqual(plainLog.loss.map((l: { loss: number }) => l.loss)); // the steps themselves are unchanged
    const part = new MemoryStore();
    await runTraining(gpu, emaCfg, part, { maxStepsThisSession: 3 });
    part.checkpoint = part.history[0];
    await runTraining(gpu, emaCfg, part);
    expect(Buffer.from(part.weights!).equals(Buffer.from(a.weights!))).toBe(true);
  }, 120_000);

  it('Adam lowers the loss: overfitting one fixed batch', async () => {
    const spec = builtinSpec('n2n-fast');
    const trainer = await NetworkTrainer.create(gpu, { spec, loss: 'l2', batch: 1, crop: 16, initSeed: 2 });
    try {
      const rnd = mulberry32(9);
      const s = trainer.batchSizes;
      const input = Float32Array.from({ length: s.input }, () => rnd() - 0.5);
      const target = Float32Array.from({ length: s.target }, () => 0.2 + 0.3 * rnd());
      const first = (await trainer.trainStep({ input, target }, 1e-3, true))!;
      let last = first;
      for (let i = 0; i < 40; i++) {
        const l = await trainer.trainStep({ input, target }, 1e-3, i === 39);
        if (l !== null) last = l;
      }
      expect(trainer.step).toBe(41);
      expect(last).toBeLessThan(0.3 * first);
    } finally {
      trainer.destroy();
    }
  }, 60_000);

  it('throttle(n) waits for the oldest submitted steps only once more than n are outstanding', async () => {
    const spec = builtinSpec('n2n-fast');
    const trainer = await NetworkTrainer.create(gpu, { spec, loss: 'l2', batch: 1, crop: 16, initSeed: 2 });
    const q = gpu.device.queue;
    const real = q.onSubmittedWorkDone.bind(q);
    // Completion promises under the test's control, one per throttle call (i.e. per step).
    const gates: { resolve: () => void; settled: boolean }[] = [];
    q.onSubmittedWorkDone = () => new Promise<undefined>((resolve) => {
      const g = { resolve: () => { g.settled = true; resolve(undefined); }, settled: false };
      gates.push(g);
    });
    try {
      const s = trainer.batchSizes;
      const batch = { input: new Float32Array(s.input), target: new Float32Array(s.target) };
      for (let i = 0; i < 2; i++) {
        await trainer.trainStep(batch, 1e-4);
        await trainer.throttle(2); // 1, then 2 outstanding: returns at once
      }
      await trainer.trainStep(batch, 1e-4);
      let returned = false;
      const third = trainer.throttle(2).then(() => { returned = true; });
      await new Promise((r) => setTimeout(r, 20));
      expect(returned).toBe(false); // 3 outstanding: waits for step 1
      gates[1].resolve(); // step 2 finishing is not enough
      await new Promise((r) => setTimeout(r, 20));
      expect(returned).toBe(false);
      gates[0].resolve();
      await third;
      expect(returned).toBe(true);
      expect(gates.filter((g) => !g.settled)).toHaveLength(1); // step 3 still outstanding
    } finally {
      q.onSubmittedWorkDone = real;
      for (const g of gates) g.resolve();
      await trainer.sync();
      trainer.destroy();
    }
  }, 60_000);
});

describe('training config', () => {
  const base = () => JSON.parse(JSON.stringify(cfg)) as Record<string, unknown>;
  const withData = (d: Record<string, unknown>) => parseTrainConfig({ ...base(), data: { ...cfg.data, ...d } }, 'my.json');

  it('data.firstScene moves the training scenes; left at 0 it changes neither the config nor its hash', async () => {
    expect(withData({ firstScene: 0 })).toEqual(cfg);
    expect(configHash(withData({ firstScene: 0 }))).toBe(configHash(cfg));
    const moved = withData({ firstScene: 400 });
    expect(moved.data.firstScene).toBe(400);
    expect(configHash(moved)).not.toBe(configHash(cfg));
    const pipeline = await IntegratorPipeline.create(gpu);
    const names = async (c: TrainConfig) => (await renderTrainingPairs(gpu, c, pipeline)).map((p) => p.name);
    expect(await names(cfg)).toEqual([0, 1].map((i) => proceduralSceneName(trainingSeed(i))));
    expect(await names(moved)).toEqual([400, 401].map((i) => proceduralSceneName(trainingSeed(i))));
  }, 60_000);

  it('renderTrainingPairs with several pairs in flight renders the same pairs, in order; a failing scene fails it after every pair in flight settled', async () => {
    const five = withData({ scenes: 5, spp: [1, 2, 4] });
    const pipeline = await IntegratorPipeline.create(gpu);
    const one = await renderTrainingPairs(gpu, five, pipeline);
    const started: number[] = [];
    const three = await renderTrainingPairs(gpu, five, pipeline, (i) => started.push(i), undefined, 1, undefined, 3);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(three.map((p) => [p.name, p.spp])).toEqual(one.map((p) => [p.name, p.spp]));
    for (const [i, p] of three.entries()) {
      for (const k of ['prepA', 'prepB', 'prepAlbedo', 'prepNormal', 'targetA', 'targetB'] as const) {
        expect(Buffer.from(p[k].buffer).equals(Buffer.from(one[i][k].buffer)), `pair ${i} ${k}`).toBe(true);
      }
    }
    // scene 2 cannot be built: the error is the run's, once the other lanes have finished their pairs (no more started)
    let begun = 0;
    const compile = async (seed: number) => {
      if (seed === trainingSeed(2)) throw new Error('scene 2 is broken');
      return compileProceduralScene(seed);
    };
    const pending = renderTrainingPairs(gpu, five, pipeline, () => void begun++, compile, 1, undefined, 2);
    await expect(pending).rejects.toThrow(/scene 2 is broken/);
    expect(begun).toBeLessThanOrEqual(4); // pairs 0-2, and at most one more that the other lane had begun: not all 5
    await expect(renderTrainingPairs(gpu, five, pipeline, undefined, undefined, 1, undefined, 0)).rejects.toThrow(/inFlight must be a positive integer, got 0/);
  }, 120_000);

  it('data.targetSpp renders the targets with more samples, the inputs as before; left out it changes neither the config nor its hash', async () => {
    expect(withData({})).toEqual(cfg);
    expect(cfg.data.targetSpp).toBeUndefined();
    const more = withData({ targetSpp: 16 });
    expect(more.data.targetSpp).toBe(16);
    expect(configHash(more)).not.toBe(configHash(cfg));
    const pipeline = await IntegratorPipeline.create(gpu);
    const [plain, moreSpp] = [await renderTrainingPairs(gpu, cfg, pipeline), await renderTrainingPairs(gpu, more, pipeline)];
    for (const [i, p] of moreSpp.entries()) {
      expect(p.spp).toBe(plain[i].spp);
      expect(p.targetSpp).toBe(Math.max(16, p.spp));
      expect(plain[i].targetSpp).toBe(plain[i].spp);
      expect(p.prepA).toEqual(plain[i].prepA); // the same input render
      expect(p.prepB).not.toEqual(plain[i].prepB); // a target with more samples
    }
  }, 60_000);

  it('data.separateEmission takes each render\'s first-hit emission out of its pairs and validates separated; false or absent changes neither the config nor its hash', async () => {
    expect(withData({ separateEmission: false })).toEqual(cfg);
    expect(configHash(withData({ separateEmission: false }))).toBe(configHash(cfg));
    const sep = withData({ separateEmission: true });
    expect(sep.data.separateEmission).toBe(true);
    expect(configHash(sep)).not.toBe(configHash(cfg));
    const pipeline = await IntegratorPipeline.create(gpu);
    const [plain, separated] = [await renderTrainingPairs(gpu, cfg, pipeline), await renderTrainingPairs(gpu, sep, pipeline)];
    let removed = 0;
    for (const [i, p] of separated.entries()) {
      const q = plain[i];
      expect([p.emissionSeparated, q.emissionSeparated]).toEqual([true, false]);
      expect([p.spp, p.targetSpp]).toEqual([q.spp, q.targetSpp]); // the same renders, less their emission
      // n2n-fast: targets are the colour times the pair's exposure scale (from its own colour A)
      for (const [a, b] of [[p.targetA, q.targetA], [p.targetB, q.targetB]]) {
        for (let k = 0; k < a.length; k++) {
          const [x, y] = [a[k] / p.exposure, b[k] / q.exposure];
          expect(x).toBeLessThanOrEqual(y * (1 + 1e-5) + 1e-6);
          removed += y - x;
        }
      }
    }
    // the procedural rooms see their lights or the sky: something was taken out
    expect(removed).toBeGreaterThan(1);
    // its validation denoises separated: the noisy input scores the same, the network's output does not (validation
    // scene 1 sees a light, scene 0 none)
    const step0 = async (c: TrainConfig) => {
      const store = new MemoryStore();
      await runTraining(gpu, { ...c, steps: 1, validation: { ...c.validation, scenes: 2 } }, store);
      return JSON.parse(store.log).validation[0].scores[0];
    };
    const [a, b] = [await step0(cfg), await step0(sep)];
    expect(b.noisy).toBe(a.noisy);
    expect(b.denoised).not.toBe(a.denoised);
  }, 120_000);

  it('emaDecay is kept when above 0; 0 or absent changes neither the config nor its hash', () => {
    expect(parseTrainConfig({ ...base(), emaDecay: 0 }, 'my.json')).toEqual(cfg);
    const avg = parseTrainConfig({ ...base(), emaDecay: 0.999 }, 'my.json');
    expect(avg.emaDecay).toBe(0.999);
    expect(configHash(avg)).not.toBe(configHash(cfg));
  });

  it.each([
    [{ steps: 0 }, /'steps' must be an integer in 1\.\./],
    [{ emaDecay: 1 }, /'emaDecay' must be a number in 0\.\.0\.999999/],
    [{ emaDecay: '0.9' }, /'emaDecay' must be a number/],
    [{ data: { scenes: 1, size: 32, spp: [1], separateEmission: 'yes' } }, /'data.separateEmission' must be true or false, got "yes"/],
    [{ spec: 'n2n-huge' }, /'spec' must be 'n2n-paper' or 'n2n-fast' or 'n2n-fast-demod'/],
    [{ loss: 'l3' }, /'loss' must be 'l2' or 'l1' or 'hdr'/],
    [{ crop: 64 }, /'crop' \(64\) is larger than data.size \(32\)/],
    [{ colour: 1 }, /'colour' is not a known field/],
    [{ data: { scenes: 1, size: 32, spp: [] } }, /'data.spp' must be a non-empty list/],
    [{ validation: 3 }, /'validation' must be an object/],
    [{ data: { scenes: 1, size: 32, spp: [1], firstscene: 4 } }, /'data.firstscene' is not a known field/],
    [{ validation: { scenes: 1, size: 32, spp: [4], referenceSpp: 64, every: 3, refSpp: 9 } }, /'validation.refSpp' is not a known field/],
    [{ data: { scenes: 1, size: 32, spp: [1], firstScene: -1 } }, /'data.firstScene' must be an integer in 0\.\./],
    [{ data: { scenes: 1, size: 32, spp: [1], firstScene: 2.5 } }, /'data.firstScene' must be an integer/],
    [{ data: { scenes: 2, size: 32, spp: [1], firstScene: 0x6fffffff } }, /'data.firstScene' \+ data.scenes goes past the last training scene/],
    [{ data: { scenes: 1, size: 32, spp: [1], targetSpp: 0 } }, /'data.targetSpp' must be an integer in 1\.\./],
    [{ targets: 'clean', data: { scenes: 1, size: 32, spp: [1], targetSpp: 64 } }, /'data.targetSpp' is for noisy targets; clean targets have data.cleanSpp samples/],
  ])('rejects %j', (patch, re) => {
    expect(() => parseTrainConfig({ ...base(), ...patch }, 'my.json')).toThrow(re);
    expect(() => parseTrainConfig({ ...base(), ...patch }, 'my.json')).toThrow(/^my\.json: /);
  });
});
