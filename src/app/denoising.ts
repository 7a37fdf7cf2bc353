// The app's denoiser: the Noise2Noise network with trained weights when denoiser/weights/n2n-fast.bin exists,
// otherwise the edge-avoiding a-trous baseline (untrained network weights would only scramble the image). The picker
// also offers the other shipped networks (n2n-fast-demod, and n2n-paper-demod: ~5x the cost, level with n2n-fast-demod in one pass).
// Browser-only: the weights are found with Vite's import.meta.glob at build time, so a missing file costs no
// failed request (a 404 would be a console error) and a present one is bundled as an asset.
import { Denoiser } from '../denoise/denoiser.ts';
import type { DenoiseImages } from '../denoise/images.ts';
import type { EnsembleSize } from '../denoise/dihedral.ts';
import { builtinSpec } from '../denoise/specs.ts';
import { decodeWeights, initWeights, type NetworkWeights } from '../denoise/weights.ts';
import type { GpuContext } from '../gpu/context.ts';
import { AtrousDenoiser } from '../harness/denoisers/atrous.ts';
import { BilateralDenoiser } from '../harness/denoisers/bilateral.ts';
import { denoiserInputFromFrame } from '../harness/denoisers/types.ts';
import type { ImageF32 } from '../image/image.ts';
import type { Frame, FrameData } from '../render/path-tracer.ts';

export const N2N_MODEL = 'n2n-fast';
export const N2N_WEIGHTS_FILE = weightsFile(N2N_MODEL);

/** The networks the picker offers, by picker value: 'n2n' (n2n-fast, the default) keeps its old URL value. */
export const APP_NETWORKS = { n2n: N2N_MODEL, 'n2n-fast-demod': 'n2n-fast-demod', 'n2n-paper-demod': 'n2n-paper-demod' } as const;
export type NetworkKind = keyof typeof APP_NETWORKS;
export type AppNetwork = (typeof APP_NETWORKS)[NetworkKind];

function weightsFile(model: AppNetwork): string {
  return `denoiser/weights/${model}.bin`;
}

const WEIGHT_URLS = import.meta.glob<string>('/denoiser/weights/*.bin', { query: '?url', import: 'default', eager: true });

export interface AppDenoiser {
  readonly kind: DenoiserKind;
  /** For the panel, e.g. "n2n-fast (trained weights)" or "a-trous (no trained n2n-fast weights yet)". */
  readonly label: string;
  /** Whether `denoise` runs self-ensembles (the networks do; the filters ignore `ensemble`). */
  readonly ensembles: boolean;
  /**
   * `frame` is the film on the GPU (the network reads it directly), `data` the same frame read back; null `frame`:
   * denoise `data` (e.g. the frame without its first-hit emission). `ensemble`: a network's mean over that many flips /
   * transpositions of the input (src/denoise/dihedral.ts); default 1.
   */
  denoise(frame: Frame | null, data: FrameData, ensemble?: EnsembleSize): Promise<ImageF32>;
  destroy(): void;
}

export type DenoiserKind = NetworkKind | 'atrous' | 'bilateral' | 'oidn';
export type DenoiserChoice = 'auto' | DenoiserKind;

/** What 'auto' picks when the weights load (for the picker's initial value). */
export function autoDenoiserKind(): DenoiserKind {
  return WEIGHT_URLS[`/${N2N_WEIGHTS_FILE}`] ? 'n2n' : 'atrous';
}

/** Fetches a network's trained weights (default n2n-fast); null when the build has none. Throws a one-line error when bad. */
export async function fetchTrainedWeights(model: AppNetwork = N2N_MODEL): Promise<NetworkWeights | null> {
  const file = weightsFile(model);
  const url = WEIGHT_URLS[`/${file}`];
  if (!url) return null;
  let bytes: Uint8Array;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${file}: HTTP ${res.status} ${res.statusText}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    // a network failure says only 'Failed to fetch': name the file
    const text = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new Error(text.startsWith(file) ? text : `${file}: could not be fetched: ${text}`);
  }
  return decodeWeights(builtinSpec(model), bytes, file);
}

