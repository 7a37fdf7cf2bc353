// The megakernel (shaders/pathtrace/integrator.wgsl) with knobs turned from the outside, for bench/wavefront.ts:
// its `override WG_X, WG_Y` workgroup size and the number of samples per dispatch. Same WGSL, same film
// layout as PathTracer; only the pipeline constants and the dispatch change.
import type { GpuContext } from '../src/gpu/context.ts';
import { EstimatorMode, PARAMS_LAYOUT } from '../src/render/layout.ts';
import { firstHitBuffer, frameBindGroup, frameBindGroupLayout, packParams } from '../src/render/path-tracer.ts';
import { SceneBuffers } from '../src/render/scene-buffers.ts';
import { integratorSource } from '../src/render/shaders.ts';
import type { CompiledScene } from '../src/scene/compile.ts';

export interface MegakernelKnobs {
  width: number;
  height: number;
  maxDepth: number;
  wgX: number;
  wgY: number;
  /** Samples per pixel traced by one dispatch (one queue submit each). */
  samplesPerDispatch: number;
}

export class MegakernelVariant {
  private spp = 0;

  private constructor(
    private readonly gpu: GpuContext,
    private readonly scene: CompiledScene,
    readonly knobs: MegakernelKnobs,
    private readonly pipeline: GPUComputePipeline,
    private readonly sceneBuffers: SceneBuffers,
    private readonly sceneGroup: GPUBindGroup,
    private readonly params: GPUBuffer,
    /** The film (same layout as PathTracer's), for checking what was rendered. */
    readonly film: GPUBuffer,
    private readonly firstHit: GPUBuffer,
    private readonly filmGroup: GPUBindGroup,
  ) {}

  static async create(gpu: GpuContext, scene: CompiledScene, knobs: MegakernelKnobs): Promise<MegakernelVariant> {
    const { wgX, wgY, width, height, samplesPerDispatch } = knobs;
    if (wgX * wgY > gpu.limits.maxComputeInvocationsPerWorkgroup || samplesPerDispatch < 1) {
      throw new RangeError(`megakernel variant: bad knobs ${JSON.stringify(knobs)}`);
    }
    const sceneLayout = SceneBuffers.layout(gpu);
    const filmLayout = frameBindGroupLayout(gpu, `megakernel ${wgX}x${wgY} film layout`);
    const layout = gpu.device.createPipelineLayout({ label: `megakernel ${wgX}x${wgY} layout`, bindGroupLayouts: [sceneLayout, filmLayout] });
    const pipeline = await gpu.computePipeline(`megakernel ${wgX}x${wgY}`, integratorSource(), { WG_X: wgX, WG_Y: wgY }, layout);
    return gpu.scoped('allocating megakernel variant', () => {
      const sceneBuffers = new SceneBuffers(gpu, scene);
      const sceneGroup = sceneBuffers.bindGroup(gpu, sceneLayout, `${scene.name}: scene (megakernel variant)`);
      const params = gpu.device.createBuffer({ label: 'megakernel variant params', size: PARAMS_LAYOUT.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      const film = gpu.device.createBuffer({ label: 'megakernel variant film', size: width * height * 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const firstHit = firstHitBuffer(gpu, 0, 'megakernel variant first-hit placeholder');
      const filmGroup = frameBindGroup(gpu, filmLayout, 'megakernel variant film bindings', { params, film, firstHit });
      return new MegakernelVariant(gpu, scene, knobs, pipeline, sceneBuffers, sceneGroup, params, film, firstHit, filmGroup);
    });
  }

  /** Traces `spp` more samples per pixel, `samplesPerDispatch` at a time, waiting for each submit. */
  async accumulate(spp: number): Promise<void> {
    const { width, height, maxDepth, wgX, wgY, samplesPerDispatch } = this.knobs;
    for (let done = 0; done < spp; ) {
      const n = Math.min(samplesPerDispatch, spp - done);
      const params = packParams(this.scene, { maxDepth, mode: EstimatorMode.MIS, clamp: 0, rrDepth: 3 }, { width, height, sampleStart: this.spp, sampleCount: n, seed: 1 });
      this.gpu.device.queue.writeBuffer(this.params, 0, params);
      const enc = this.gpu.device.createCommandEncoder({ label: 'megakernel variant pass' });
      const pass = enc.beginComputePass({ label: 'megakernel variant' });
      pass.setPipeline(this.pipeline);
      pass.setBindGroup(0, this.sceneGroup);
      pass.setBindGroup(1, this.filmGroup);
      pass.dispatchWorkgroups(Math.ceil(width / wgX), Math.ceil(height / wgY));
      pass.end();
      this.gpu.device.queue.submit([enc.finish()]);
      await this.gpu.device.queue.onSubmittedWorkDone();
      this.spp += n;
      done += n;
    }
  }

  destroy(): void {
    this.sceneBuffers.destroy();
    this.params.destroy();
    this.film.destroy();
    this.firstHit.destroy();
  }
}
