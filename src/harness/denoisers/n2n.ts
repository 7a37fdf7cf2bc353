// The Noise2Noise networks (n2n-fast, n2n-fast-demod, n2n-paper, n2n-paper-demod, and each as a self-ensemble
// "<model>-x2", "-x4", "-x8") behind the harness's DenoiserPlugin interface: the WebGPU Denoiser with weights given as decoded NetworkWeights or as the bytes of a TLNW file (reading files is the
// caller's job: src/cli in Node, fetch in a browser).
import { Denoiser, type Precision } from '../../denoise/denoiser.ts';
import { ENSEMBLE_SIZES, isEnsembleSize, type EnsembleSize } from '../../denoise/dihedral.ts';
import type { NetworkSpec } from '../../denoise/spec.ts';
import { builtinSpec } from '../../denoise/specs.ts';
import { decodeWeights, type NetworkWeights } from '../../denoise/weights.ts';
import type { GpuContext } from '../../gpu/context.ts';
import type { ImageF32 } from '../../image/image.ts';
import { DenoiserError, type DenoiserInput, type DenoiserPlugin } from './types.ts';

export const N2N_MODELS = ['n2n-fast', 'n2n-fast-demod', 'n2n-paper', 'n2n-paper-demod'] as const;
export type N2nModel = (typeof N2N_MODELS)[number];
export const isN2nModel = (name: string): name is N2nModel => (N2N_MODELS as readonly string[]).includes(name);

/** Where trained weights ship, relative to the repository root. */
export function defaultWeightsPath(model: string): string {
  return `denoiser/weights/${model}.bin`;
}

export interface N2nOptions {
  /** A built-in model name or a spec. */
  model: N2nModel | NetworkSpec;
  /** Decoded weights, or a TLNW file's bytes (checked against the spec). */
  weights: NetworkWeights | Uint8Array;
  /** Names the weights in errors (a file path). */
  source?: string;
  precision?: Precision;
  /** Average over this many flips / transpositions of the input (src/denoise/dihedral.ts); default 1. */
  ensemble?: EnsembleSize;
}

/** A denoiser name for `model` run as a self-ensemble of `n`: the model's name, with "-x<n>" for n > 1. */
export function ensembleName(model: string, n: EnsembleSize): string {
  return n > 1 ? `${model}-x${n}` : model;
}

/** The model and ensemble size a name like "n2n-paper-demod-x8" stands for, or null if it names no n2n model. */
export function parseEnsembleName(name: string): { model: N2nModel; ensemble: EnsembleSize } | null {
  const m = /^(.*)-x(\d+)$/.exec(name);
  const model = m ? m[1] : name;
  const n = m ? Number(m[2]) : 1;
  if (!isN2nModel(model) || !isEnsembleSize(n) || (m && n === 1)) return null;
  return { model, ensemble: n };
}

export class N2nDenoiser implements DenoiserPlugin {
  readonly needsAux = true;
  readonly name: string;

  private constructor(private readonly denoiser: Denoiser, readonly ensemble: EnsembleSize) {
    this.name = ensembleName(denoiser.spec.name, ensemble);
  }

  static async create(gpu: GpuContext, o: N2nOptions): Promise<N2nDenoiser> {
    const spec = typeof o.model === 'string' ? builtinSpec(o.model) : o.model;
    const weights = o.weights instanceof Uint8Array ? decodeWeights(spec, o.weights, o.source ?? `weights for '${spec.name}'`) : o.weights;
    const ensemble = o.ensemble ?? 1;
    if (!isEnsembleSize(ensemble)) throw new DenoiserError(`${spec.name}: ensemble ${String(ensemble)} is not one of ${ENSEMBLE_SIZES.join(', ')}`);
    return new N2nDenoiser(await Denoiser.create(gpu, { spec, weights, precision: o.precision }), ensemble);
  }

  get spec(): NetworkSpec {
    return this.denoiser.spec;
  }

  /** Colour + albedo + normal through the network (depth and variance are not network inputs). */
  async denoise(input: DenoiserInput): Promise<ImageF32> {
    const { color, albedo, normal } = input;
    for (const [what, img] of [['albedo', albedo], ['normal', normal]] as const) {
      if (this.denoiser.spec.inputs.includes(what) && !img) throw new DenoiserError(`${this.name}: needs the ${what} buffer`);
    }
    const out = await this.denoiser.denoise({ color, albedo, normal }, { ensemble: this.ensemble });
    try {
      return { width: out.width, height: out.height, channels: 3, data: await out.read() };
    } finally {
      out.destroy();
    }
  }

  destroy(): void {
    this.denoiser.destroy();
  }
}
