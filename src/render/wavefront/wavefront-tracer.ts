// WavefrontTracer: the same estimator as PathTracer, split into kernels that pass path state through GPU
// buffers (Laine et al. 2013, "Megakernels considered harmful"). An experiment measured against the
// megakernel by bench/wavefront.ts; it renders into the same film layout, so results compare directly.
// Per wave: generate -> (extend -> shade -> control -> connect) x (maxDepth + 1) -> finish. The per-bounce
// dispatches are indirect, sized by control.wgsl from the queue counters, so no CPU round trip is needed.
import { GpuError, type GpuContext } from '../../gpu/context.ts';
import type { CompiledScene } from '../../scene/compile.ts';
import { EstimatorMode } from '../layout.ts';
import { checkJitter, decodeFilm, MAX_IMAGE_PIXELS, packParams, type Frame, type FrameData, type PathTracerOptions, type ProgressInfo } from '../path-tracer.ts';
import { SceneBuffers } from '../scene-buffers.ts';
import { planWaves, WaveBuffers, type Wave } from './wave-buffers.ts';
import { ARGS_RAYS_OFFSET, ARGS_SHADOW_OFFSET, createWavefrontKernels, WF_GROUP, type WavefrontKernels } from './kernels.ts';

/** PathTracer's options but `pathsPerSubmit` and `firstHitEmission` (emission separation uses the megakernel). */
export interface WavefrontOptions extends Omit<PathTracerOptions, 'pathsPerSubmit' | 'firstHitEmission'> {
  /** Most paths in flight per wave (a whole number of samples of all pixels when they fit). Default 2^18. */
  waveSize?: number;
  /** Trace closest hits inside the shade kernel instead of a separate extend kernel. Default false. */
  fusedExtend?: boolean;
  /** Bounces recorded per queue submission (1 = submit every bounce). Default 16. */
  bouncesPerSubmit?: number;
}

type ResolvedOptions = Required<WavefrontOptions>;

/** Bounces after which the CPU checks whether any path is left (only matters for large maxDepth). */
const LIVENESS_CHECK_BOUNCES = 16;

export class WavefrontTracer {
  readonly width: number;
  readonly height: number;
  private spp = 0;
  private seed = 0;
  private destroyed = false;
  /** Work recorded since creation (for benchmarks and tests): waves, bounce iterations, queue submits. */
  readonly stats = { waves: 0, bounces: 0, submits: 0 };

  private constructor(
    private readonly gpu: GpuContext,
    readonly scene: CompiledScene,
    readonly options: ResolvedOptions,
    private readonly kernels: WavefrontKernels,
    private readonly sceneBuffers: SceneBuffers,
    private readonly sceneGroup: GPUBindGroup,
    private readonly buffers: WaveBuffers,
  ) {
    this.width = options.width;
    this.height = options.height;
  }

