// PathTracer: owns the scene buffers, the film and the integrator pipeline; accumulates samples progressively.
import { GpuError, type GpuContext } from '../gpu/context.ts';
import type { CompiledCamera, CompiledScene } from '../scene/compile.ts';
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
}

/** The film on the GPU: four planes of vec4f (radiance sum + count, radiance^2 sum, albedo sum, normal+depth sum). */
export interface Frame {
  width: number;
  height: number;
  spp: number;
  film: GPUBuffer;
}

/** A frame read back to the CPU; per-pixel means over the accumulated samples. */
export interface FrameData {
  width: number;
  height: number;
  spp: number;
  /** Linear HDR radiance, RGB per pixel. */
  color: Float32Array;
  /** Per-pixel variance of one sample (unbiased), RGB; divide by spp for the variance of the mean. */
  variance: Float32Array;
  albedo: Float32Array;
  normal: Float32Array;
  depth: Float32Array;
}

/** Means and per-sample variances from the raw film (four vec4f planes, see integrator.wgsl). */
export function decodeFilm(raw: Float32Array, width: number, height: number, spp: number): FrameData {
  const n = width * height;
  if (raw.length < 16 * n) throw new RangeError(`film of ${raw.length} floats is too small for ${width}x${height}`);
  const out: FrameData = {
    width,
    height,
    spp,
    color: new Float32Array(n * 3),
    variance: new Float32Array(n * 3),
    albedo: new Float32Array(n * 3),
    normal: new Float32Array(n * 3),
    depth: new Float32Array(n),
  };
  if (spp === 0) return out;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const mean = raw[i * 4 + c] / spp;
      out.color[i * 3 + c] = mean;
      const sq = raw[(n + i) * 4 + c] / spp;
      out.variance[i * 3 + c] = spp > 1 ? Math.max(0, (sq - mean * mean) * (spp / (spp - 1))) : 0;
      out.albedo[i * 3 + c] = raw[(2 * n + i) * 4 + c] / spp;
      out.normal[i * 3 + c] = raw[(3 * n + i) * 4 + c] / spp;
    }
    out.depth[i] = raw[(3 * n + i) * 4 + 3] / spp;
  }
  return out;
}

export interface ProgressInfo {
  done: number;
  total: number;
  elapsedMs: number;
}

export const MAX_IMAGE_PIXELS = 8192 * 8192;

export interface PassSettings {
  width: number;
  height: number;
  sampleStart: number;
  sampleCount: number;
  seed: number;
}

