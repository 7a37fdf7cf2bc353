// Trains a denoiser network on the GPU: owns the flat parameter buffer, its gradients and Adam's moments, one
// training graph for the batch/crop size and, on demand, batch-1 graphs for inference at other sizes
// (validation, online denoising). A step = upload a batch, one command buffer (forward, loss, backward, Adam).
import type { DenoiseImages } from '../denoise/images.ts';
import { inputExposure, postprocess, preprocess } from '../denoise/reference.ts';
import type { NetworkSpec } from '../denoise/spec.ts';
import { initWeights, type NetworkWeights } from '../denoise/weights.ts';
import { GpuError, type GpuContext } from '../gpu/context.ts';
import { TrainGraph } from './graph.ts';
import { dispatch1d, TrainKernels } from './kernels.ts';
import type { LossKind } from './loss.ts';
import { packParams, paramLayout, unpackParams } from './params.ts';

export interface AdamSettings {
  beta1: number;
  beta2: number;
  eps: number;
}
/** Noise2Noise's settings (Lehtinen et al. 2018, appendix A). */
export const N2N_ADAM: AdamSettings = { beta1: 0.9, beta2: 0.99, eps: 1e-8 };

export interface TrainerOptions {
  spec: NetworkSpec;
  /** Starting weights (pretrained); default: seeded He initialisation. */
  weights?: NetworkWeights;
  initSeed?: number;
  loss: LossKind;
  batch: number;
  /** Square crop size (a multiple of 2^levels). */
  crop: number;
  adam?: AdamSettings;
  /**
   * Keep an exponential moving average of the parameters, ema = d * ema + (1 - d) * params after every step, from
   * the starting weights (0 or absent: none). Averaging the iterates removes much of the step-to-step noise of
   * small noisy batches; `averagedWeights()` and `withAveragedWeights()` use it.
   */
  emaDecay?: number;
}

/** A batch as the graph takes it: inputs channels-first per image (prepared), targets linear RGB channels-first. */
export interface Batch {
  input: Float32Array;
  target: Float32Array;
  /**
   * Per crop, a dihedral transform (0..7) still to apply to its input and target, on the GPU (see transformBatch in
   * data.ts for the definition); absent: the crops are used as they are.
   */
  transforms?: Uint32Array;
}

/** Everything needed to continue training exactly where it stopped. */
export interface TrainerState {
  step: number;
  params: Float32Array;
  m1: Float32Array;
  m2: Float32Array;
  /** The moving average of the parameters (trainers with emaDecay; absent: it restarts from params). */
  ema?: Float32Array;
}

export class NetworkTrainer {
  private readonly graph: TrainGraph;
  private readonly inference = new Map<string, TrainGraph>();
  private readonly adamUniform: GPUBuffer;
  private readonly adamBind: GPUBindGroup;
  private lossRead: GPUBuffer;
  /** Untransformed crops, their transforms and the pass that writes the graph's input and target from them. */
  private readonly raw: { input: GPUBuffer; target: GPUBuffer; transforms: GPUBuffer; uniform: GPUBuffer; bind: GPUBindGroup; groups: [number, number] };
  /** Completion of recently submitted steps (throttle). */
  private inFlight: Promise<undefined>[] = [];
  /** Adam steps taken. */
  step = 0;
  private destroyed = false;
  /** Whether a step's loss is being read back (lossRead mapped or mapping): one step at a time may read it. */
  private readingLoss = false;

