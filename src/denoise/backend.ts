// One interface over the two denoiser runtimes: the WebGPU Denoiser when there is a GPU context, the gpu.js
// network otherwise (no WebGPU adapter). Callers that want the result to stay on the GPU use `webgpu` directly.
import type { GpuContext } from '../gpu/context.ts';
import type { ImageF32 } from '../image/image.ts';
import { Denoiser, type DenoiseCallOptions, type DenoiseInput, type Precision } from './denoiser.ts';
import { DenoiseInputError } from './images.ts';
import type { GpuJsMode } from './gpujs/denoiser.ts';
import type { NetworkSpec } from './spec.ts';
import type { NetworkWeights } from './weights.ts';

export interface DenoiserBackend {
  readonly kind: 'webgpu' | 'gpujs';
  readonly spec: NetworkSpec;
  /** The WebGPU Denoiser behind a 'webgpu' backend (for results that stay on the GPU); null for gpu.js. */
  readonly webgpu: Denoiser | null;
  /**
   * What runs the network, for logs: 'webgpu <adapter>, f32 tensors' or 'gpu.js <backend>' (the gpu.js backend
   * is known once a denoise has run; before that it reads 'gpu.js <mode>').
   */
  describe(): string;
  /**
   * Linear HDR RGB of the input's size, on the CPU. A path-tracer Frame needs the 'webgpu' backend. `ensemble`:
   * the mean over that many flips / transpositions of the input (dihedral.ts), at that many times the cost.
   */
  denoise(input: DenoiseInput, options?: DenoiseCallOptions): Promise<ImageF32>;
  /** The autoexposure scale k the last denoise multiplied its input by (1 for a spec without `autoexposure`). */
  lastExposureScale(): Promise<number>;
  destroy(): Promise<void>;
}

export interface DenoiserBackendOptions {
  /** A WebGPU context selects the WebGPU Denoiser; null or absent selects gpu.js. */
  gpu?: GpuContext | null;
  spec: NetworkSpec;
  /** Defaults to seeded He initialisation. */
  weights?: NetworkWeights;
  /** WebGPU tensor precision (default 'auto'). */
  precision?: Precision;
  /** gpu.js mode (default 'async': gpu.js picks its best backend). */
  gpujsMode?: GpuJsMode;
  /** The local mean correction after the network (default true). */
  localMean?: boolean;
}

export async function createDenoiserBackend(options: DenoiserBackendOptions): Promise<DenoiserBackend> {
  const { gpu, spec, weights } = options;
  if (gpu) {
    const dn = await Denoiser.create(gpu, { spec, weights, precision: options.precision, localMean: options.localMean });
    return {
      kind: 'webgpu', spec, webgpu: dn,
      describe: () => `webgpu (${gpu.adapter.name}), ${dn.format === 'rgba16float' ? 'f16' : 'f32'} tensors`,
      async denoise(input, o) {
        const out = await dn.denoise(input, o);
        try {
          return { width: out.width, height: out.height, channels: 3, data: await out.read() };
        } finally {
          out.destroy();
        }
      },
      lastExposureScale: () => dn.lastExposureScale(),
      async destroy() {
        dn.destroy();
      },
    };
  }
  // loaded on demand: gpu.js is large and only needed without WebGPU
  const { GpuJsDenoiser } = await import('./gpujs/denoiser.ts');
  const dn = await GpuJsDenoiser.create({ spec, weights, mode: options.gpujsMode, localMean: options.localMean });
  return {
    kind: 'gpujs', spec, webgpu: null,
    describe: () => `gpu.js ${dn.backend ?? dn.mode}`,
    denoise(input, o) {
      if ('film' in input) {
        return Promise.reject(new DenoiseInputError('frame', 'the gpu.js denoiser cannot read a WebGPU Frame; pass images (PathTracer.readFrame) instead'));
      }
      return dn.denoise(input, o);
    },
    lastExposureScale: async () => dn.lastExposureScale,
    destroy: () => dn.destroy(),
  };
}