async function n2nDenoiser(gpu: GpuContext, kind: NetworkKind, weights: NetworkWeights, label: string): Promise<AppDenoiser> {
  const dn = await Denoiser.create(gpu, { spec: builtinSpec(APP_NETWORKS[kind]), weights });
  return {
    kind,
    label,
    ensembles: true,
    async denoise(frame, data, ensemble = 1) {
      const out = await dn.denoise(frame ?? frameImages(data), { ensemble });
      try {
        return { width: out.width, height: out.height, channels: 3, data: await out.read() };
      } finally {
        out.destroy();
      }
    },
    destroy: () => dn.destroy(),
  };
}

/** The network input of a frame read back: colour, albedo and normal. */
export function frameImages(data: FrameData): DenoiseImages {
  return { width: data.width, height: data.height, color: data.color, albedo: data.albedo, normal: data.normal };
}

/** OIDN's weights, once the user drops a .tza file (they do not ship with tracelab). */
let oidnWeights: { name: string; bytes: Uint8Array } | null = null;

/** Makes 'oidn' usable with these weights (a .tza the user dropped, checked by loadFiles). */
export function setOidnWeights(name: string, bytes: Uint8Array): void {
  oidnWeights = { name, bytes };
}

async function oidnDenoiser(gpu: GpuContext): Promise<AppDenoiser> {
  if (!oidnWeights) throw new Error('OIDN needs its weights: drop an HDR .tza file (e.g. rt_hdr_alb_nrm.tza from OIDN\'s weights) on the page first');
  const { OidnDenoiser } = await import('../harness/denoisers/oidn.ts');
  // oidn-web's own tile sizing: tiles of about 16 ms each keep the page responsive while it denoises
  const dn = await OidnDenoiser.create(gpu, oidnWeights.bytes, oidnWeights.name, 'dynamic');
  return {
    kind: 'oidn',
    label: `OIDN (${oidnWeights.name}, via oidn-web)`,
    ensembles: false,
    denoise: (_frame, data) => dn.denoise(denoiserInputFromFrame(data)),
    destroy: () => dn.destroy(),
  };
}

/**
 * 'auto': n2n-fast with trained weights if the build has them, else a-trous. A network kind ('n2n' = n2n-fast,
 * 'n2n-fast-demod', 'n2n-paper-demod') forces that network (with seeded random weights when the build has no trained
 * ones: for timing only), 'atrous' and 'bilateral' the baselines.
 */
export async function createAppDenoiser(gpu: GpuContext, choice: DenoiserChoice = 'auto'): Promise<AppDenoiser> {
  if (choice === 'bilateral') {
    const bilateral = await BilateralDenoiser.create(gpu);
    return {
      kind: 'bilateral',
      label: 'cross-bilateral baseline',
      ensembles: false,
      denoise: (_frame, data) => bilateral.denoise(denoiserInputFromFrame(data)),
      destroy: () => bilateral.destroy(),
    };
  }
  if (choice === 'oidn') return oidnDenoiser(gpu);
  if (choice !== 'atrous') {
    const kind: NetworkKind = choice === 'auto' ? 'n2n' : choice;
    const model = APP_NETWORKS[kind];
    let weights: NetworkWeights | null = null;
    let problem = `no trained ${model} weights yet (${weightsFile(model)})`;
    try {
      weights = await fetchTrainedWeights(model);
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
    if (weights) return n2nDenoiser(gpu, kind, weights, `${model} (trained weights)`);
    if (choice !== 'auto') return n2nDenoiser(gpu, kind, initWeights(builtinSpec(model), 1), `${model} (untrained: ${problem})`);
    const atrous = await AtrousDenoiser.create(gpu);
    return atrousDenoiser(atrous, `a-trous baseline (${problem})`);
  }
  return atrousDenoiser(await AtrousDenoiser.create(gpu), 'a-trous baseline');
}

function atrousDenoiser(atrous: AtrousDenoiser, label: string): AppDenoiser {
  return {
    kind: 'atrous',
    label,
    ensembles: false,
    denoise: (_frame, data) => atrous.denoise(denoiserInputFromFrame(data)),
    destroy: () => atrous.destroy(),
  };
}
