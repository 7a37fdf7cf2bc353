// Online per-scene training (Noise2Noise's "training while rendering"): while the application path traces a scene,
// this renders fresh noisy pairs of the same view with its own tracer, takes a few Adam steps per frame on random
// crops of the most recent pairs (starting from pretrained weights), and denoises frames with the current weights.
import type { NetworkSpec } from '../denoise/spec.ts';
import type { NetworkWeights } from '../denoise/weights.ts';
import type { GpuContext } from '../gpu/context.ts';
import { IntegratorPipeline, PathTracer } from '../render/path-tracer.ts';
import type { CompiledCamera, CompiledScene } from '../scene/compile.ts';
import { seededRandom } from '../../scenes/util.ts';
import { renderPair, sampleBatch, type PairWindow, type TrainingPair } from './data.ts';
import type { LossKind } from './loss.ts';
import { NetworkTrainer, type Batch } from './trainer.ts';

export interface OnlineTrainingOptions {
  spec: NetworkSpec;
  /** Pretrained weights to start from (default: the spec's seeded initialisation). */
  weights?: NetworkWeights;
  /** Size of the training renders (usually the view's size). */
  width: number;
  height: number;
  /** Maximum bounces of the training renders (default 8, the path tracer's). */
  maxDepth?: number;
  /** spp of each render of a pair (default 1). */
  sppPerRender?: number;
  /**
   * Adam steps on the pool between new pairs (default 1: a new pair every train frame). A train frame renders a
   * new pair when at least this many steps were taken since the last one (or the pool is empty), so pairs of
   * more samples, which train a network for frames of more samples, cost no more time per step.
   */
  stepsPerPair?: number;
  /**
   * Samples per pixel in one GPU submission of a pair's renders (default: as many as fit the path tracer's 2^20
   * paths). An interactive app passes 1, so that a pair of many samples does not hold the GPU for one long
   * submission; the result is the same.
   */
  samplesPerSubmit?: number;
  /** Adam steps per trainFrame() (default 4). */
  stepsPerFrame?: number;
  batch?: number;
  /** Crop size, rounded down to a multiple of 2^levels and to the render size (default 64). */
  crop?: number;
  learningRate?: number;
  loss?: LossKind;
  /**
   * Largest side of a training pair (default 256): a view wider or taller than this has its pairs rendered in a
   * window of it of at most this size (PathTracer.renderWindow), at a random place per pair, so that a pair's
   * rendering, read-back, preparation and memory do not grow with the view (at 1920x1080 a whole-view pair held
   * 150 MB on the host, and the 8 kept pairs 1.2 GB).
   */
  window?: number;
  /** Recent pairs kept to draw crops from (default 8). */
  keepPairs?: number;
  seed?: number;
  /**
   * Submissions per Adam step (default 1). An interactive app passes more, so that its render frames get the GPU
   * between the parts of a step (one step is seconds on a software adapter); the result is the same.
   */
  slicesPerStep?: number;
  /**
   * Take each training render's first-hit emission out of its pairs (renderPair's `separateEmission`), for a network that
   * denoises frames with emission separation (the app with `?emission=` > 0, compare with --emission-spp): it then
   * learns on what it is shown. Default false.
   */
  separateEmission?: boolean;
  /**
   * Render the next pair in the background as soon as one is taken into the pool (default false), so that its
   * rendering, read-back and preparation overlap the steps instead of stalling the frame it is due in: a GPU then
   * has a train frame's steps queued while the CPU waits for the pair's read-back and prepares it. The pairs, and so
   * the weights, are bitwise those without it (the same seeds and windows); a camera change discards a pair
   * rendered for the old view. It holds one more pair in memory, and its renders share the GPU with whatever runs
   * between train frames, so an app that paces its GPU work (src/app/online.ts) leaves it off. Its renders' WebGPU
   * error scopes (GpuContext.scoped) are open while steps are recorded, so an error of a step may be reported as
   * the background pair's, when that pair is taken (or dropped): surfaced, but later and under another name.
   */
  prefetch?: boolean;
}