/** The `Params` uniform (shaders/pathtrace/params.wgsl) for one pass over `scene`. */
export function packParams(
  scene: CompiledScene,
  o: Required<Pick<PathTracerOptions, 'maxDepth' | 'mode' | 'clamp' | 'rrDepth'>>,
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
  });
  return buf;
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
    const frameLayout = gpu.bindGroupLayout('film bindings layout', ['uniform', 'write']);
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
  /** The scene as the passes see it: `scene` until setCamera replaces its camera. */
  private view: CompiledScene;

  private constructor(
    private readonly gpu: GpuContext,
    readonly scene: CompiledScene,
    private readonly options: Required<PathTracerOptions>,
    private readonly pipeline: GPUComputePipeline,
    private readonly sceneBuffers: SceneBuffers,
    private readonly sceneGroup: GPUBindGroup,
    private readonly params: GPUBuffer,
    private readonly film: GPUBuffer,
    private readonly frameGroup: GPUBindGroup,
  ) {
    this.width = options.width;
    this.height = options.height;
    this.view = scene;
  }

  static async create(gpu: GpuContext, scene: CompiledScene, opts: PathTracerOptions & { pipeline?: Promise<IntegratorPipeline> | IntegratorPipeline }): Promise<PathTracer> {
    const options: Required<PathTracerOptions> = {
      maxDepth: opts.maxDepth ?? 8,
      rrDepth: opts.rrDepth ?? 3,
      mode: opts.mode ?? EstimatorMode.MIS,
      clamp: opts.clamp ?? 0,
      pathsPerSubmit: opts.pathsPerSubmit ?? 1 << 20,
      width: opts.width,
      height: opts.height,
    };
    const { width, height } = options;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width * height > MAX_IMAGE_PIXELS) {
      throw new RangeError(`image size must be whole numbers from 1x1 up to ${MAX_IMAGE_PIXELS} pixels, got ${width}x${height}`);
    }
    const filmBytes = width * height * 16 * 4;
    if (filmBytes > gpu.limits.maxStorageBufferBindingSize) {
      throw new RangeError(`image ${width}x${height} needs a ${(filmBytes / 2 ** 20).toFixed(0)} MiB film, over this adapter's limit`);
    }
    const { pipeline, sceneLayout, frameLayout } = await (opts.pipeline ?? IntegratorPipeline.create(gpu));
    return gpu.scoped('allocating path tracer buffers', () => {
      const sceneBuffers = new SceneBuffers(gpu, scene);
      const sceneGroup = sceneBuffers.bindGroup(gpu, sceneLayout, `${scene.name}: scene`);
      const params = gpu.device.createBuffer({ label: 'path tracer params', size: PARAMS_LAYOUT.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      const film = gpu.device.createBuffer({ label: 'film', size: filmBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      const frameGroup = gpu.device.createBindGroup({
        label: 'film bindings',
        layout: frameLayout,
        entries: [{ binding: 0, resource: { buffer: params } }, { binding: 1, resource: { buffer: film } }],
      });
      return new PathTracer(gpu, scene, options, pipeline, sceneBuffers, sceneGroup, params, film, frameGroup);
    });
  }

  get samples(): number {
    return this.spp;
  }

  /**
   * Clears the film; later samples use `seed` (different seeds give independent noise). Sample indices start
   * at `firstSample`, so a render continued elsewhere from sample N (same seed) adds new, independent samples
   * and the union equals one longer render.
   */
  reset(seed = 0, firstSample = 0): void {
    this.assertAlive();
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    if (!Number.isInteger(firstSample) || firstSample < 0 || firstSample > 0xffffffff) throw new RangeError(`firstSample must be an integer in [0, 2^32), got ${firstSample}`);
    this.seed = seed;
    this.spp = 0;
    this.firstSample = firstSample;
    const enc = this.gpu.device.createCommandEncoder({ label: 'clear film' });
    enc.clearBuffer(this.film);
    this.gpu.device.queue.submit([enc.finish()]);
  }

  /**
   * Moves the camera without recompiling or re-uploading the scene (it only enters the per-pass uniforms), and
   * clears the film like reset(seed): samples of two views must never mix.
   */
  setCamera(camera: CompiledCamera): void {
    this.assertAlive();
    const { origin, forward, right, up, fovY, lensRadius, focusDistance } = camera;
    if (![...origin, ...forward, ...right, ...up, fovY, lensRadius, focusDistance].every(Number.isFinite)) {
      throw new RangeError('setCamera: every camera value must be a finite number');
    }
    this.view = { ...this.scene, camera };
    this.reset(this.seed);
  }

  private writeParams(sampleStart: number, sampleCount: number): void {
    const buf = packParams(this.view, this.options, { width: this.width, height: this.height, sampleStart, sampleCount, seed: this.seed });
    this.gpu.device.queue.writeBuffer(this.params, 0, buf);
  }

  /** Adds `spp` samples per pixel to the film. */
  async accumulate(spp: number, onProgress?: (p: ProgressInfo) => void): Promise<void> {
    this.assertAlive();
    if (!Number.isInteger(spp) || spp < 1) throw new RangeError(`spp must be a positive integer, got ${spp}`);
    const perPass = Math.max(1, Math.min(spp, Math.floor(this.options.pathsPerSubmit / (this.width * this.height))));
    const start = performance.now();
    let done = 0;
    while (done < spp) {
      const n = Math.min(perPass, spp - done);
      await this.gpu.scoped('path tracing pass', async () => {
        this.writeParams(this.firstSample + this.spp, n);
        const enc = this.gpu.device.createCommandEncoder({ label: 'path tracing pass' });
        const pass = enc.beginComputePass({ label: 'path tracing' });
        pass.setPipeline(this.pipeline);
        pass.setBindGroup(0, this.sceneGroup);
        pass.setBindGroup(1, this.frameGroup);
        pass.dispatchWorkgroups(Math.ceil(this.width / 8), Math.ceil(this.height / 8));
        pass.end();
        this.gpu.device.queue.submit([enc.finish()]);
        await this.gpu.device.queue.onSubmittedWorkDone();
      });
      this.spp += n;
      done += n;
      onProgress?.({ done, total: spp, elapsedMs: performance.now() - start });
    }
  }

  /** Clears the film and renders `spp` samples per pixel with `seed`. */
  async render(opts: { spp: number; seed?: number; onProgress?: (p: ProgressInfo) => void }): Promise<Frame> {
    this.reset(opts.seed ?? 0);
    await this.accumulate(opts.spp, opts.onProgress);
    return this.frame();
  }

  frame(): Frame {
    return { width: this.width, height: this.height, spp: this.spp, film: this.film };
  }

  async readFrame(): Promise<FrameData> {
    this.assertAlive();
    const raw = new Float32Array(await this.gpu.readBuffer(this.film));
    return decodeFilm(raw, this.width, this.height, this.spp);
  }

  private assertAlive(): void {
    if (this.destroyed) throw new GpuError('PathTracer used after destroy()');
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.sceneBuffers.destroy();
    this.params.destroy();
    this.film.destroy();
  }
}
