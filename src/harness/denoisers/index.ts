// The baseline denoisers by name, for the harness and the CLI. Callers compose their own table (adding, say,
// the Noise2Noise adapter): there is no global registry.
import type { GpuContext } from '../../gpu/context.ts';
import type { ImageF32 } from '../../image/image.ts';
import { atrousCpu, DEFAULT_ATROUS_OPTIONS, type AtrousOptions } from './atrous-cpu.ts';
import { AtrousDenoiser } from './atrous.ts';
import { bilateralCpu, DEFAULT_BILATERAL_OPTIONS, type BilateralOptions } from './bilateral-cpu.ts';
import { BilateralDenoiser } from './bilateral.ts';
import { packInput, unpackRgb, type DenoiserInput, type DenoiserPlugin, type PackedInput } from './types.ts';

export { AtrousDenoiser, BilateralDenoiser, atrousCpu, bilateralCpu, DEFAULT_ATROUS_OPTIONS, DEFAULT_BILATERAL_OPTIONS };
export type { AtrousOptions, BilateralOptions };
export * from './types.ts';
export { defaultWeightsPath, ensembleName, isN2nModel, N2N_MODELS, N2nDenoiser, parseEnsembleName, type N2nModel, type N2nOptions } from './n2n.ts';
export { inspectOidnWeights, OidnDenoiser } from './oidn.ts';

/** "none": the noisy colour, as a 3-channel copy. */
export class NoDenoiser implements DenoiserPlugin {
  readonly name = 'none';
  readonly needsAux = false;
  async denoise(input: DenoiserInput): Promise<ImageF32> {
    const p = packInput(this.name, { color: input.color }, false);
    return unpackRgb(p.width, p.height, p.color);
  }
  destroy(): void {}
}

/** A CPU reference filter as a plugin (slow; for checks and for machines without WebGPU). */
export class CpuDenoiser implements DenoiserPlugin {
  readonly needsAux = true;
  constructor(readonly name: string, private readonly filter: (p: PackedInput) => Float32Array) {}
  async denoise(input: DenoiserInput): Promise<ImageF32> {
    const p = packInput(this.name, input, true);
    return unpackRgb(p.width, p.height, this.filter(p));
  }
  destroy(): void {}
}

export type DenoiserFactory = (gpu: GpuContext) => Promise<DenoiserPlugin>;

export const BASELINE_DENOISERS: Readonly<Record<string, DenoiserFactory>> = Object.freeze({
  none: async () => new NoDenoiser(),
  atrous: (gpu) => AtrousDenoiser.create(gpu),
  bilateral: (gpu) => BilateralDenoiser.create(gpu),
  'atrous-cpu': async () => new CpuDenoiser('atrous-cpu', (p) => atrousCpu(p)),
  'bilateral-cpu': async () => new CpuDenoiser('bilateral-cpu', (p) => bilateralCpu(p)),
});
