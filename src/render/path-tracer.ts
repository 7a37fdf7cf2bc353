// PathTracer: owns the scene buffers, the film and the integrator pipeline; accumulates samples progressively.
import { GpuError, type GpuContext } from '../gpu/context.ts';
import type { CompiledCamera, CompiledScene } from '../scene/compile.ts';
import { decodeFilm, decodeRadiance, type Frame, type FrameData } from './film.ts';
import { EstimatorMode, PARAMS_LAYOUT } from './layout.ts';
import { SceneBuffers } from './scene-buffers.ts';
import { integratorSource } from './shaders.ts';

export interface PathTracerOptions {
  width: number;
  height: number;
  /** Maximum number of bounces (pbrt's maxdepth): 0 = emitters seen directly only. Default 8. */
  maxDepth?: number;
  /** Bounce from which Russian roulette may end paths. Default 3. */
  rrDepth?: number;
  mode?: EstimatorMode;
  /** Opt-in per-sample radiance clamp (biased). 0 = off (default). */
  clamp?: number;
  /** Paths per GPU submission, to bound the time of one submit. Default 2^20. */
  pathsPerSubmit?: number;
  /**
   * Where in the pixel the camera rays go. 'uniform' (default): independent uniform jitter, as the noisy frames and
   * the training pairs need. 'sobol': each pixel's own Owen-scrambled Sobol sequence, still uniform per sample (any
   * spp is unbiased) but stratified over a pixel's first 2^k samples, so edges converge with far fewer rays (the
   * anti-aliased emission of src/render/emission.ts).
   */
  jitter?: JitterPattern;
  /**
   * Also accumulate each sample's first-hit emission (the emission of the surface its camera ray hits, or the
   * environment it escapes to) in a buffer of its own (`readFirstHitEmission`): exactly what a `maxDepth: 0` render
   * with the same seed and samples holds, without rendering it (emission separation, src/render/emission.ts). Costs
   * 16 bytes per pixel and one more read and write per pixel and pass. Default false.
   */
  firstHitEmission?: boolean;
}

export { decodeFilm, type Frame, type FrameData } from './film.ts';

export interface ProgressInfo {
  done: number;
  total: number;
  elapsedMs: number;
}

export const MAX_IMAGE_PIXELS = 8192 * 8192;
export type JitterPattern = 'uniform' | 'sobol';
const JITTER_CODES: Record<JitterPattern, number> = { uniform: 0, sobol: 1 };

export function checkJitter(jitter: string): void {
  if (!Object.hasOwn(JITTER_CODES, jitter)) throw new RangeError(`jitter must be one of ${Object.keys(JITTER_CODES).join(', ')}, got '${jitter}'`);
}

function checkSpp(spp: number): void {
  if (!Number.isInteger(spp) || spp < 1) throw new RangeError(`spp must be a positive integer, got ${spp}`);
}

/** The numeric options of PathTracer.create (the size and jitter are checked apart). */
function checkTracerOptions(o: Required<PathTracerOptions>): void {
  const count = (name: string, v: number, min: number, max = 0xffffffff): void => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`PathTracer: ${name} must be an integer of at least ${min}, got ${v}`);
  };
  count('maxDepth', o.maxDepth, 0);
  count('rrDepth', o.rrDepth, 0);
  count('pathsPerSubmit', o.pathsPerSubmit, 1, Number.MAX_SAFE_INTEGER);
  if (!(Number.isFinite(o.clamp) && o.clamp >= 0)) throw new RangeError(`PathTracer: clamp must be a finite number >= 0 (0: off), got ${o.clamp}`);
  const modes: readonly number[] = Object.values(EstimatorMode);
  if (!modes.includes(o.mode)) throw new RangeError(`PathTracer: mode must be one of the EstimatorMode values (${modes.join(', ')}), got ${String(o.mode)}`);
}