export interface OnlineFrameResult {
  /** Adam steps so far. */
  step: number;
  /** Mean loss of this frame's last step. */
  loss: number;
  /** Pairs in the pool. */
  pairs: number;
  /** Whether this frame rendered a new pair (see the stepsPerPair option). */
  rendered: boolean;
  /** Adam steps this frame took, and their wall time (ms, the GPU finished: the last one's loss was read back). */
  steps: number;
  stepMs: number;
  /**
   * Wall time this frame spent getting its new pair (ms; 0 when it rendered none): rendering, reading back and
   * preparing it, or, with the prefetch option, waiting for the background one (0 when it was ready).
   */
  pairMs: number;
}

/** Planar images of a frame to denoise (interleaved RGB, like FrameData). */
export interface OnlineFrame {
  width: number;
  height: number;
  color: Float32Array;
  albedo: Float32Array;
  normal: Float32Array;
}

/**
 * What is wrong with one numeric online-training setting, or null: learningRate must be in (0, 1), seed a
 * non-negative integer, every other count (steps, batch, crop, spp, ...) a positive integer. Shared with the
 * harness's online denoisers, which check their settings before any scene.
 */
export function onlineSettingProblem(name: string, value: number): string | null {
  if (name === 'learningRate') return value > 0 && value < 1 ? null : `learningRate must be in (0, 1), got ${value}`;
  if (name === 'seed') return Number.isInteger(value) && value >= 0 ? null : `seed must be a non-negative integer, got ${value}`;
  return Number.isInteger(value) && value >= 1 ? null : `${name} must be a positive integer, got ${value}`;
}

/** The window option's default: the procedural training views' size. */
export const DEFAULT_PAIR_WINDOW = 256;

export class OnlineTrainer {
  private pairs: TrainingPair[] = [];
  private renders = 0;
  private frames = 0;
  /** Steps taken since the last pair was rendered. */
  private stepsOnPool = 0;
  private destroyed = false;
  /** The calls that use the GPU objects (trainFrame, denoise, weights) run one after another, in call order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The pair rendering in the background (the prefetch option): its number, and its result or error once settled. */
  private next: { n: number; settled: Promise<{ pair: TrainingPair } | { error: unknown }> } | null = null;
  /**
   * A camera set while a background pair was rendering (so that pair is of the old view): the tracer takes it once
   * that render has settled.
   */
  private pendingCamera: CompiledCamera | null = null;

  private constructor(
    private readonly trainer: NetworkTrainer,
    private readonly tracer: PathTracer,
    private readonly opts: Required<Omit<OnlineTrainingOptions, 'weights' | 'maxDepth' | 'samplesPerSubmit'>>,
  ) {}