  static async create(gpu: GpuContext, scene: CompiledScene, opts: WavefrontOptions): Promise<WavefrontTracer> {
    const options: ResolvedOptions = {
      maxDepth: 8,
      rrDepth: 3,
      mode: EstimatorMode.MIS,
      clamp: 0,
      waveSize: 1 << 18,
      fusedExtend: false,
      bouncesPerSubmit: 16,
      jitter: 'uniform',
      ...opts,
    };
    checkJitter(options.jitter);
    const { width, height, waveSize, bouncesPerSubmit } = options;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width * height > MAX_IMAGE_PIXELS) {
      throw new RangeError(`wavefront: image size must be whole numbers from 1x1 up to ${MAX_IMAGE_PIXELS} pixels, got ${width}x${height}`);
    }
    if (!Number.isInteger(waveSize) || waveSize < 1) throw new RangeError(`wavefront: waveSize must be a positive integer, got ${waveSize}`);
    if (!Number.isInteger(bouncesPerSubmit) || bouncesPerSubmit < 1) {
      throw new RangeError(`wavefront: bouncesPerSubmit must be a positive integer, got ${bouncesPerSubmit}`);
    }
    const kernels = await createWavefrontKernels(gpu, options.fusedExtend);
    return gpu.scoped('allocating wavefront buffers', () => {
      const sceneBuffers = new SceneBuffers(gpu, scene);
      try {
        const sceneGroup = sceneBuffers.bindGroup(gpu, kernels.sceneLayout, `${scene.name}: scene (wavefront)`);
        const buffers = new WaveBuffers(gpu, kernels, width, height, waveSize);
        return new WavefrontTracer(gpu, scene, options, kernels, sceneBuffers, sceneGroup, buffers);
      } catch (e) {
        sceneBuffers.destroy();
        throw e;
      }
    });
  }

  get samples(): number {
    return this.spp;
  }

  /** Clears the film; later samples use `seed`. */
  reset(seed = 0): void {
    this.assertAlive();
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`wavefront: seed must be an integer in [0, 2^32), got ${seed}`);
    this.seed = seed;
    this.spp = 0;
    const enc = this.gpu.device.createCommandEncoder({ label: 'wavefront clear film' });
    enc.clearBuffer(this.buffers.film);
    this.gpu.device.queue.submit([enc.finish()]);
  }

  /** Adds `spp` samples per pixel to the film. */
  async accumulate(spp: number, onProgress?: (p: ProgressInfo) => void): Promise<void> {
    this.assertAlive();
    if (!Number.isInteger(spp) || spp < 1) throw new RangeError(`wavefront: spp must be a positive integer, got ${spp}`);
    const params = packParams(this.scene, this.options, { width: this.width, height: this.height, sampleStart: this.spp, sampleCount: 0, seed: this.seed });
    this.gpu.device.queue.writeBuffer(this.buffers.params, 0, params);
    const start = performance.now();
    const waves = planWaves(this.width * this.height, this.spp, spp, this.buffers.capacity);
    const total = this.width * this.height * spp;
    let done = 0;
    for (const wave of waves) {
      await this.gpu.scoped('wavefront wave', () => this.runWave(wave));
      done += wave.pixelCount * wave.samples;
      onProgress?.({ done: Math.floor((done / total) * spp), total: spp, elapsedMs: performance.now() - start });
    }
    this.spp += spp;
  }

  private async runWave(wave: Wave): Promise<void> {
    const { device } = this.gpu;
    const b = this.buffers;
    const k = this.kernels;
    const pathCount = wave.pixelCount * wave.samples;
    b.startWave(wave);
    let enc = device.createCommandEncoder({ label: 'wavefront wave' });
    let pass: GPUComputePassEncoder | null = enc.beginComputePass({ label: 'wavefront generate' });
    pass.setBindGroup(0, this.sceneGroup);
    pass.setPipeline(k.generate);
    pass.setBindGroup(1, b.groups[1]); // its queue_out is bounce 0's queue_in
    pass.dispatchWorkgroups(Math.ceil(pathCount / WF_GROUP));
    const bounces = this.options.maxDepth + 1;
    for (let bounce = 0; bounce < bounces; ) {
      pass.setBindGroup(1, b.groups[bounce % 2]);
      if (k.extend) {
        pass.setPipeline(k.extend);
        pass.dispatchWorkgroupsIndirect(b.args, ARGS_RAYS_OFFSET);
      }
      pass.setPipeline(k.shade);
      pass.dispatchWorkgroupsIndirect(b.args, ARGS_RAYS_OFFSET);
      pass.setPipeline(k.control);
      pass.setBindGroup(2, b.argsGroup);
      pass.dispatchWorkgroups(1);
      pass.setPipeline(k.connect);
      pass.dispatchWorkgroupsIndirect(b.args, ARGS_SHADOW_OFFSET);
      bounce++;
      this.stats.bounces++;
      if (bounce === bounces) break;
      const check = bounce % LIVENESS_CHECK_BOUNCES === 0;
      if (bounce % this.options.bouncesPerSubmit === 0 || check) {
        pass.end();
        device.queue.submit([enc.finish()]);
        this.stats.submits++;
        enc = device.createCommandEncoder({ label: 'wavefront bounces' });
        // With a large maxDepth, stop once Russian roulette has ended every path.
        if (check && (await b.raysLeft()) === 0) {
          pass = null;
          break;
        }
        pass = enc.beginComputePass({ label: 'wavefront bounces' });
        pass.setBindGroup(0, this.sceneGroup);
      }
    }
    pass?.end();
    // Finish in its own pass: needs the last bounce's state (in case of an early liveness break too).
    const fin = enc.beginComputePass({ label: 'wavefront finish' });
    fin.setPipeline(k.finish);
    fin.setBindGroup(0, this.sceneGroup);
    fin.setBindGroup(1, b.groups[0]);
    fin.dispatchWorkgroups(Math.ceil(wave.pixelCount / WF_GROUP));
    fin.end();
    device.queue.submit([enc.finish()]);
    this.stats.submits++;
    this.stats.waves++;
    await device.queue.onSubmittedWorkDone();
  }

  /** Clears the film and renders `spp` samples per pixel with `seed`. */
  async render(opts: { spp: number; seed?: number; onProgress?: (p: ProgressInfo) => void }): Promise<Frame> {
    this.reset(opts.seed ?? 0);
    await this.accumulate(opts.spp, opts.onProgress);
    return this.frame();
  }

  frame(): Frame {
    return { width: this.width, height: this.height, spp: this.spp, film: this.buffers.film };
  }

  async readFrame(): Promise<FrameData> {
    this.assertAlive();
    const raw = new Float32Array(await this.gpu.readBuffer(this.buffers.film));
    return decodeFilm(raw, this.width, this.height, this.spp);
  }

  private assertAlive(): void {
    if (this.destroyed) throw new GpuError('WavefrontTracer used after destroy()');
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.sceneBuffers.destroy();
    this.buffers.destroy();
  }
}
