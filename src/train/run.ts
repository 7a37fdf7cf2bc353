// A training run from a config: renders the training pairs and the validation set, then trains with periodic
// loss logging, validation, checkpoints and weights; resumes from a checkpoint of the same config exactly where it
// stopped (the batch of step s depends only on the seed and s, so a resumed run equals an uninterrupted one).
import { compileProceduralScene, proceduralSceneName, trainingSeed } from '../../scenes/procedural.ts';
import { builtinSpec, type BuiltinSpecName } from '../denoise/specs.ts';
import { encodeWeights, type NetworkWeights } from '../denoise/weights.ts';
import type { GpuContext } from '../gpu/context.ts';
import { DEFAULT_EMISSION_SPP } from '../render/emission.ts';
import { IntegratorPipeline, PathTracer } from '../render/path-tracer.ts';
import type { CompiledScene } from '../scene/compile.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';
import { configHash, ConfigError, type TrainConfig } from './config.ts';
import { describeAutoexposure, renderPair, sampleBatch, type PairTiming, type TrainingPair } from './data.ts';
import { unpackParams } from './params.ts';
import { learningRate } from './schedule.ts';
import { TrainKernels, type StripRows } from './kernels.ts';
import { NetworkTrainer, type Batch, type TrainerState } from './trainer.ts';
import { buildValidationSet, validate, type ValidationReferenceSource, type ValidationScore } from './validation.ts';
import { seededRandom } from '../../scenes/util.ts';
import { Hash64 } from '../harness/hash.ts';

/** Where a run keeps its files (Node: a directory, written atomically; tests: memory). */
export interface RunStore {
  /** Checkpoint bytes, or null if none. */
  readCheckpoint(): Promise<Uint8Array | null>;
  writeCheckpoint(bytes: Uint8Array): Promise<void>;
  writeWeights(bytes: Uint8Array): Promise<void>;
  writeLog(json: string): Promise<void>;
  /** For messages: where the checkpoint lives. */
  readonly checkpointName: string;
}

export interface RunLog {
  format: 'tracelab-train-log';
  version: 1;
  config: TrainConfig;
  configHash: string;
  adapter: string;
  parameters: number;
  /** Mean batch loss every logEvery steps. */
  loss: { step: number; loss: number; lr: number; elapsedMs: number }[];
  validation: { step: number; elapsedMs: number; scores: ValidationScore[] }[];
  /** Wall time of data generation per session (ms). */
  dataMs: number[];
  /**
   * Each session's adapter, conv strip height (the weight gradients' sums are grouped by it, so a run resumed with
   * another one differs at float rounding from an uninterrupted one), first step and the spp of its validation
   * references (the distinct values; a cached one may hold more than the config's referenceSpp). Absent in older logs.
   */
  sessions?: { adapter: string; stripRows: number; startStep: number; validationReferenceSpp?: number[]; data?: DataTiming }[];
  elapsedMs: number;
  stepsPerSecond: number;
  done: boolean;
}

/**
 * Where a session's data time went (ms, wall time on the thread that renders): renderTrainingPairs' parts (waiting
 * for a scene to be compiled, creating its tracer, and renderPair's PairTiming) and the validation set's rendering
 * (references included). `pairs` is the number of training pairs.
 */
export interface DataTiming extends PairTiming {
  pairs: number;
  /** Pairs rendered at once (RunOptions.pairsInFlight): above 1 the parts overlap. */
  inFlight?: number;
  pairsMs: number;
  sceneWaitMs: number;
  tracerMs: number;
  validationMs: number;
}

export type RunEvent =
  | { phase: 'data'; done: number; total: number }
  | { phase: 'data-done'; timing: DataTiming }
  | { phase: 'resized'; steps: number; every: number }
  | { phase: 'validation-data'; done: number; total: number }
  | { phase: 'train'; step: number; steps: number; loss: number | null; stepsPerSecond: number; etaSeconds: number }
  | { phase: 'validate'; step: number; scores: ValidationScore[] }
  | { phase: 'checkpoint'; step: number };