  static async create(gpu: GpuContext, scene: CompiledScene, options: OnlineTrainingOptions, pipeline?: IntegratorPipeline): Promise<OnlineTrainer> {
    const m = 2 ** (options.spec.encoder.length - 1);
    for (const [k, v] of Object.entries({ width: options.width, height: options.height, ...(options.crop === undefined ? {} : { crop: options.crop }) })) {
      const problem = onlineSettingProblem(k, v);
      if (problem) throw new RangeError(`online training: ${problem}`);
    }
    const window = options.window ?? DEFAULT_PAIR_WINDOW;
    const problem = onlineSettingProblem('window', window);
    if (problem) throw new RangeError(`online training: ${problem}`);
    const crop = Math.floor(Math.min(options.crop ?? 64, options.width, options.height, window) / m) * m;
    if (crop < m) throw new RangeError(`online training: the render (${options.width}x${options.height}) is smaller than the network's ${m}-pixel unit`);
    const opts = {
      spec: options.spec, width: options.width, height: options.height, sppPerRender: options.sppPerRender ?? 1, stepsPerPair: options.stepsPerPair ?? 1,
      stepsPerFrame: options.stepsPerFrame ?? 4, batch: options.batch ?? 4, crop, learningRate: options.learningRate ?? 1e-4,
      loss: options.loss ?? 'hdr', keepPairs: options.keepPairs ?? 8, seed: options.seed ?? 1, slicesPerStep: options.slicesPerStep ?? 1,
      separateEmission: options.separateEmission ?? false, window, prefetch: options.prefetch ?? false,
    };
    const { sppPerRender, stepsPerPair, stepsPerFrame, batch, keepPairs, slicesPerStep, learningRate, seed } = opts;
    const samplesPerSubmit = options.samplesPerSubmit;
    const checked = { sppPerRender, stepsPerPair, stepsPerFrame, batch, keepPairs, slicesPerStep, learningRate, seed, ...(samplesPerSubmit === undefined ? {} : { samplesPerSubmit }) };
    for (const [k, v] of Object.entries(checked)) {
      const problem = onlineSettingProblem(k, v);
      if (problem) throw new RangeError(`online training: ${problem}`);
    }
    const trainer = await NetworkTrainer.create(gpu, { spec: opts.spec, weights: options.weights, loss: opts.loss, batch: opts.batch, crop });
    try {
      const tracer = await PathTracer.create(gpu, scene, {
        width: opts.width, height: opts.height, pipeline: pipeline ?? IntegratorPipeline.create(gpu), maxDepth: options.maxDepth, firstHitEmission: opts.separateEmission,
        pathsPerSubmit: samplesPerSubmit === undefined ? undefined : samplesPerSubmit * opts.width * opts.height,
      });
      return new OnlineTrainer(trainer, tracer, opts);
    } catch (e) {
      trainer.destroy();
      throw e;
    }
  }

  get step(): number {
    return this.trainer.step;
  }

  /**
   * A new view: pairs of the old one are dropped (the network keeps what it learned), and so is a pair of the old
   * view rendering in the background (the tracer takes the new view once that render has settled).
   */
  setCamera(camera: CompiledCamera): void {
    if (this.destroyed) throw new Error('online training: setCamera after destroy()');
    this.pairs = [];
    if (this.next) {
      this.pendingCamera = camera;
    } else {
      this.tracer.setCamera(camera);
    }
  }

  /** Renders pair `n` of the current view. */
  private renderPair(n: number): Promise<TrainingPair> {
    const { spec, sppPerRender, seed, separateEmission } = this.opts;
    return renderPair(this.tracer, `online-${n}`, sppPerRender, (seed * 0x10001 + 2 * n) >>> 0, undefined, spec, undefined,
      separateEmission, undefined, this.pairWindow(n));
  }

  /** Starts rendering the next pair in the background (the prefetch option). */
  private startNext(): void {
    const n = this.renders++;
    const settled = this.renderPair(n).then((pair) => ({ pair }), (error: unknown) => ({ error }));
    this.next = { n, settled };
  }

  /**
   * Waits for the background pair: returns it, or null when it was of an old view (discarded: the next pair takes
   * its number, as it would have without the prefetch) or none was rendering. Its error, if any, is thrown, that
   * of a discarded pair too.
   */
  private async settleNext(): Promise<TrainingPair | null> {
    const next = this.next;
    if (!next) return null;
    const result = await next.settled;
    this.next = null;
    const camera = this.pendingCamera;
    if (camera) {
      this.tracer.setCamera(camera);
      this.pendingCamera = null;
    }
    // an error is thrown even for a dropped pair: the background render's error scopes may have caught one of the
    // steps' (see the prefetch option)
    if ('error' in result) throw result.error;
    if (camera) {
      this.renders = next.n;
      return null;
    }
    return result.pair;
  }

