// Owner of shaders/image/bilateral.wgsl: the cross bilateral filter as one WebGPU compute pass. The algorithm
// and its CPU reference are in bilateral-cpu.ts.
import type { GpuContext } from '../../gpu/context.ts';
import type { ImageF32 } from '../../image/image.ts';
import bilateralSrc from '../../../shaders/image/bilateral.wgsl?raw';
import {
  BILATERAL_HAS_VARIANCE, BILATERAL_PARAMS_LAYOUT, bilateralRadius, checkBilateralOptions, DEFAULT_BILATERAL_OPTIONS, type BilateralOptions,
} from './bilateral-cpu.ts';
import { dispatch2d, FILTER_WORKGROUP, FilterBuffers } from './gpu-buffers.ts';
import { DenoiserError, packInput, unpackRgb, type DenoiserInput, type DenoiserPlugin, type PackedInput } from './types.ts';

export class BilateralDenoiser implements DenoiserPlugin {
  readonly name = 'bilateral';
  readonly needsAux = true;
  private destroyed = false;

  private constructor(
    private readonly gpu: GpuContext,
    private readonly pipeline: GPUComputePipeline,
    readonly options: Readonly<BilateralOptions>,
  ) {}

  static async create(gpu: GpuContext, options: Partial<BilateralOptions> = {}): Promise<BilateralDenoiser> {
    const o = { ...DEFAULT_BILATERAL_OPTIONS, ...options };
    checkBilateralOptions(o);
    const pipeline = await gpu.computePipeline('bilateral filter', bilateralSrc, { WG_X: FILTER_WORKGROUP, WG_Y: FILTER_WORKGROUP });
    return new BilateralDenoiser(gpu, pipeline, Object.freeze(o));
  }

  async denoise(input: DenoiserInput): Promise<ImageF32> {
    const packed = packInput(this.name, input, true);
    return unpackRgb(packed.width, packed.height, await this.run(packed));
  }

  /** The filter on packed input; vec4 per pixel (rgb, total weight) like bilateralCpu. */
  async run(inp: PackedInput): Promise<Float32Array> {
    if (this.destroyed) throw new DenoiserError('bilateral: used after destroy()');
    const o = this.options;
    const { width, height } = inp;
    const n = width * height;
    const bufs = new FilterBuffers(this.gpu, 'bilateral');
    try {
      return await this.gpu.scoped('bilateral filter', async () => {
        const params = bufs.uniform('params', BILATERAL_PARAMS_LAYOUT, {
          width, height, radius: bilateralRadius(o), flags: inp.variance ? BILATERAL_HAS_VARIANCE : 0,
          inv_2sigma_s2: 1 / (2 * o.sigmaSpatial ** 2),
          inv_2sigma_a2: 1 / (2 * o.sigmaAlbedo ** 2),
          inv_2sigma_n2: 1 / (2 * o.sigmaNormal ** 2),
          sigma_z: o.sigmaDepth,
          color_k2: o.sigmaColor ** 2,
          color_eps: o.colorEpsilon,
        });
        // Bound even when absent (read only when flagged), so the layout is the same.
        const variance = inp.variance ? bufs.input('variance', inp.variance) : bufs.storage('no variance', 1);
        const out = bufs.storage('output', n);
        const group = bufs.bindGroup('bindings', this.pipeline, [
          params, bufs.input('colour', inp.color), bufs.input('albedo', inp.albedo), bufs.input('guide', inp.guide), variance, out,
        ]);
        const enc = this.gpu.device.createCommandEncoder({ label: 'bilateral filter' });
        const pass = enc.beginComputePass({ label: 'bilateral filter' });
        pass.setPipeline(this.pipeline);
        pass.setBindGroup(0, group);
        dispatch2d(pass, width, height);
        pass.end();
        this.gpu.device.queue.submit([enc.finish()]);
        return new Float32Array(await this.gpu.readBuffer(out, 0, n * 16));
      });
    } finally {
      bufs.destroy();
    }
  }

  destroy(): void {
    this.destroyed = true;
  }
}