export interface PassSettings {
  width: number;
  height: number;
  sampleStart: number;
  sampleCount: number;
  seed: number;
  /** Rows [rowStart, rowStart + rowCount) of the image (megakernel only); default: the whole image. */
  rowStart?: number;
  rowCount?: number;
  /** > 0: a restricted render of this many pixels, kept side by side in the film (PathTracer.restrictTo). */
  slotCount?: number;
}

/** The `Params` uniform (shaders/pathtrace/params.wgsl) for one pass over `scene`. */
export function packParams(
  scene: CompiledScene,
  o: Required<Pick<PathTracerOptions, 'maxDepth' | 'mode' | 'clamp' | 'rrDepth'>> & Pick<PathTracerOptions, 'jitter' | 'firstHitEmission'>,
  pass: PassSettings,
): ArrayBuffer {
  const cam = scene.camera;
  const tanY = Math.tan(cam.fovY / 2);
  const tanX = tanY * (pass.width / pass.height);
  const env = scene.environment;
  // NEE picks the environment or an area light; half and half when both exist.
  const envSelect = env.kind === 0 ? 0 : scene.lights.count > 0 ? 0.5 : 1;
  const buf = new ArrayBuffer(PARAMS_LAYOUT.size);
  PARAMS_LAYOUT.write(new DataView(buf), 0, {
    width: pass.width,
    height: pass.height,
    sample_start: pass.sampleStart,
    sample_count: pass.sampleCount,
    seed: pass.seed,
    max_depth: o.maxDepth,
    mode: o.mode,
    light_count: scene.lights.count,
    light_power: scene.lights.totalPower,
    env_kind: env.kind,
    env_width: env.width,
    env_height: env.height,
    env_color: env.color,
    env_select_prob: envSelect,
    cam_origin: cam.origin,
    lens_radius: cam.lensRadius,
    cam_right: cam.right.map((v) => v * tanX),
    focus_dist: cam.focusDistance,
    cam_up: cam.up.map((v) => v * tanY),
    clamp_max: o.clamp,
    cam_forward: cam.forward,
    rr_depth: o.rrDepth,
    env_marginal_offset: env.marginalOffset,
    env_conditional_offset: env.conditionalOffset,
    row_start: pass.rowStart ?? 0,
    row_count: pass.rowCount ?? pass.height,
    jitter_pattern: JITTER_CODES[o.jitter ?? 'uniform'],
    first_hit: o.firstHitEmission === true ? 1 : 0,
    slot_count: pass.slotCount ?? 0,
  });
  return buf;
}

/** Kinds of the integrator's group 1 (params.wgsl, integrator.wgsl): params, film, first-hit emission. */
const FRAME_BINDINGS = ['uniform', 'write', 'write'] as const;

/** The layout of the integrator's group 1 (a pipeline built on integratorSource() needs it). */
export function frameBindGroupLayout(gpu: GpuContext, label: string): GPUBindGroupLayout {
  return gpu.bindGroupLayout(label, FRAME_BINDINGS);
}

/**
 * The integrator's group 1: the params uniform, the film, and the first-hit emission buffer (passes without
 * `first_hit` set never access it, so a 16-byte placeholder does; it must not be `film`: two writable bindings of
 * one buffer are a validation error).
 */
export function frameBindGroup(gpu: GpuContext, layout: GPUBindGroupLayout, label: string, b: { params: GPUBuffer; film: GPUBuffer; firstHit: GPUBuffer }): GPUBindGroup {
  return gpu.device.createBindGroup({
    label,
    layout,
    entries: [{ binding: 0, resource: { buffer: b.params } }, { binding: 1, resource: { buffer: b.film } }, { binding: 2, resource: { buffer: b.firstHit } }],
  });
}