  private constructor(
    private readonly gpu: GpuContext,
    private readonly kernels: TrainKernels,
    readonly options: TrainerOptions,
    private readonly params: GPUBuffer,
    private readonly grads: GPUBuffer,
    private readonly m1: GPUBuffer,
    private readonly m2: GPUBuffer,
    private readonly ema: GPUBuffer,
  ) {
    const { spec, batch, crop, loss } = options;
    this.graph = new TrainGraph(gpu, kernels, spec, { batch, width: crop, height: crop }, { params, grads }, loss);
    this.adamUniform = gpu.device.createBuffer({ label: 'adam uniforms', size: 48, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.adamBind = kernels.bindGroup('adam', 'adam', [grads, params, m1, m2, ema], { buffer: this.adamUniform, offset: 0, size: 48 });
    this.lossRead = gpu.device.createBuffer({ label: 'loss readback', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const sizes = this.batchSizes;
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    const rawInput = gpu.device.createBuffer({ label: 'train batch (untransformed input)', size: sizes.input * 4, usage: storage });
    const rawTarget = gpu.device.createBuffer({ label: 'train batch (untransformed target)', size: sizes.target * 4, usage: storage });
    const transforms = gpu.device.createBuffer({ label: 'train batch transforms', size: Math.max(16, batch * 4), usage: storage });
    const uniform = gpu.device.createBuffer({ label: 'train batch transform uniforms', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const n = sizes.input + sizes.target;
    gpu.device.queue.writeBuffer(uniform, 0, new Uint32Array([crop, batch, spec.inputs.length * 3, n]));
    this.raw = {
      input: rawInput, target: rawTarget, transforms, uniform,
      bind: kernels.bindGroup('dihedral', 'train batch transforms', [rawInput, rawTarget, transforms, this.graph.input.buffer, this.graph.target], { buffer: uniform, offset: 0, size: 16 }),
      groups: dispatch1d(n),
    };
  }

  static async create(gpu: GpuContext, options: TrainerOptions, kernels?: TrainKernels): Promise<NetworkTrainer> {
    const decay = options.emaDecay ?? 0;
    if (!(decay >= 0 && decay < 1)) throw new RangeError(`NetworkTrainer: emaDecay must be in [0, 1), got ${decay}`);
    const k = kernels ?? (await TrainKernels.create(gpu));
    const flat = packParams(options.spec, options.weights ?? initWeights(options.spec, options.initSeed ?? 1));
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    return gpu.scoped('creating the trainer', async () => {
      const params = gpu.createBufferWithData('train params', flat, usage);
      const mk = (label: string) => gpu.device.createBuffer({ label, size: flat.byteLength, usage });
      // without averaging the shader never touches the average: a 4-byte placeholder binds in its place
      const ema = decay > 0 ? gpu.createBufferWithData('train params average', flat, usage) : gpu.device.createBuffer({ label: 'train params average (unused)', size: 4, usage });
      return new NetworkTrainer(gpu, k, options, params, mk('train grads'), mk('adam m1'), mk('adam m2'), ema);
    });
  }

  get parameterCount(): number {
    return paramLayout(this.options.spec).total;
  }

  /** Floats per batch input and target. */
  get batchSizes(): { input: number; target: number } {
    const { batch, crop, spec } = this.options;
    return { input: batch * spec.inputs.length * 3 * crop * crop, target: batch * 3 * crop * crop };
  }

  /**
   * One Adam step on `batch` with learning rate `lr`. With `readLoss`, waits for the GPU and returns the batch's
   * mean loss; otherwise returns null once the work is submitted (call `sync()` now and then to bound the queue).
   * With `slices` > 1 the step is submitted in that many parts, each awaited before the next, so that other GPU
   * work (an interactive render loop) can run between them; the result is bitwise the same. The batch's arrays
   * are copied before this returns its promise, so the caller may refill them for the next step at once.
   */
  async trainStep(batch: Batch, lr: number, readLoss = false, slices = 1): Promise<number | null> {
    this.assertAlive('trainStep');
    if (readLoss && this.readingLoss) {
      throw new Error('trainStep: the previous step is still reading back its loss; await it before taking another step that reads its loss');
    }
    const sizes = this.batchSizes;
    if (batch.input.length !== sizes.input || batch.target.length !== sizes.target) {
      throw new RangeError(`trainStep: batch has ${batch.input.length}/${batch.target.length} floats, expected ${sizes.input}/${sizes.target}`);
    }
    const t = batch.transforms;
    if (t && (t.length !== this.options.batch || t.some((v) => v > 7))) {
      throw new RangeError(`trainStep: batch transforms must be ${this.options.batch} values in 0..7, got [${Array.from(t).join(', ')}]`);
    }
    const q = this.gpu.device.queue;
    q.writeBuffer(t ? this.raw.input : this.graph.input.buffer, 0, batch.input);
    q.writeBuffer(t ? this.raw.target : this.graph.target, 0, batch.target);
    if (t) q.writeBuffer(this.raw.transforms, 0, t);
    this.step++;
    const a = this.options.adam ?? N2N_ADAM;
    const u = new ArrayBuffer(48);
    new Uint32Array(u, 0, 1)[0] = this.parameterCount;
    new Float32Array(u, 16, 7).set([lr, a.beta1, a.beta2, a.eps, 1 - a.beta1 ** this.step, 1 - a.beta2 ** this.step, this.options.emaDecay ?? 0]);
    q.writeBuffer(this.adamUniform, 0, u);
    // forward + loss + backward (in slices, each awaited before the next), then Adam with the last slice
    let enc = this.gpu.device.createCommandEncoder({ label: `train step ${this.step}` });
    if (t) {
      const pass = enc.beginComputePass({ label: 'train batch transforms' });
      pass.setPipeline(this.kernels.get('dihedral').pipeline);
      pass.setBindGroup(0, this.raw.bind);
      pass.dispatchWorkgroups(...this.raw.groups);
      pass.end();
    }
    const parts = this.graph.stepSlices(slices);
    for (const [i, record] of parts.entries()) {
      if (i > 0) {
        q.submit([enc.finish()]);
        await q.onSubmittedWorkDone();
        this.assertAlive('trainStep'); // destroyed between slices: stop before submitting with freed buffers
        enc = this.gpu.device.createCommandEncoder({ label: `train step ${this.step} (${i + 1}/${parts.length})` });
      }
      record(enc);
    }
    const pass = enc.beginComputePass({ label: 'adam' });
    pass.setPipeline(this.kernels.get('adam').pipeline);
    pass.setBindGroup(0, this.adamBind);
    pass.dispatchWorkgroups(...dispatch1d(this.parameterCount));
    pass.end();
    if (readLoss) enc.copyBufferToBuffer(this.graph.lossSum, 0, this.lossRead, 0, 16);
    q.submit([enc.finish()]);
    if (!readLoss) return null;
    this.readingLoss = true;
    let sum: number;
    try {
      await this.lossRead.mapAsync(GPUMapMode.READ);
      sum = new Float32Array(this.lossRead.getMappedRange().slice(0))[0];
      this.lossRead.unmap();
    } catch (e) {
      this.assertAlive('trainStep');
      this.gpu.check();
      throw e;
    } finally {
      this.readingLoss = false;
    }
    this.gpu.check();
    return sum / sizes.target;
  }

  /**
   * Wall time of each pass of one training step on the current batch, each submitted alone and awaited (with
   * `repeats` runs, the mean of all but the first); for finding where a step's time goes (bench/train.ts
   * --profile), not for speed itself: every pass pays a submit and a wait. Changes the gradients, not the weights.
   */
  async profileStep(repeats = 3): Promise<{ label: string; kernel: string; workgroups: readonly number[]; ms: number }[]> {
    this.assertAlive('profileStep');
    if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`profileStep: repeats must be a positive integer, got ${repeats}`);
    const passes = this.graph.stepPasses();
    const ms = new Array<number>(passes.length).fill(0);
    const q = this.gpu.device.queue;
    for (let rep = 0; rep < repeats; rep++) {
      const clear = this.gpu.device.createCommandEncoder({ label: 'profile: clear gradients' });
      this.graph.encodeClearGradients(clear);
      q.submit([clear.finish()]);
      await q.onSubmittedWorkDone();
      for (const [i, p] of passes.entries()) {
        const enc = this.gpu.device.createCommandEncoder({ label: `profile ${p.label}` });
        p.encode(enc);
        const t0 = performance.now();
        q.submit([enc.finish()]);
        await q.onSubmittedWorkDone();
        if (rep > 0 || repeats === 1) ms[i] += (performance.now() - t0) / Math.max(1, repeats - 1);
      }
    }
    this.gpu.check();
    return passes.map((p, i) => ({ label: p.label, kernel: p.kernel, workgroups: p.workgroups, ms: ms[i] }));
  }

  /** Waits for submitted steps and surfaces any GPU error. */
  async sync(): Promise<void> {
    await this.gpu.device.queue.onSubmittedWorkDone();
    this.inFlight = [];
    this.gpu.check();
  }

  /**
   * Bounds the queue without draining it: returns once at most `maxInFlight` of the steps submitted so far may
   * still be running, and surfaces any GPU error. Called after each step with maxInFlight >= 1, the GPU always has
   * a step queued while the host prepares the next batch (sync() would leave it idle meanwhile).
   */
  async throttle(maxInFlight: number): Promise<void> {
    this.inFlight.push(this.gpu.device.queue.onSubmittedWorkDone());
    while (this.inFlight.length > maxInFlight) await this.inFlight.shift();
    this.gpu.check();
  }

  /**
   * Runs the network (current parameters) on one prepared input of `width` x `height` (multiples of 2^levels),
   * channels-first; returns the raw output (3 channels, channels-first, the network's output space).
   */
  async infer(input: Float32Array, width: number, height: number): Promise<Float32Array> {
    this.assertAlive('infer');
    const key = `${width}x${height}`;
    let g = this.inference.get(key);
    if (!g) {
      g = await this.gpu.scoped(`allocating inference tensors for ${key}`, async () =>
        new TrainGraph(this.gpu, this.kernels, this.options.spec, { batch: 1, width, height }, { params: this.params, grads: this.grads }, null));
      if (this.destroyed) {
        g.destroy(); // destroyed while it was allocated: nobody would free it
        this.assertAlive('infer');
      }
      this.inference.set(key, g);
    }
    this.gpu.device.queue.writeBuffer(g.input.buffer, 0, input);
    const enc = this.gpu.device.createCommandEncoder({ label: 'train inference' });
    g.encodeForward(enc);
    this.gpu.device.queue.submit([enc.finish()]);
    return new Float32Array(await this.gpu.readBuffer(g.output.buffer));
  }

  /**
   * Denoises linear RGB images of any size with the current parameters (padded to the network's multiple and
   * cropped back, as the runtime denoiser does); returns linear RGB, interleaved.
   */
  async denoise(images: DenoiseImages): Promise<Float32Array> {
    this.assertAlive('denoise');
    const k = inputExposure(this.options.spec, images);
    const input = preprocess(this.options.spec, images, 'f32', k);
    const out = await this.infer(input.data, input.width, input.height);
    return postprocess(this.options.spec, { channels: 3, width: input.width, height: input.height, data: out }, images, k);
  }

  /** Drops the inference graphs (their memory) until the next infer(). */
  releaseInference(): void {
    for (const g of this.inference.values()) g.destroy();
    this.inference.clear();
  }

  async weights(): Promise<NetworkWeights> {
    this.assertAlive('weights');
    return unpackParams(this.options.spec, new Float32Array(await this.gpu.readBuffer(this.params)));
  }

  /** Whether this trainer keeps a moving average of its parameters (emaDecay > 0). */
  get averaging(): boolean {
    return (this.options.emaDecay ?? 0) > 0;
  }

  /** The moving average of the parameters (emaDecay); the parameters themselves without one. */
  async averagedWeights(): Promise<NetworkWeights> {
    this.assertAlive('averagedWeights');
    return this.averaging ? unpackParams(this.options.spec, new Float32Array(await this.gpu.readBuffer(this.ema))) : this.weights();
  }

  /**
   * Runs `fn` (inference: infer, denoise, validation) with the moving average in place of the parameters, then puts
   * the parameters back; without averaging, just runs `fn`. No training step may run inside.
   */
  async withAveragedWeights<T>(fn: () => Promise<T>): Promise<T> {
    this.assertAlive('withAveragedWeights');
    if (!this.averaging) return fn();
    const bytes = this.parameterCount * 4;
    const saved = this.gpu.device.createBuffer({ label: 'train params (set aside)', size: bytes, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const swap = (from: GPUBuffer, to: GPUBuffer, keep?: GPUBuffer) => {
      const enc = this.gpu.device.createCommandEncoder({ label: 'swap in the parameter average' });
      if (keep) enc.copyBufferToBuffer(to, 0, keep, 0, bytes);
      enc.copyBufferToBuffer(from, 0, to, 0, bytes);
      this.gpu.device.queue.submit([enc.finish()]);
    };
    try {
      swap(this.ema, this.params, saved);
      return await fn();
    } finally {
      swap(saved, this.params);
      await this.gpu.device.queue.onSubmittedWorkDone();
      saved.destroy();
    }
  }

  /** Raw gradients of the last step (for tests). */
  async gradients(): Promise<Float32Array> {
    this.assertAlive('gradients');
    return new Float32Array(await this.gpu.readBuffer(this.grads));
  }

  async state(): Promise<TrainerState> {
    this.assertAlive('state');
    const read = async (b: GPUBuffer) => new Float32Array(await this.gpu.readBuffer(b));
    const state: TrainerState = { step: this.step, params: await read(this.params), m1: await read(this.m1), m2: await read(this.m2) };
    if (this.averaging) state.ema = await read(this.ema);
    return state;
  }

  setState(s: TrainerState): void {
    this.assertAlive('setState');
    const n = this.parameterCount;
    if (s.params.length !== n || s.m1.length !== n || s.m2.length !== n || (s.ema && s.ema.length !== n)) throw new RangeError(`trainer state holds ${s.params.length} parameters, expected ${n}`);
    const q = this.gpu.device.queue;
    q.writeBuffer(this.params, 0, s.params);
    if (this.averaging) q.writeBuffer(this.ema, 0, s.ema ?? s.params);
    q.writeBuffer(this.m1, 0, s.m1);
    q.writeBuffer(this.m2, 0, s.m2);
    this.step = s.step;
  }

  private assertAlive(what: string): void {
    if (this.destroyed) throw new GpuError(`NetworkTrainer.${what}: used after destroy()`);
  }

  /** Frees the GPU objects; a second call does nothing, and every later call but releaseInference throws. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.graph.destroy();
    this.releaseInference();
    const r = this.raw;
    for (const b of [this.params, this.grads, this.m1, this.m2, this.ema, this.adamUniform, this.lossRead, r.input, r.target, r.transforms, r.uniform]) b.destroy();
  }
}
