// The app's settings from the URL query (?scene=&size=&spp=&seed=&max-depth=&ref-spp=&denoise=&denoise-every=
// &denoiser=&ensemble=&emission=), with defaults for the UI.
// Tests use them to render a small image quickly; users can bookmark a view.
import { DEFAULT_SCENE, findScene } from '../../scenes/index.ts';
import { ENSEMBLE_SIZES, isEnsembleSize, type EnsembleSize } from '../denoise/dihedral.ts';
import { DEFAULT_EMISSION_SPP } from '../render/emission.ts';
import type { DenoiserChoice } from './denoising.ts';

export const DENOISER_PARAM_VALUES: readonly DenoiserChoice[] = ['auto', 'n2n', 'n2n-fast-demod', 'n2n-paper-demod', 'atrous', 'bilateral', 'oidn'];

export interface AppParams {
  scene: string;
  width: number;
  height: number;
  /** Samples per pixel at which the progressive render stops. */
  targetSpp: number;
  seed: number;
  maxDepth: number;
  /** Samples per pixel of a reference rendered with "Make reference". */
  referenceSpp: number;
  /** Denoising on at start. */
  denoise: boolean;
  /** Denoise every this many new samples per pixel (and when the render finishes). */
  denoiseEvery: number;
  /** Which denoiser: 'auto' = n2n-fast with trained weights, else a-trous. */
  denoiser: DenoiserChoice;
  /** Self-ensemble size of a network's final denoise (when the render is done): 1, 2, 4 or 8. */
  ensemble: EnsembleSize;
  /**
   * Emission separation for the denoiser (src/render/emission.ts): primary rays per pixel of the emission put back
   * on its output; 0: off.
   */
  emissionSpp: number;
}

export const DEFAULT_PARAMS: AppParams = {
  scene: DEFAULT_SCENE,
  width: 256,
  height: 256,
  targetSpp: 256,
  seed: 0,
  maxDepth: 8,
  referenceSpp: 1024,
  denoise: false,
  denoiseEvery: 8,
  denoiser: 'auto',
  ensemble: 1,
  emissionSpp: DEFAULT_EMISSION_SPP,
};

/** A bad URL parameter; the message names the parameter and what is wrong. */
export class ParamError extends Error {
  override name = 'ParamError';
}

function integer(query: URLSearchParams, key: string, fallback: number, min: number, max: number): number {
  const raw = query.get(key);
  if (raw === null) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new ParamError(`URL parameter ${key}=${raw}: expected a whole number from ${min} to ${max}`);
  }
  return v;
}

export function parseParams(search: string): AppParams {
  const query = new URLSearchParams(search);
  const scene = query.get('scene') ?? DEFAULT_PARAMS.scene;
  if (!findScene(scene)) throw new ParamError(`URL parameter scene=${scene}: no built-in scene by that name`);
  let width = DEFAULT_PARAMS.width;
  let height = DEFAULT_PARAMS.height;
  const size = query.get('size');
  if (size !== null) {
    const m = /^(\d+)(?:x(\d+))?$/.exec(size);
    const w = m ? Number(m[1]) : NaN;
    const h = m ? Number(m[2] ?? m[1]) : NaN;
    if (!(w >= 1 && w <= 4096 && h >= 1 && h <= 4096)) {
      throw new ParamError(`URL parameter size=${size}: expected N or WxH with sides from 1 to 4096`);
    }
    width = w;
    height = h;
  }
  const denoiser = query.get('denoiser') ?? DEFAULT_PARAMS.denoiser;
  if (!(DENOISER_PARAM_VALUES as readonly string[]).includes(denoiser)) {
    throw new ParamError(`URL parameter denoiser=${denoiser}: expected one of ${DENOISER_PARAM_VALUES.join(', ')}`);
  }
  const ensemble = integer(query, 'ensemble', DEFAULT_PARAMS.ensemble, 1, 8);
  if (!isEnsembleSize(ensemble)) throw new ParamError(`URL parameter ensemble=${ensemble}: expected one of ${ENSEMBLE_SIZES.join(', ')}`);
  return {
    scene,
    width,
    height,
    targetSpp: integer(query, 'spp', DEFAULT_PARAMS.targetSpp, 1, 1 << 20),
    seed: integer(query, 'seed', DEFAULT_PARAMS.seed, 0, 0xffffffff),
    maxDepth: integer(query, 'max-depth', DEFAULT_PARAMS.maxDepth, 0, 64),
    referenceSpp: integer(query, 'ref-spp', DEFAULT_PARAMS.referenceSpp, 1, 1 << 20),
    denoise: integer(query, 'denoise', DEFAULT_PARAMS.denoise ? 1 : 0, 0, 1) === 1,
    denoiseEvery: integer(query, 'denoise-every', DEFAULT_PARAMS.denoiseEvery, 1, 1 << 20),
    denoiser: denoiser as DenoiserChoice,
    ensemble,
    emissionSpp: integer(query, 'emission', DEFAULT_PARAMS.emissionSpp, 0, 1 << 16),
  };
}