/** A first-hit emission buffer for `pixels` pixels (vec4f each), or the 16-byte placeholder for 0. */
export function firstHitBuffer(gpu: GpuContext, pixels: number, label: string): GPUBuffer {
  return gpu.device.createBuffer({ label, size: Math.max(16, pixels * 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
}

/**
 * The compiled integrator and its bind group layouts. Independent of the scene, so callers can start it
 * (shader compilation takes a while) before or while the scene compiles, and share it between tracers.
 */
export class IntegratorPipeline {
  private constructor(
    readonly pipeline: GPUComputePipeline,
    readonly sceneLayout: GPUBindGroupLayout,
    readonly frameLayout: GPUBindGroupLayout,
  ) {}

  static async create(gpu: GpuContext): Promise<IntegratorPipeline> {
    const sceneLayout = SceneBuffers.layout(gpu);
    const frameLayout = frameBindGroupLayout(gpu, 'film bindings layout');
    const layout = gpu.device.createPipelineLayout({ label: 'path tracer layout', bindGroupLayouts: [sceneLayout, frameLayout] });
    const pipeline = await gpu.computePipeline('path tracer', integratorSource(), undefined, layout);
    return new IntegratorPipeline(pipeline, sceneLayout, frameLayout);
  }
}

export class PathTracer {
  readonly width: number;
  readonly height: number;
  private spp = 0;
  /** Index of the first sample in the film (see reset). */
  private firstSample = 0;
  private seed = 0;
  private destroyed = false;
  /** The asynchronous operation running (render, accumulate, ...), or null: one at a time (see `exclusive`). */
  private running: string | null = null;
  /** The scene as the passes see it: `scene` until setCamera replaces its camera. */
  private view: CompiledScene;
  /** Samples per row added by accumulateRows and not committed yet (all zero between whole samples). */
  private readonly rowPending: Uint32Array;
  private pendingRows = 0;
  /**
   * What restrictTo chose until the next reset: the chosen pixels' indices, in the order of their film slots (the
   * passes cover only these); null: the whole image.
   */
  private restriction: Uint32Array | null = null;

  private constructor(
    private readonly gpu: GpuContext,
    readonly scene: CompiledScene,
    private readonly options: Required<PathTracerOptions>,
    private readonly pipeline: GPUComputePipeline,
    private readonly sceneBuffers: SceneBuffers,
    private readonly sceneGroup: GPUBindGroup,
    private readonly params: GPUBuffer,
    private readonly film: GPUBuffer,
    /** The first-hit emission sums (options.firstHitEmission), else a 16-byte placeholder. */
    private readonly firstHit: GPUBuffer,
    private readonly frameGroup: GPUBindGroup,
  ) {
    this.width = options.width;
    this.height = options.height;
    this.view = scene;
    this.rowPending = new Uint32Array(options.height);
  }

  static async create(gpu: GpuContext, scene: CompiledScene, opts: PathTracerOptions & { pipeline?: Promise<IntegratorPipeline> | IntegratorPipeline }): Promise<PathTracer> {
    const options: Required<PathTracerOptions> = {
      maxDepth: opts.maxDepth ?? 8,
      rrDepth: opts.rrDepth ?? 3,
      mode: opts.mode ?? EstimatorMode.MIS,
      clamp: opts.clamp ?? 0,
      pathsPerSubmit: opts.pathsPerSubmit ?? 1 << 20,
      jitter: opts.jitter ?? 'uniform',
      firstHitEmission: opts.firstHitEmission ?? false,
      width: opts.width,
      height: opts.height,
    };
    const { width, height } = options;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width * height > MAX_IMAGE_PIXELS) {
      throw new RangeError(`image size must be whole numbers from 1x1 up to ${MAX_IMAGE_PIXELS} pixels, got ${width}x${height}`);
    }
    checkJitter(options.jitter);
    checkTracerOptions(options);
    const filmBytes = width * height * 16 * 4;
    if (filmBytes > gpu.limits.maxStorageBufferBindingSize) {
      throw new RangeError(`image ${width}x${height} needs a ${(filmBytes / 2 ** 20).toFixed(0)} MiB film, over this adapter's limit`);
    }
    const { pipeline, sceneLayout, frameLayout } = await (opts.pipeline ?? IntegratorPipeline.create(gpu));
    // what was made so far, given back if the allocation fails (out of memory, validation)
    let sceneBuffers: SceneBuffers | null = null;
    const owned: GPUBuffer[] = [];
    try {
      return await gpu.scoped('allocating path tracer buffers', () => {
        // every tracer of this compiled scene on this device reads the same copy of it
        sceneBuffers = SceneBuffers.acquire(gpu, scene);
        const sceneGroup = sceneBuffers.bindGroup(gpu, sceneLayout, `${scene.name}: scene`);
        const buffer = (d: GPUBufferDescriptor): GPUBuffer => {
          const b = gpu.device.createBuffer(d);
          owned.push(b);
          return b;
        };
        const params = buffer({ label: 'path tracer params', size: PARAMS_LAYOUT.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
        const film = buffer({ label: 'film', size: filmBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
        const firstHit = firstHitBuffer(gpu, options.firstHitEmission ? width * height : 0, options.firstHitEmission ? 'first-hit emission' : 'first-hit emission (unused)');
        owned.push(firstHit);
        const frameGroup = frameBindGroup(gpu, frameLayout, 'film bindings', { params, film, firstHit });
        return new PathTracer(gpu, scene, options, pipeline, sceneBuffers, sceneGroup, params, film, firstHit, frameGroup);
      });
    } catch (e) {
      for (const b of owned) b.destroy();
      (sceneBuffers as SceneBuffers | null)?.release();
      throw e;
    }
  }

  get samples(): number {
    return this.spp;
  }

  /** Maximum bounces (0: first-hit emission only). */
  get maxDepth(): number {
    return this.options.maxDepth;
  }

  /**
   * Clears the film; later samples use `seed` (different seeds give independent noise). Sample indices start
   * at `firstSample`, so a render continued elsewhere from sample N (same seed) adds new, independent samples
   * and the union equals one longer render.
   */
  reset(seed = 0, firstSample = 0): void {
    this.assertIdle('reset');
    this.resetNow(seed, firstSample);
  }

  private resetNow(seed: number, firstSample = 0): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    if (!Number.isInteger(firstSample) || firstSample < 0 || firstSample > 0xffffffff) throw new RangeError(`firstSample must be an integer in [0, 2^32), got ${firstSample}`);
    this.seed = seed;
    this.spp = 0;
    this.firstSample = firstSample;
    this.rowPending.fill(0);
    this.pendingRows = 0;
    this.restriction = null;
    const enc = this.gpu.device.createCommandEncoder({ label: 'clear film' });
    enc.clearBuffer(this.film);
    if (this.options.firstHitEmission) enc.clearBuffer(this.firstHit);
    this.gpu.device.queue.submit([enc.finish()]);
  }

  /**
   * Until the next reset or setCamera, renders only the pixels where `pixels` (one entry per pixel, row-major) is
   * non-zero; the others get no samples and read back as zeros (readFrame, readColor, readFirstHitEmission). Each
   * rendered pixel gets exactly the samples it gets in a full render with the same seed (its random streams depend
   * only on the pixel, the sample and the seed). Call it on an empty film, right after reset; it takes whole samples
   * (accumulate, not accumulateRows). The film then keeps the chosen pixels side by side (entry i of each plane: the
   * i-th chosen pixel in row-major order), so the passes run one invocation per chosen pixel and the read-backs
   * fetch only theirs: such a film is for read-back, not for the GPU denoiser (`frame()` refuses it).
   */
  restrictTo(pixels: Uint8Array): void {
    this.assertIdle('restrictTo');
    this.restrictNow(pixels);
  }

  private restrictNow(pixels: Uint8Array): void {
    const n = this.width * this.height;
    if (pixels.length !== n) throw new RangeError(`restrictTo: ${pixels.length} entries for a ${this.width}x${this.height} image`);
    if (this.spp > 0 || this.partial) throw new Error('restrictTo: the film already holds samples; call it right after reset');
    let chosen = 0;
    for (let i = 0; i < n; i++) if (pixels[i]) chosen++;
    const list = new Uint32Array(chosen);
    for (let i = 0, k = 0; k < chosen; i++) if (pixels[i]) list[k++] = i;
    // each slot's pixel index, in the w components of planes 1 and 2 (integrator.wgsl), the rest of the slot zero
    const hi = new Float32Array(chosen * 4);
    const lo = new Float32Array(chosen * 4);
    for (let k = 0; k < chosen; k++) {
      hi[k * 4 + 3] = list[k] >>> 16;
      lo[k * 4 + 3] = list[k] & 0xffff;
    }
    if (chosen > 0) {
      this.gpu.device.queue.writeBuffer(this.film, n * 16, hi);
      this.gpu.device.queue.writeBuffer(this.film, 2 * n * 16, lo);
    }
    this.restriction = list;
  }

  /**
   * Moves the camera without recompiling or re-uploading the scene (it only enters the per-pass uniforms), and
   * clears the film like reset(seed): samples of two views must never mix.
   */
  setCamera(camera: CompiledCamera): void {
    this.assertIdle('setCamera');
    const { origin, forward, right, up, fovY, lensRadius, focusDistance } = camera;
    if (![...origin, ...forward, ...right, ...up, fovY, lensRadius, focusDistance].every(Number.isFinite)) {
      throw new RangeError('setCamera: every camera value must be a finite number');
    }
    this.view = { ...this.scene, camera };
    this.resetNow(this.seed);
  }

  /**
   * One submission of `sampleCount` samples, from sample index `sampleStart`, over rows [rowStart, rowStart + rowCount)
   * or, in a restricted render, over the first `rowCount` rows' worth of its `slotCount` film slots.
   */
  private async pass(sampleStart: number, sampleCount: number, rowStart: number, rowCount: number, slotCount = 0): Promise<void> {
    await this.gpu.scoped('path tracing pass', async () => {
      const pass = { width: this.width, height: this.height, sampleStart, sampleCount, seed: this.seed, rowStart, rowCount, slotCount };
      this.gpu.device.queue.writeBuffer(this.params, 0, packParams(this.view, this.options, pass));
      const enc = this.gpu.device.createCommandEncoder({ label: 'path tracing pass' });
      const cp = enc.beginComputePass({ label: 'path tracing' });
      cp.setPipeline(this.pipeline);
      cp.setBindGroup(0, this.sceneGroup);
      cp.setBindGroup(1, this.frameGroup);
      cp.dispatchWorkgroups(Math.ceil(this.width / 8), Math.ceil(rowCount / 8));
      cp.end();
      this.gpu.device.queue.submit([enc.finish()]);
      await this.gpu.device.queue.onSubmittedWorkDone();
    });
  }

  /** Adds `spp` samples per pixel to the film. Not while a band-by-band sample is under way (see `partial`). */
  accumulate(spp: number, onProgress?: (p: ProgressInfo) => void): Promise<void> {
    return this.exclusive('accumulate', () => this.accumulateNow(spp, onProgress));
  }

  private async accumulateNow(spp: number, onProgress?: (p: ProgressInfo) => void): Promise<void> {
    checkSpp(spp);
    this.assertWhole('accumulate');
    const slots = this.restriction?.length ?? 0;
    const pixels = this.restriction ? Math.max(1, slots) : this.width * this.height;
    // a restricted render's slots fill rows of `width` invocations
    const rowCount = this.restriction ? Math.ceil(slots / this.width) : this.height;
    // a few chosen pixels take many samples per submission
    const perPass = Math.max(1, Math.min(spp, Math.floor(this.options.pathsPerSubmit / pixels)));
    const start = performance.now();
    let done = 0;
    while (done < spp) {
      const n = Math.min(perPass, spp - done);
      if (rowCount > 0) await this.pass(this.firstSample + this.spp, n, 0, rowCount, slots);
      this.assertAlive(); // destroyed during the pass: stop, rather than submit with freed buffers
      this.spp += n;
      done += n;
      onProgress?.({ done, total: spp, elapsedMs: performance.now() - start });
    }
  }

  /** True while some rows hold samples that commitSamples has not counted yet. */
  get partial(): boolean {
    return this.pendingRows > 0;
  }

  /**
   * Adds `sampleCount` samples to rows [rowStart, rowStart + rowCount) only, in one submission: a sample too slow
   * for one submission can be rendered as bands. The band's rows get the sample indices that follow the ones they
   * hold (the committed `samples` plus their uncommitted ones), so every row of a band must hold the same number of
   * uncommitted samples. Once every row holds n of them, commitSamples(n) adds n to `samples`; the film is then
   * bitwise identical to accumulate(n). Until then readFrame() still decodes each pixel by its own count, but
   * frame().spp does not describe the uncommitted rows, and accumulate() refuses. reset/setCamera drop them.
   */
  accumulateRows(rowStart: number, rowCount: number, sampleCount: number): Promise<void> {
    return this.exclusive('accumulateRows', () => this.accumulateRowsNow(rowStart, rowCount, sampleCount));
  }

  private async accumulateRowsNow(rowStart: number, rowCount: number, sampleCount: number): Promise<void> {
    if (!Number.isInteger(rowStart) || rowStart < 0 || rowStart >= this.height) {
      throw new RangeError(`rowStart must be an integer in [0, ${this.height}), got ${rowStart}`);
    }
    if (!Number.isInteger(rowCount) || rowCount < 1 || rowStart + rowCount > this.height) {
      throw new RangeError(`rowCount must be an integer in [1, ${this.height - rowStart}] for rowStart ${rowStart}, got ${rowCount}`);
    }
    if (!Number.isInteger(sampleCount) || sampleCount < 1) throw new RangeError(`sampleCount must be a positive integer, got ${sampleCount}`);
    if (this.restriction) throw new Error('accumulateRows: a restricted render (restrictTo) takes whole samples; use accumulate');
    const held = this.rowPending[rowStart];
    for (let r = rowStart + 1; r < rowStart + rowCount; r++) {
      if (this.rowPending[r] !== held) {
        throw new RangeError(`rows ${rowStart}..${rowStart + rowCount - 1} hold different numbers of uncommitted samples (${held} in row ${rowStart}, ${this.rowPending[r]} in row ${r})`);
      }
    }
    await this.pass(this.firstSample + this.spp + held, sampleCount, rowStart, rowCount);
    this.assertAlive();
    if (held === 0) this.pendingRows += rowCount;
    this.rowPending.fill(held + sampleCount, rowStart, rowStart + rowCount);
  }

  /** Counts `sampleCount` band-rendered samples (accumulateRows) that every row now holds; see accumulateRows. */
  commitSamples(sampleCount: number): void {
    this.assertIdle('commitSamples');
    if (!Number.isInteger(sampleCount) || sampleCount < 1) throw new RangeError(`sampleCount must be a positive integer, got ${sampleCount}`);
    const r = this.rowPending.findIndex((n) => n !== sampleCount);
    if (r >= 0) throw new RangeError(`commitSamples(${sampleCount}): row ${r} holds ${this.rowPending[r]} uncommitted samples`);
    this.spp += sampleCount;
    this.rowPending.fill(0);
    this.pendingRows = 0;
  }

  private assertWhole(what: string): void {
    if (this.partial) throw new Error(`${what}: a band-by-band sample is under way; finish it (accumulateRows, commitSamples) or reset first`);
  }

  /** Clears the film and renders `spp` samples per pixel with `seed`. */
  render(opts: { spp: number; seed?: number; onProgress?: (p: ProgressInfo) => void }): Promise<Frame> {
    return this.exclusive('render', async () => {
      // checked before the film is cleared: a bad call leaves the film as it was
      checkSpp(opts.spp);
      this.resetNow(opts.seed ?? 0);
      await this.accumulateNow(opts.spp, opts.onProgress);
      return this.frame();
    });
  }

  /** The film as it is on the GPU, for the GPU denoiser; refused for a restricted render (its film is not an image). */
  frame(): Frame {
    this.assertAlive();
    if (this.restriction) throw new Error('frame(): a restricted render (restrictTo) keeps its pixels side by side in the film, not as an image; read it back with readFrame or readColor');
    return { width: this.width, height: this.height, spp: this.spp, film: this.film };
  }

  /** The film's means (and, with the firstHitEmission option, the first-hit emission's, read in the same state). */
  async readFrame(): Promise<FrameData> {
    this.assertAlive();
    // both copies are submitted before either read-back is awaited: the same state of both buffers
    const [film, firstHit] = await Promise.all([this.readFilm(), this.options.firstHitEmission ? this.readFirstHitEmission() : null]);
    const frame = decodeFilm(film, this.width, this.height, this.spp);
    if (firstHit) frame.firstHitEmission = firstHit;
    return frame;
  }

  /**
   * Renders `spp` samples of the window [x, x + width) x [y, y + height) of the view alone (restrictTo) with `seed`
   * and reads it back as a width x height frame (with the first-hit emission under that option): the window of a
   * whole render with the same seed and spp, value for value (a pixel's samples depend only on the pixel, the
   * sample and the seed), at the window's cost in rendering, read-back and memory. Online training takes its pairs
   * from windows of large views. Leaves the film restricted, like restrictTo.
   */
  renderWindow(x: number, y: number, width: number, height: number, spp: number, seed = 0): Promise<FrameData> {
    return this.exclusive('renderWindow', () => this.renderWindowNow(x, y, width, height, spp, seed));
  }

  private async renderWindowNow(x: number, y: number, width: number, height: number, spp: number, seed: number): Promise<FrameData> {
    const ints = [x, y, width, height].every(Number.isInteger);
    if (!ints || x < 0 || y < 0 || width < 1 || height < 1 || x + width > this.width || y + height > this.height) {
      throw new RangeError(`renderWindow: ${width}x${height} at (${x}, ${y}) is not a window of the ${this.width}x${this.height} view`);
    }
    checkSpp(spp);
    this.resetNow(seed);
    const mask = new Uint8Array(this.width * this.height);
    for (let r = y; r < y + height; r++) mask.fill(1, r * this.width + x, r * this.width + x + width);
    this.restrictNow(mask); // its slots: the window's pixels in row-major order
    await this.accumulateNow(spp);
    const [film, firstHit] = await Promise.all([this.readSlotFilm(), this.options.firstHitEmission ? this.readSlotMeans(this.firstHit) : null]);
    const frame = decodeFilm(film, width, height, this.spp);
    if (firstHit) frame.firstHitEmission = firstHit;
    return frame;
  }

  /** Whether the first-hit emission is accumulated (the firstHitEmission option). */
  get keepsFirstHitEmission(): boolean {
    return this.options.firstHitEmission;
  }

  /**
   * The mean first-hit emission per pixel, RGB (firstHitEmission option): bitwise what readColor() of a `maxDepth: 0`
   * render with the same seed and samples returns, except that a sample the film counted as zero (NaN/Inf
   * radiance) counts as zero here too, and `clamp` applies to it as to the radiance. Pixels without samples read 0.
   */
  async readFirstHitEmission(): Promise<Float32Array> {
    this.assertAlive();
    if (!this.options.firstHitEmission) throw new Error('readFirstHitEmission: this PathTracer was created without firstHitEmission');
    return this.readMeans(this.firstHit, { start: 0, count: this.height });
  }

  /**
   * readFrame().color alone, reading back only the film's radiance plane (a quarter of it); with `rows`, only those
   * rows of it, the others reading as zeros. A restricted render (restrictTo) reads back only its chosen pixels.
   */
  async readColor(rows: { start: number; count: number } = { start: 0, count: this.height }): Promise<Float32Array> {
    this.assertAlive();
    const { start, count } = rows;
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > this.height) {
      throw new RangeError(`readColor: rows ${start}..${start + count - 1} are not within the ${this.height} rows`);
    }
    return this.readMeans(this.film, rows);
  }

  /**
   * Per-pixel means (RGB) of rows [start, start + count) of a plane of sums + counts (`buffer`'s first), zeros
   * elsewhere; of a restricted render, its slots put back at their pixels.
   */
  private async readMeans(buffer: GPUBuffer, { start, count }: { start: number; count: number }): Promise<Float32Array> {
    const { width } = this;
    const color = new Float32Array(width * this.height * 3);
    const list = this.restriction;
    if (list) {
      if (list.length === 0 || count === 0) return color;
      const means = await this.readSlotMeans(buffer);
      const [lo, hi] = [start * width, (start + count) * width];
      for (let k = 0; k < list.length; k++) {
        const p = list[k];
        if (p >= lo && p < hi) color.set(means.subarray(k * 3, k * 3 + 3), p * 3);
      }
      return color;
    }
    if (count === 0) return color;
    const rowBytes = width * 16;
    const raw = new Float32Array(await this.gpu.readBuffer(buffer, start * rowBytes, count * rowBytes));
    color.set(decodeRadiance(raw, width, count), start * width * 3);
    return color;
  }

  /** The film's four planes as full images (decodeFilm's input); a restricted render's slots put back at their pixels. */
  private async readFilm(): Promise<Float32Array> {
    const list = this.restriction;
    if (!list) return new Float32Array(await this.gpu.readBuffer(this.film));
    const n = this.width * this.height;
    const film = new Float32Array(16 * n);
    if (list.length === 0) return film;
    const slots = await this.readSlotFilm();
    const m = list.length;
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < m; i++) film.set(slots.subarray((k * m + i) * 4, (k * m + i) * 4 + 4), (k * n + list[i]) * 4);
    }
    return film;
  }

  /**
   * A restricted render's film as the four planes of an image of its slots side by side (decodeFilm's input for
   * `slots` x 1 pixels, or the window's shape for renderWindow): the read-back fetches only the slots.
   */
  private async readSlotFilm(): Promise<Float32Array> {
    const m = this.restriction?.length ?? 0;
    const n = this.width * this.height;
    const film = new Float32Array(16 * m);
    if (m === 0) return film;
    const planes = await Promise.all([0, 1, 2, 3].map((k) => this.gpu.readBuffer(this.film, k * n * 16, m * 16)));
    planes.forEach((b, k) => film.set(new Float32Array(b), k * m * 4));
    // the slots' pixel indices (planes 1 and 2's w) are no sums
    for (let i = 0; i < m; i++) film[(m + i) * 4 + 3] = film[(2 * m + i) * 4 + 3] = 0;
    return film;
  }

  /** Per-slot means (RGB, slot order) of a restricted render's plane of sums + counts in `buffer` (film or first hit). */
  private async readSlotMeans(buffer: GPUBuffer): Promise<Float32Array> {
    const m = this.restriction?.length ?? 0;
    return decodeRadiance(new Float32Array(await this.gpu.readBuffer(buffer, 0, m * 16)), m, 1);
  }

  private assertAlive(): void {
    if (this.destroyed) throw new GpuError('PathTracer used after destroy()');
  }

  /** For calls that change the film or its sample counts: refused while an asynchronous one is running. */
  private assertIdle(what: string): void {
    this.assertAlive();
    if (this.running) {
      throw new Error(`PathTracer.${what}: a ${this.running} call is still running on this PathTracer; await it first (one PathTracer renders one thing at a time)`);
    }
  }

  /**
   * Runs `fn`, an operation that changes the film over several GPU submissions, alone: a second one started before
   * it settles is refused (they would interleave their samples, seeds and counts).
   */
  private async exclusive<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.assertIdle(what);
    this.running = what;
    try {
      return await fn();
    } finally {
      this.running = null;
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.sceneBuffers.release();
    this.params.destroy();
    this.film.destroy();
    this.firstHit.destroy();
  }
}
