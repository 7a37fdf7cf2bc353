// results.json of `tracelab compare`: the versioned schema (TypeScript types) and its validator.
//
// Format "tracelab-compare", version 1. One JSON object:
//   format, version                 "tracelab-compare", 1
//   tool                            { name: "tracelab", rendererVersion }  (the renderer version keys references)
//   adapter                         WebGPU adapter name the timings were measured on
//   date                            ISO 8601 time the run finished
//   settings                        what was asked for (CompareSettings); denoisers always include "none"
//   references[]                    one per scene: the cached reference scored against (ReferenceInfo)
//   results[]                       one row per scene x spp x denoiser, complete and without duplicates (ResultRow);
//                                   online denoisers' rows add prepareMs (training on the scene), counted in totalMs
//   timeToQuality                   null, or the --target-psnr analysis (TimeToQuality, see compare-ttq.ts)
// PSNR is null where it is infinite (test image identical to the reference): JSON has no Infinity.
import { isQualityMethod, TTQ_FORMULA, type TimeToQuality } from './compare-ttq.ts';

export const RESULTS_FORMAT = 'tracelab-compare';
export const RESULTS_VERSION = 1;

export interface CompareSettings {
  scenes: string[];
  /** Samples per pixel of the test renders, ascending. */
  spp: number[];
  /** Column order; always includes "none" (the noisy render, i.e. rendering alone). */
  denoisers: string[];
  width: number;
  height: number;
  maxDepth: number;
  /** Seed of every test render (the same for every spp, so lower spp renders are prefixes of higher ones). */
  seed: number;
  /** Each time is the best of this many runs. */
  repeats: number;
  /** Reference spp asked for (a cached reference may hold more: see references[].spp). */
  referenceSpp: number;
  targetPsnr: number | null;
  /** Tone mapping applied before PSNR and SSIM (src/metrics METRIC_TONEMAP); relMSE and SMAPE are on linear HDR. */
  metricTonemap: { operator: string; exposure: number };
  /** Network weights file per Noise2Noise model used. */
  weights: Record<string, string>;
  /** What renderMs and denoiseMs measure. */
  timing: string;
  /**
   * Emission separation (src/render/emission.ts): every denoiser but "none" got the frame without its first-hit
   * emission and put back that emission rendered with this many primary rays per pixel. Absent: off.
   */
  emissionSpp?: number;
}

export interface ReferenceInfo {
  scene: string;
  key: string;
  spp: number;
  seed: number;
  /** Mean relative standard error and expected relMSE of the reference itself (its noise floor). */
  meanRelativeStandardError: number;
  expectedRelMSE: number;
  /** The PSNR the reference's own noise allows (psnrFromMse of referenceNoiseMse); absent when it has no noise (or in older results). */
  psnrCeiling?: number;
  status: 'cached' | 'rendered' | 'continued';
}

export interface ResultRow {
  scene: string;
  spp: number;
  denoiser: string;
  /** dB on tone-mapped sRGB; null = infinite (identical to the reference). */
  psnr: number | null;
  /** The MSE behind psnr (tone-mapped sRGB in [0,1]): psnr = -10 log10(mse). */
  mse: number;
  ssim: number;
  relMSE: number;
  smape: number;
  /** Wall time of rendering this spp (the same for every denoiser of one scene and spp). */
  renderMs: number;
  /** Wall time of the denoiser (0 work for "none", which copies). */
  denoiseMs: number;
  /** Online denoisers only: wall time of training on this scene first (the same for every spp of the scene). */
  prepareMs?: number;
  /** renderMs + denoiseMs (+ prepareMs). */
  totalMs: number;
}

export interface CompareResults {
  format: typeof RESULTS_FORMAT;
  version: typeof RESULTS_VERSION;
  tool: { name: 'tracelab'; rendererVersion: number };
  adapter: string;
  date: string;
  settings: CompareSettings;
  references: ReferenceInfo[];
  results: ResultRow[];
  timeToQuality: TimeToQuality | null;
}