  /**
   * Renders a noisy pair of the current view when due (the stepsPerPair option) and takes `steps` training steps
   * (default the `stepsPerFrame` option; an app sizes it to its frame budget, StepBudget in src/app/online-schedule.ts).
   */
  trainFrame(steps = this.opts.stepsPerFrame): Promise<OnlineFrameResult> {
    return this.serial('trainFrame', () => this.trainFrameNow(steps));
  }

  /**
   * Runs `fn` after the calls made before it (a call made while another runs waits for it: they share the tracer,
   * the pool and the trainer's buffers); rejects, without running it, once destroy() was called.
   */
  private serial<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.destroyed) throw new Error(`online training: ${what} after destroy()`);
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async trainFrameNow(steps: number): Promise<OnlineFrameResult> {
    const problem = onlineSettingProblem('steps', steps);
    if (problem) throw new RangeError(`online training: ${problem}`);
    const { spec, batch, crop, learningRate, stepsPerPair, keepPairs, seed, slicesPerStep, prefetch } = this.opts;
    const rendered = this.pairs.length === 0 || this.stepsOnPool >= stepsPerPair;
    const tPair = performance.now();
    if (rendered) {
      const pair = (await this.settleNext()) ?? (await this.renderPair(this.renders++));
      this.pairs.push(pair);
      if (this.pairs.length > keepPairs) this.pairs.shift();
      this.stepsOnPool = 0;
    }
    const pairMs = rendered ? performance.now() - tPair : 0;
    if (prefetch && !this.next) this.startNext();
    const rng = seededRandom((seed * 7919 + this.frames++) >>> 0);
    let loss = NaN;
    let b: Batch | undefined;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      if (this.destroyed) throw new Error('online training: destroyed during trainFrame');
      b = sampleBatch(spec, this.pairs, batch, crop, rng, b);
      const l = await this.trainer.trainStep(b, learningRate, i === steps - 1, slicesPerStep);
      if (l !== null) loss = l;
    }
    this.stepsOnPool += steps;
    return { step: this.trainer.step, loss, pairs: this.pairs.length, rendered, steps, stepMs: performance.now() - t0, pairMs };
  }

  /** Where pair `n` is rendered: undefined (the whole view) when the view fits the window option, else a seeded random window. */
  private pairWindow(n: number): PairWindow | undefined {
    const { width, height, window, seed } = this.opts;
    if (width <= window && height <= window) return undefined;
    const rng = seededRandom((seed * 0x9e3779b1 + n) >>> 0);
    const w = Math.min(width, window);
    const h = Math.min(height, window);
    return { x: Math.floor(rng() * (width - w + 1)), y: Math.floor(rng() * (height - h + 1)), width: w, height: h };
  }

  /** Whether a pair is rendering, or rendered and waiting, in the background (the prefetch option). */
  get prefetching(): boolean {
    return this.next !== null;
  }

  /** Whether its pairs have their first-hit emission taken out (the separateEmission option). */
  get separatesEmission(): boolean {
    return this.opts.separateEmission;
  }

  /** The most recent training pair (what the last trainFrame rendered), or null before the first. */
  get latestPair(): Readonly<TrainingPair> | null {
    return this.pairs.at(-1) ?? null;
  }

  /** Denoises a frame (any size) with the current weights; returns linear RGB, interleaved. */
  denoise(frame: OnlineFrame): Promise<Float32Array> {
    return this.serial('denoise', () => this.trainer.denoise(frame));
  }

  weights(): Promise<NetworkWeights> {
    return this.serial('weights', () => this.trainer.weights());
  }

  /**
   * Frees the GPU objects once a call already running has settled (a trainFrame stops at its next step and rejects),
   * the tracer also after a pair rendering in the background has (its result dropped). Later calls reject.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    void this.queue.then(() => {
      this.trainer.destroy();
      const { next, tracer } = this;
      this.next = null;
      if (next) void next.settled.then(() => tracer.destroy());
      else tracer.destroy();
    });
  }
}
