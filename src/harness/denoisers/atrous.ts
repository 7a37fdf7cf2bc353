// Owner of shaders/image/atrous-{common,prepare,step}.wgsl: SVGF's edge-avoiding a-trous filter as WebGPU
// compute passes (one prepare pass, then one pass per iteration, ping-ponging two buffers). The algorithm and
// its CPU reference are in atrous-cpu.ts.
import type { GpuContext } from '../../gpu/context.ts';
import type { ImageF32 } from '../../image/image.ts';
import commonSrc from '../../../shaders/image/atrous-common.wgsl?raw';
import prepareSrc from '../../../shaders/image/atrous-prepare.wgsl?raw';
import stepSrc from '../../../shaders/image/atrous-step.wgsl?raw';
import {
  ATROUS_DEMODULATE, ATROUS_HAS_VARIANCE, ATROUS_LAST, ATROUS_PARAMS_LAYOUT, checkAtrousOptions, DEFAULT_ATROUS_OPTIONS,
  type AtrousOptions,
} from './atrous-cpu.ts';
import { dispatch2d, FILTER_WORKGROUP, FilterBuffers } from './gpu-buffers.ts';
import { DenoiserError, packInput, unpackRgb, type DenoiserInput, type DenoiserPlugin, type PackedInput } from './types.ts';

export class AtrousDenoiser implements DenoiserPlugin {
  readonly name = 'atrous';
  readonly needsAux = true;
  private destroyed = false;

  private constructor(
    private readonly gpu: GpuContext,
    private readonly prepare: GPUComputePipeline,
    private readonly step: GPUComputePipeline,
    readonly options: Readonly<AtrousOptions>,
  ) {}

  static async create(gpu: GpuContext, options: Partial<AtrousOptions> = {}): Promise<AtrousDenoiser> {
    const o = { ...DEFAULT_ATROUS_OPTIONS, ...options };
    checkAtrousOptions(o);
    const constants = { WG_X: FILTER_WORKGROUP, WG_Y: FILTER_WORKGROUP };
    const [prepare, step] = await Promise.all([
      gpu.computePipeline('atrous prepare', [commonSrc, prepareSrc].join('\n'), constants),
      gpu.computePipeline('atrous step', [commonSrc, stepSrc].join('\n'), constants),
    ]);
    return new AtrousDenoiser(gpu, prepare, step, Object.freeze(o));
  }

  async denoise(input: DenoiserInput): Promise<ImageF32> {
    const packed = packInput(this.name, input, true);
    const out = await this.run(packed);
    return unpackRgb(packed.width, packed.height, out);
  }

  /** The filter on packed input; vec4 per pixel (rgb, remaining luminance variance) like atrousCpu. */
  async run(inp: PackedInput): Promise<Float32Array> {
    if (this.destroyed) throw new DenoiserError('atrous: used after destroy()');
    const o = this.options;
    const { width, height } = inp;
    const n = width * height;
    const bufs = new FilterBuffers(this.gpu, 'atrous');
    try {
      return await this.gpu.scoped('atrous filter', async () => {
        const color = bufs.input('colour', inp.color);
        // Bound even when absent (the prepare pass reads it only when flagged), so the layout is the same.
        const variance = inp.variance ? bufs.input('variance', inp.variance) : bufs.storage('no variance', 1);
        const albedo = bufs.input('albedo', inp.albedo);
        const guide = bufs.input('guide', inp.guide);
        const aux = bufs.storage('aux', n);
        const ping = [bufs.storage('illumination A', n), bufs.storage('illumination B', n)];
        const base = {
          width, height, sigma_l: o.sigmaLuminance, sigma_n: o.sigmaNormal, sigma_z: o.sigmaDepth,
          albedo_eps: o.albedoEpsilon, lum_eps: o.lumEpsilon, depth_grad_floor: o.depthGradFloor,
        };
        const flags = (inp.variance ? ATROUS_HAS_VARIANCE : 0) | (o.demodulate ? ATROUS_DEMODULATE : 0);
        const enc = this.gpu.device.createCommandEncoder({ label: 'atrous filter' });
        const pass = enc.beginComputePass({ label: 'atrous filter' });
        pass.setPipeline(this.prepare);
        const prepParams = bufs.uniform('prepare params', ATROUS_PARAMS_LAYOUT, { ...base, step: 0, flags });
        pass.setBindGroup(0, bufs.bindGroup('prepare', this.prepare, [prepParams, color, variance, albedo, guide, ping[0], aux]));
        dispatch2d(pass, width, height);
        pass.setPipeline(this.step);
        for (let i = 0; i < o.iterations; i++) {
          const last = i === o.iterations - 1 ? ATROUS_LAST : 0;
          const params = bufs.uniform(`step ${i} params`, ATROUS_PARAMS_LAYOUT, { ...base, step: 1 << i, flags: flags | last });
          pass.setBindGroup(0, bufs.bindGroup(`step ${i}`, this.step, [params, ping[i % 2], guide, aux, ping[(i + 1) % 2]]));
          dispatch2d(pass, width, height);
        }
        pass.end();
        this.gpu.device.queue.submit([enc.finish()]);
        return new Float32Array(await this.gpu.readBuffer(ping[o.iterations % 2], 0, n * 16));
      });
    } finally {
      bufs.destroy();
    }
  }

  destroy(): void {
    this.destroyed = true;
  }
}