export class ResultsError extends Error {
  override name = 'ResultsError';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(path: string, what: string): never {
  throw new ResultsError(`${path}: ${what}`);
}
function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) fail(path, 'must be an object');
  return v;
}
function arr(v: unknown, path: string, min = 0): unknown[] {
  if (!Array.isArray(v)) fail(path, 'must be an array');
  if (v.length < min) fail(path, `must have at least ${min} element${min === 1 ? '' : 's'}`);
  return v;
}
function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') fail(path, 'must be a non-empty string');
  return v;
}
function num(v: unknown, path: string, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `must be a finite number, got ${JSON.stringify(v)}`);
  if (v < min || v > max) fail(path, `must be in [${min}, ${max}], got ${v}`);
  return v;
}
function int(v: unknown, path: string, min: number): number {
  if (!Number.isInteger(v) || (v as number) < min) fail(path, `must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v as number;
}
function nullable<T>(v: unknown, check: (v: unknown) => T): T | null {
  return v === null ? null : check(v);
}
function strings(v: unknown, path: string): string[] {
  const a = arr(v, path, 1).map((s, i) => str(s, `${path}[${i}]`));
  if (new Set(a).size !== a.length) fail(path, 'has duplicates');
  return a;
}

function checkSettings(v: unknown): CompareSettings {
  const s = obj(v, 'settings');
  const spp = arr(s.spp, 'settings.spp', 1).map((x, i) => int(x, `settings.spp[${i}]`, 1));
  if (spp.some((x, i) => i > 0 && x <= spp[i - 1])) fail('settings.spp', 'must be strictly ascending');
  const denoisers = strings(s.denoisers, 'settings.denoisers');
  if (!denoisers.includes('none')) fail('settings.denoisers', 'must include "none" (the noisy render)');
  const tone = obj(s.metricTonemap, 'settings.metricTonemap');
  const weights = obj(s.weights, 'settings.weights');
  for (const [k, w] of Object.entries(weights)) str(w, `settings.weights.${k}`);
  return {
    scenes: strings(s.scenes, 'settings.scenes'),
    spp,
    denoisers,
    width: int(s.width, 'settings.width', 1),
    height: int(s.height, 'settings.height', 1),
    maxDepth: int(s.maxDepth, 'settings.maxDepth', 0),
    seed: int(s.seed, 'settings.seed', 0),
    repeats: int(s.repeats, 'settings.repeats', 1),
    referenceSpp: int(s.referenceSpp, 'settings.referenceSpp', 1),
    targetPsnr: nullable(s.targetPsnr, (x) => num(x, 'settings.targetPsnr')),
    metricTonemap: { operator: str(tone.operator, 'settings.metricTonemap.operator'), exposure: num(tone.exposure, 'settings.metricTonemap.exposure') },
    weights: weights as Record<string, string>,
    timing: str(s.timing, 'settings.timing'),
    ...(s.emissionSpp === undefined ? {} : { emissionSpp: int(s.emissionSpp, 'settings.emissionSpp', 1) }),
  };
}

function checkRow(v: unknown, p: string, s: CompareSettings): ResultRow {
  const r = obj(v, p);
  const scene = str(r.scene, `${p}.scene`);
  if (!s.scenes.includes(scene)) fail(`${p}.scene`, `'${scene}' is not in settings.scenes`);
  const spp = int(r.spp, `${p}.spp`, 1);
  if (!s.spp.includes(spp)) fail(`${p}.spp`, `${spp} is not in settings.spp`);
  const denoiser = str(r.denoiser, `${p}.denoiser`);
  if (!s.denoisers.includes(denoiser)) fail(`${p}.denoiser`, `'${denoiser}' is not in settings.denoisers`);
  const renderMs = num(r.renderMs, `${p}.renderMs`, 0);
  const denoiseMs = num(r.denoiseMs, `${p}.denoiseMs`, 0);
  const prepareMs = r.prepareMs === undefined ? undefined : num(r.prepareMs, `${p}.prepareMs`, 0);
  const totalMs = num(r.totalMs, `${p}.totalMs`, 0);
  if (Math.abs(totalMs - renderMs - denoiseMs - (prepareMs ?? 0)) > 1e-6 * Math.max(1, totalMs)) {
    fail(`${p}.totalMs`, prepareMs === undefined ? 'must equal renderMs + denoiseMs' : 'must equal renderMs + denoiseMs + prepareMs');
  }
  return {
    scene, spp, denoiser,
    psnr: nullable(r.psnr, (x) => num(x, `${p}.psnr`)),
    mse: num(r.mse, `${p}.mse`, 0),
    ssim: num(r.ssim, `${p}.ssim`, -1, 1),
    relMSE: num(r.relMSE, `${p}.relMSE`, 0),
    smape: num(r.smape, `${p}.smape`, 0, 1),
    renderMs, denoiseMs, ...(prepareMs === undefined ? {} : { prepareMs }), totalMs,
  };
}

function checkReference(v: unknown, p: string): ReferenceInfo {
  const r = obj(v, p);
  const status = r.status;
  if (status !== 'cached' && status !== 'rendered' && status !== 'continued') fail(`${p}.status`, 'must be cached, rendered or continued');
  return {
    scene: str(r.scene, `${p}.scene`),
    key: str(r.key, `${p}.key`),
    spp: int(r.spp, `${p}.spp`, 1),
    seed: int(r.seed, `${p}.seed`, 0),
    meanRelativeStandardError: num(r.meanRelativeStandardError, `${p}.meanRelativeStandardError`, 0),
    expectedRelMSE: num(r.expectedRelMSE, `${p}.expectedRelMSE`, 0),
    ...(r.psnrCeiling !== undefined ? { psnrCeiling: num(r.psnrCeiling, `${p}.psnrCeiling`, 0) } : {}),
    status,
  };
}

function checkTtq(v: unknown, s: CompareSettings): TimeToQuality {
  const t = obj(v, 'timeToQuality');
  const target = num(t.targetPsnr, 'timeToQuality.targetPsnr');
  if (s.targetPsnr !== target) fail('timeToQuality.targetPsnr', 'must equal settings.targetPsnr');
  const scenes = arr(t.scenes, 'timeToQuality.scenes').map((sv, i) => {
    const p = `timeToQuality.scenes[${i}]`;
    const e = obj(sv, p);
    const ro = e.renderOnly === null ? null : obj(e.renderOnly, `${p}.renderOnly`);
    const roMethod = ro?.method;
    if (ro && roMethod !== 'interpolated' && roMethod !== 'extrapolated') fail(`${p}.renderOnly.method`, 'must be interpolated or extrapolated');
    return {
      scene: str(e.scene, `${p}.scene`),
      renderOnly: ro && {
        spp: num(ro.spp, `${p}.renderOnly.spp`, 0),
        ms: num(ro.ms, `${p}.renderOnly.ms`, 0),
        method: roMethod as 'interpolated' | 'extrapolated',
      },
      denoisers: arr(e.denoisers, `${p}.denoisers`).map((dv, j) => {
        const q = `${p}.denoisers[${j}]`;
        const d = obj(dv, q);
        if (typeof d.reached !== 'boolean') fail(`${q}.reached`, 'must be a boolean');
        if (!(d.method === null || isQualityMethod(d.method))) fail(`${q}.method`, 'must be measured, interpolated or null');
        const entry = {
          denoiser: str(d.denoiser, `${q}.denoiser`),
          reached: d.reached,
          spp: nullable(d.spp, (x) => num(x, `${q}.spp`, 0)),
          ms: nullable(d.ms, (x) => num(x, `${q}.ms`, 0)),
          method: d.method,
          speedup: nullable(d.speedup, (x) => num(x, `${q}.speedup`, 0)),
        };
        if (entry.reached !== (entry.spp !== null && entry.ms !== null && entry.method !== null)) {
          fail(q, 'spp, ms and method must be set exactly when reached is true');
        }
        return entry;
      }),
    };
  });
  if (t.formula !== TTQ_FORMULA) fail('timeToQuality.formula', 'must state the formula of this version');
  return { targetPsnr: target, formula: TTQ_FORMULA, scenes };
}

/** Validates parsed results.json; returns it typed, or throws a ResultsError naming the first bad field. */
export function checkResults(json: unknown): CompareResults {
  const j = obj(json, 'results.json');
  if (j.format !== RESULTS_FORMAT) fail('format', `must be "${RESULTS_FORMAT}", got ${JSON.stringify(j.format)}`);
  if (j.version !== RESULTS_VERSION) fail('version', `must be ${RESULTS_VERSION}, got ${JSON.stringify(j.version)}`);
  const tool = obj(j.tool, 'tool');
  if (tool.name !== 'tracelab') fail('tool.name', 'must be "tracelab"');
  const rendererVersion = int(tool.rendererVersion, 'tool.rendererVersion', 1);
  const date = str(j.date, 'date');
  if (Number.isNaN(Date.parse(date))) fail('date', `must be an ISO 8601 date, got '${date}'`);
  const settings = checkSettings(j.settings);
  const references = arr(j.references, 'references').map((r, i) => checkReference(r, `references[${i}]`));
  if (references.map((r) => r.scene).join('\n') !== settings.scenes.join('\n')) fail('references', 'must have one entry per scene, in settings.scenes order');
  const results = arr(j.results, 'results').map((r, i) => checkRow(r, `results[${i}]`, settings));
  const seen = new Set(results.map((r) => `${r.scene}\n${r.spp}\n${r.denoiser}`));
  if (seen.size !== results.length) fail('results', 'has two rows for the same scene, spp and denoiser');
  const expected = settings.scenes.length * settings.spp.length * settings.denoisers.length;
  if (results.length !== expected) fail('results', `has ${results.length} rows, expected one per scene x spp x denoiser = ${expected}`);
  const ttq = j.timeToQuality === null ? null : checkTtq(j.timeToQuality, settings);
  if (ttq === null && settings.targetPsnr !== null) fail('timeToQuality', 'is missing although settings.targetPsnr is set');
  return {
    format: RESULTS_FORMAT, version: RESULTS_VERSION, tool: { name: 'tracelab', rendererVersion }, adapter: str(j.adapter, 'adapter'), date,
    settings, references, results, timeToQuality: ttq,
  };
}