export interface RunOptions {
  /** The weights of cfg.init, already read and decoded (required when the config names init). */
  initWeights?: NetworkWeights;
  /** Stop after this many steps in this session (the run resumes later); default: run to the end. */
  maxStepsThisSession?: number;
  /** Rows per invocation of the conv kernels (speed; results agree to float rounding); default: TrainKernels' choice for the adapter. */
  stripRows?: StripRows;
  onEvent?: (e: RunEvent) => void;
  /** Builds the training scenes (default: on this thread), asked for up to `compileAhead` scenes ahead (default 1). */
  compileScene?: SceneCompiler;
  compileAhead?: number;
  /** Training pairs rendered at once (renderTrainingPairs' inFlight; default 1): speed only, the pairs are the same. */
  pairsInFlight?: number;
  /**
   * Sizes a new run once its data are rendered (only before its first step, with no checkpoint): returns the total
   * step count to train instead of the config's (null: keep it), e.g. what fits the time left at a measured rate.
   * The run then is the config with those steps (and `validation.every` scaled to keep the number of
   * validations), given to `onConfig` to keep (the CLI rewrites the config file), so a rerun reproduces it.
   */
  fitSteps?: () => number | null;
  onConfig?: (cfg: TrainConfig) => Promise<void>;
  /** Where the validation references come from (default: rendered in one go each session; Node's CLI passes the reference cache). */
  validationReference?: ValidationReferenceSource;
  /**
   * Stops the run at the next step once aborted (the CLI's Ctrl-C): the checkpoint, weights and log are saved at
   * that step, as at the end of a session, and the run resumes from it.
   */
  signal?: AbortSignal;
  /**
   * Where the steps' batches come from (default: sampleBatch on this thread, with stepRng(seed, step)); whatever it
   * is must give each step that very batch. Node's CLI passes worker threads (src/node/batch-pool.ts).
   */
  batchSource?: (pairs: readonly TrainingPair[], cfg: TrainConfig, endStep: number) => BatchSource;
}

/** The training batches of a run, step by step. */
export interface BatchSource {
  batch(step: number): Promise<Batch>;
  destroy(): Promise<void>;
}

/** The batch RNG of step s: a function of the seed and s only. */
export function stepRng(seed: number, step: number): () => number {
  const h = new Hash64().numbers(seed, step).hex();
  return seededRandom(parseInt(h.slice(0, 8), 16) >>> 0);
}

/** Compiles procedural scene `seed` (the default: on this thread; Node's CLI passes a worker pool, src/node/scene-pool.ts). */
export type SceneCompiler = (seed: number) => Promise<CompiledScene>;

export const compileOnThisThread: SceneCompiler = async (seed) => compileProceduralScene(seed);

/**
 * The run's training pairs. Scenes are asked of `compile` up to `ahead` scenes before the ones being rendered, so a
 * compiler on other threads builds them while this one renders; the pairs do not depend on the compiler. Up to
 * `inFlight` pairs are rendered at once (each with its own tracer, in the order of their scenes): while one waits for
 * its renders or read-back, another's are submitted or prepared, which keeps a fast GPU busy; the pairs are the same
 * for any `inFlight` (each has its own scene, spp and seeds). With `timing`, its parts are summed over the pairs (with
 * several in flight they overlap, and may add up to more than `pairsMs`, the wall time). The lanes' error scopes
 * (GpuContext.scoped) interleave on the device's one stack, balanced: a WebGPU error still fails the data, though
 * its message may name another lane's operation.
 */
export async function renderTrainingPairs(gpu: GpuContext, cfg: TrainConfig, pipeline: IntegratorPipeline, onScene?: (i: number) => void,
  compile: SceneCompiler = compileOnThisThread, ahead = 1, timing?: Omit<DataTiming, 'validationMs'>, inFlight = 1): Promise<TrainingPair[]> {
  if (!Number.isInteger(inFlight) || inFlight < 1) throw new RangeError(`renderTrainingPairs: inFlight must be a positive integer, got ${inFlight}`);
  const total = cfg.data.scenes;
  const spec = builtinSpec(cfg.spec);
  const rng = seededRandom(cfg.seed * 7919 + 17);
  const spps = Array.from({ length: total }, () => cfg.data.spp[Math.floor(rng() * cfg.data.spp.length)]);
  const seedOf = (i: number) => trainingSeed((cfg.data.firstScene ?? 0) + i);
  const scenes: Promise<CompiledScene>[] = [];
  const request = (i: number) => {
    if (i < total && scenes[i] === undefined) {
      scenes[i] = compile(seedOf(i));
      scenes[i].catch(() => {}); // awaited in order below; an early failure must not be an unhandled rejection
    }
  };
  const pairs: TrainingPair[] = new Array(total);
  const separate = cfg.data.separateEmission === true;
  const one = async (i: number): Promise<void> => {
    onScene?.(i);
    for (let j = i; j < i + Math.max(1, ahead) + inFlight - 1; j++) request(j);
    const t0 = performance.now();
    const scene = await scenes[i];
    delete scenes[i]; // let it go once rendered
    const t1 = performance.now();
    const tracer = await PathTracer.create(gpu, scene, { width: cfg.data.size, height: cfg.data.size, pipeline, maxDepth: cfg.data.maxDepth, firstHitEmission: separate });
    if (timing) {
      timing.sceneWaitMs += t1 - t0;
      timing.tracerMs += performance.now() - t1;
    }
    try {
      pairs[i] = await renderPair(tracer, proceduralSceneName(seedOf(i)), spps[i], 2 * (cfg.seed * 1_000_003 + i), cfg.targets === 'clean' ? cfg.data.cleanSpp : undefined, spec, cfg.data.targetSpp, separate, timing);
    } finally {
      tracer.destroy();
    }
    if (timing) timing.pairs++;
  };
  const start = performance.now();
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (next < total && !failed) {
      try {
        await one(next++);
      } catch (e) {
        failed = true; // the other lanes finish their pair and stop
        throw e;
      }
    }
  };
  // every lane settles before a failure is reported: no tracer is left rendering behind the error
  const settled = await Promise.allSettled(Array.from({ length: Math.min(inFlight, Math.max(1, total)) }, lane));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  if (timing) timing.pairsMs += performance.now() - start;
  return pairs;
}

