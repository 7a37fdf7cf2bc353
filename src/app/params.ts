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

/** The parameters the app reads (anything else in the query is reported as unknown). */
export const PARAM_NAMES = ['scene', 'size', 'spp', 'seed', 'max-depth', 'ref-spp', 'denoise', 'denoise-every', 'denoiser', 'ensemble', 'emission'] as const;

/** A bad parameter: what is wrong, and what is used instead (null: nothing, e.g. an unknown name). */
interface Problem {
  message: string;
  fallback: string | null;
}

/** A value as a message shows it: control characters escaped, a long one cut short. */
function shown(raw: string): string {
  const cut = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return /[\u0000-\u001f\u007f]/.test(cut) ? JSON.stringify(cut) : cut;
}

/**
 * The parameter's single value; null when it is not given. Given more than once: a problem, and null (the default
 * is used: which of the values was meant is not known).
 */
function single(query: URLSearchParams, key: string, problems: Problem[], fallback: string): string | null {
  const all = query.getAll(key);
  if (all.length > 1) {
    problems.push({ message: `URL parameter ${key} is given ${all.length} times (${all.map(shown).join(', ')}): give it once`, fallback });
    return null;
  }
  return all[0] ?? null;
}

/** The most samples per pixel a parameter (spp, ref-spp, denoise-every) or the panel's matching field takes. */
export const MAX_SPP = 1 << 20;

/**
 * `text` as a whole number from `min` to `max`, or null: decimal digits only (Number() alone would also take '',
 * ' ', '0x10', '1e3' and '4.0'). For the URL parameters and the panel's fields alike.
 */
export function wholeNumberIn(text: string, min: number, max: number): number | null {
  const v = /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  return Number.isInteger(v) && v >= min && v <= max ? v : null;
}

function integer(query: URLSearchParams, key: string, fallback: number, min: number, max: number, problems: Problem[]): number {
  const raw = single(query, key, problems, String(fallback));
  if (raw === null) return fallback;
  const v = wholeNumberIn(raw, min, max);
  if (v === null) {
    problems.push({ message: `URL parameter ${key}=${shown(raw)}: expected a whole number from ${min} to ${max}`, fallback: String(fallback) });
    return fallback;
  }
  return v;
}

/**
 * The app's settings from a URL query, leniently: a bad, repeated or unknown parameter is listed in `problems` (one
 * line each, naming the parameter and what is used instead) and its default is used, so the app still starts.
 */
export function readParams(search: string): { params: AppParams; problems: string[] } {
  const { params, problems } = check(search);
  return { params, problems: problems.map((p) => (p.fallback === null ? p.message : `${p.message} (using ${p.fallback})`)) };
}

/** The app's settings from a URL query; throws a ParamError naming the first bad parameter. */
export function parseParams(search: string): AppParams {
  const { params, problems } = check(search);
  if (problems.length > 0) throw new ParamError(problems[0].message);
  return params;
}

function check(search: string): { params: AppParams; problems: Problem[] } {
  const query = new URLSearchParams(search);
  const problems: Problem[] = [];
  const unknown = [...new Set(query.keys())].filter((k) => !(PARAM_NAMES as readonly string[]).includes(k));
  for (const key of unknown) {
    problems.push({ message: `URL parameter ${shown(key)}: unknown (known: ${PARAM_NAMES.join(', ')})`, fallback: null });
  }
  let scene = single(query, 'scene', problems, DEFAULT_PARAMS.scene) ?? DEFAULT_PARAMS.scene;
  if (!findScene(scene)) {
    problems.push({ message: `URL parameter scene=${shown(scene)}: no built-in scene by that name`, fallback: DEFAULT_PARAMS.scene });
    scene = DEFAULT_PARAMS.scene;
  }
  let width = DEFAULT_PARAMS.width;
  let height = DEFAULT_PARAMS.height;
  const defaultSize = `${width}x${height}`;
  const size = single(query, 'size', problems, defaultSize);
  if (size !== null) {
    const m = /^(\d+)(?:x(\d+))?$/.exec(size);
    const w = m ? Number(m[1]) : NaN;
    const h = m ? Number(m[2] ?? m[1]) : NaN;
    if (!(w >= 1 && w <= 4096 && h >= 1 && h <= 4096)) {
      problems.push({ message: `URL parameter size=${shown(size)}: expected N or WxH with sides from 1 to 4096`, fallback: defaultSize });
    } else {
      width = w;
      height = h;
    }
  }
  let denoiser = single(query, 'denoiser', problems, DEFAULT_PARAMS.denoiser) ?? DEFAULT_PARAMS.denoiser;
  if (!(DENOISER_PARAM_VALUES as readonly string[]).includes(denoiser)) {
    problems.push({ message: `URL parameter denoiser=${shown(denoiser)}: expected one of ${DENOISER_PARAM_VALUES.join(', ')}`, fallback: DEFAULT_PARAMS.denoiser });
    denoiser = DEFAULT_PARAMS.denoiser;
  }
  let ensemble = integer(query, 'ensemble', DEFAULT_PARAMS.ensemble, 1, 8, problems);
  if (!isEnsembleSize(ensemble)) {
    problems.push({ message: `URL parameter ensemble=${ensemble}: expected one of ${ENSEMBLE_SIZES.join(', ')}`, fallback: String(DEFAULT_PARAMS.ensemble) });
    ensemble = DEFAULT_PARAMS.ensemble;
  }
  const params: AppParams = {
    scene,
    width,
    height,
    targetSpp: integer(query, 'spp', DEFAULT_PARAMS.targetSpp, 1, MAX_SPP, problems),
    seed: integer(query, 'seed', DEFAULT_PARAMS.seed, 0, 0xffffffff, problems),
    maxDepth: integer(query, 'max-depth', DEFAULT_PARAMS.maxDepth, 0, 64, problems),
    referenceSpp: integer(query, 'ref-spp', DEFAULT_PARAMS.referenceSpp, 1, MAX_SPP, problems),
    denoise: integer(query, 'denoise', DEFAULT_PARAMS.denoise ? 1 : 0, 0, 1, problems) === 1,
    denoiseEvery: integer(query, 'denoise-every', DEFAULT_PARAMS.denoiseEvery, 1, MAX_SPP, problems),
    denoiser: denoiser as DenoiserChoice,
    ensemble: ensemble as EnsembleSize,
    emissionSpp: integer(query, 'emission', DEFAULT_PARAMS.emissionSpp, 0, 1 << 16, problems),
  };
  return { params, problems };
}