/** `cfg` with `steps` steps, `validation.every` scaled to keep the number of validations (fitSteps). */
export function resizedConfig(cfg: TrainConfig, steps: number): TrainConfig {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`a run needs a positive whole number of steps, got ${steps}`);
  const every = Math.max(1, Math.ceil((cfg.validation.every * steps) / cfg.steps));
  return { ...cfg, steps, validation: { ...cfg.validation, every } };
}

export async function runTraining(gpu: GpuContext, config: TrainConfig, store: RunStore, opts: RunOptions = {}): Promise<RunLog> {
  let cfg = config;
  const spec = builtinSpec(cfg.spec as BuiltinSpecName);
  let hash = configHash(cfg);
  const emit = opts.onEvent ?? (() => {});
  if (cfg.init !== undefined && !opts.initWeights) throw new ConfigError(`the config starts from '${cfg.init}' but its weights were not loaded`);
  const kernels = await TrainKernels.create(gpu, { stripRows: opts.stripRows });
  const trainer = await NetworkTrainer.create(gpu, {
    spec, loss: cfg.loss, batch: cfg.batch, crop: cfg.crop, initSeed: cfg.seed, weights: opts.initWeights, emaDecay: cfg.emaDecay,
  }, kernels);
  let source: BatchSource | null = null;
  try {
    let log: RunLog = {
      format: 'tracelab-train-log', version: 1, config: cfg, configHash: hash, adapter: gpu.adapter.name, parameters: trainer.parameterCount,
      loss: [], validation: [], dataMs: [], elapsedMs: 0, stepsPerSecond: 0, done: false,
    };
    // with emaDecay the run's weights are the moving average (what validation scores); the checkpoint has both
    const runWeights = (state: TrainerState) => encodeWeights(spec, unpackParams(spec, state.ema ?? state.params));
    const ck = await store.readCheckpoint();
    if (ck) {
      const { header, state } = decodeCheckpoint(ck, store.checkpointName);
      if (header.configHash !== hash) {
        throw new ConfigError(`${store.checkpointName} belongs to a run with another config (hash ${header.configHash}, this config ${hash}): delete it or train into another directory`);
      }
      trainer.setState(state);
      log = { ...(header.log as RunLog), config: cfg, adapter: gpu.adapter.name };
      if (trainer.step >= cfg.steps && log.done) {
        // a finished run: its weights and log are written again from the checkpoint (the same bytes its last save
        // wrote), so a deleted or damaged file comes back instead of being reported as there
        await store.writeWeights(runWeights(state));
        await store.writeLog(JSON.stringify(header.log, null, 1));
        return log;
      }
      if (header.autoexposure !== spec.autoexposure) {
        // the pairs would be prepared differently from here on: the resumed run would not be the run it continues
        throw new ConfigError(`${store.checkpointName} belongs to a run whose data were prepared with ${describeAutoexposure(header.autoexposure)}, spec '${spec.name}' now has ${describeAutoexposure(spec.autoexposure)}: start a new run (its config's "init" can name this run's weights)`);
      }
    }
    const t0 = performance.now();
    const pipeline = await IntegratorPipeline.create(gpu);
    const timing: DataTiming = { pairs: 0, inFlight: opts.pairsInFlight ?? 1, pairsMs: 0, sceneWaitMs: 0, tracerMs: 0, renderMs: 0, readMs: 0, prepareMs: 0, validationMs: 0 };
    const pairs = await renderTrainingPairs(gpu, cfg, pipeline, (i) => emit({ phase: 'data', done: i, total: cfg.data.scenes }), opts.compileScene, opts.compileAhead, timing, opts.pairsInFlight);
    const tVal = performance.now();
    const val = cfg.validation.scenes > 0
      ? await buildValidationSet(gpu, { ...cfg.validation, maxDepth: cfg.data.maxDepth, ...(cfg.data.separateEmission ? { emissionSpp: DEFAULT_EMISSION_SPP } : {}) }, pipeline, (i) => emit({ phase: 'validation-data', done: i, total: cfg.validation.scenes }), opts.validationReference)
      : [];
    timing.validationMs = performance.now() - tVal;
    log.dataMs.push(performance.now() - t0);
    emit({ phase: 'data-done', timing });
    if (!ck && trainer.step === 0 && opts.fitSteps) {
      const steps = opts.fitSteps();
      if (steps !== null && steps !== cfg.steps) {
        cfg = resizedConfig(cfg, steps);
        hash = configHash(cfg);
        log = { ...log, config: cfg, configHash: hash };
        await opts.onConfig?.(cfg);
        emit({ phase: 'resized', steps, every: cfg.validation.every });
      }
    }
    // A cached reference may hold more samples than the config asks for (and so score a little higher): say which.
    const refSpp = [...new Set(val.map((v) => v.referenceSpp))].sort((a, b) => a - b);
    log.sessions = [...(log.sessions ?? []), {
      adapter: gpu.adapter.name, stripRows: kernels.stripRows, startStep: trainer.step, ...(refSpp.length ? { validationReferenceSpp: refSpp } : {}), data: timing,
    }];

    const elapsedBefore = log.elapsedMs;
    const tStart = performance.now();
    const elapsed = () => elapsedBefore + (performance.now() - tStart);
    const startStep = trainer.step;
    const stopAt = Math.min(cfg.steps, startStep + (opts.maxStepsThisSession ?? Infinity));
    const save = async () => {
      await trainer.sync();
      log.elapsedMs = elapsed();
      const state = await trainer.state();
      // weights and checkpoint both come from the state just read back, not from a second read of the GPU buffers
      await store.writeWeights(runWeights(state));
      await store.writeCheckpoint(encodeCheckpoint({
        configHash: hash, spec: spec.name, ...(spec.autoexposure !== undefined ? { autoexposure: spec.autoexposure } : {}), elapsedMs: log.elapsedMs, log,
      }, state));
      await store.writeLog(JSON.stringify(log, null, 1));
      emit({ phase: 'checkpoint', step: trainer.step });
    };
    const runValidation = async () => {
      if (!val.length) return;
      const scores = await trainer.withAveragedWeights(() => validate(trainer, val));
      log.validation.push({ step: trainer.step, elapsedMs: elapsed(), scores });
      emit({ phase: 'validate', step: trainer.step, scores });
    };
    if (startStep === 0 && val.length) await runValidation();
    let lastLoss: number | null = null;
    let batch: Batch | undefined;
    source = opts.batchSource && trainer.step < stopAt ? opts.batchSource(pairs, cfg, stopAt) : null;
    while (trainer.step < stopAt && !opts.signal?.aborted) {
      const s = trainer.step; // this step's index (0-based)
      batch = source ? await source.batch(s) : sampleBatch(spec, pairs, cfg.batch, cfg.crop, stepRng(cfg.seed, s), batch); // trainStep has copied the last one
      const lr = learningRate(s, cfg.steps, cfg.learningRate, cfg.rampDown);
      const read = (s + 1) % cfg.logEvery === 0 || s + 1 === stopAt;
      const loss = await trainer.trainStep(batch, lr, read);
      // Keep up to two steps queued: the next batch is sampled on the host while the GPU runs them.
      if (!read) await trainer.throttle(2);
      const done = trainer.step - startStep;
      const sps = done / ((performance.now() - tStart) / 1000);
      log.stepsPerSecond = sps;
      if (loss !== null) {
        if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${trainer.step}: loss ${loss} (lower learningRate?)`);
        lastLoss = loss;
        log.loss.push({ step: trainer.step, loss, lr, elapsedMs: elapsed() });
      }
      emit({ phase: 'train', step: trainer.step, steps: cfg.steps, loss: lastLoss, stepsPerSecond: sps, etaSeconds: (cfg.steps - trainer.step) / Math.max(sps, 1e-9) });
      if (trainer.step % cfg.validation.every === 0 && trainer.step < cfg.steps) await runValidation();
      if (trainer.step % cfg.checkpointEvery === 0 && trainer.step < stopAt) await save();
    }
    if (trainer.step >= cfg.steps) {
      await runValidation();
      log.done = true;
    }
    await save();
    return log;
  } finally {
    await source?.destroy();
    trainer.destroy();
  }
}
