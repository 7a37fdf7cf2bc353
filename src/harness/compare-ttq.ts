// Time to quality (`tracelab compare --target-psnr T`): for each denoiser, the wall time (render + denoise) of the
// cheapest spp that reaches T, against the time rendering alone needs to reach T, as a speed-up. Pure functions of
// the measured points, so the maths is testable with synthetic numbers.
import type { ResultRow } from './compare-schema.ts';

/** The method, stated in results.json and the report. */
export const TTQ_FORMULA =
  'Denoiser: the cheapest spp whose PSNR reaches the target. If the smallest measured spp already reaches it, that ' +
  'spp and its wall time are used (an upper bound, so the speed-up is a lower bound); otherwise, between the two ' +
  'measured spp that bracket the target, PSNR is interpolated linearly in log2(spp) and wall time (render + denoise) ' +
  'linearly in spp; a target above every measured PSNR is "not reached". Rendering alone (the noisy render): the same ' +
  'interpolation when two measured spp bracket the target; otherwise extrapolation from the nearest measured spp i, ' +
  'assuming the noisy render\'s MSE (on tone-mapped sRGB, the MSE behind PSNR) falls as 1/spp: ' +
  'spp_needed = spp_i * MSE_i / MSE_target with MSE_target = 10^(-target/10), and time = renderMs_i * spp_needed / spp_i ' +
  '(render time proportional to spp). Speed-up = rendering-alone time / denoiser time.';

export type QualityMethod = 'measured' | 'interpolated';
export const isQualityMethod = (v: unknown): v is QualityMethod => v === 'measured' || v === 'interpolated';

/** One measured spp of one denoiser. psnr null = infinite. */
export interface QualityPoint {
  spp: number;
  psnr: number | null;
  mse: number;
  renderMs: number;
  totalMs: number;
}

export interface TtqEntry {
  denoiser: string;
  reached: boolean;
  /** spp at which the target is reached (fractional when interpolated); null when not reached. */
  spp: number | null;
  /** Wall time (render + denoise) at that spp; null when not reached. */
  ms: number | null;
  method: QualityMethod | null;
  /** renderOnly.ms / ms; null when either is unknown. */
  speedup: number | null;
}

export interface RenderOnlyTime {
  spp: number;
  ms: number;
  method: 'interpolated' | 'extrapolated';
}

export interface TtqScene {
  scene: string;
  /** Rendering alone (no denoiser); null when it cannot be estimated (a noisy render with zero error). */
  renderOnly: RenderOnlyTime | null;
  /** Every denoiser except "none". */
  denoisers: TtqEntry[];
}

export interface TimeToQuality {
  targetPsnr: number;
  formula: typeof TTQ_FORMULA;
  scenes: TtqScene[];
}

const psnrOf = (p: QualityPoint): number => p.psnr ?? Infinity;

function sorted(points: QualityPoint[]): QualityPoint[] {
  return [...points].sort((a, b) => a.spp - b.spp);
}

/** PSNR linear in log2(spp) between a (below target) and b (at or above): spp and time there (time linear in spp). */
function interpolate(a: QualityPoint, b: QualityPoint, target: number, ms: (p: QualityPoint) => number): { spp: number; ms: number } {
  const pb = psnrOf(b);
  const t = Number.isFinite(pb) ? (target - psnrOf(a)) / (pb - psnrOf(a)) : 1;
  const spp = 2 ** (Math.log2(a.spp) + t * (Math.log2(b.spp) - Math.log2(a.spp)));
  const f = (spp - a.spp) / (b.spp - a.spp);
  return { spp, ms: ms(a) + f * (ms(b) - ms(a)) };
}

/** A denoiser's cheapest spp and wall time reaching `target`, or null when no measured spp reaches it. */
export function timeToReach(points: QualityPoint[], target: number): { spp: number; ms: number; method: QualityMethod } | null {
  const p = sorted(points);
  const i = p.findIndex((q) => psnrOf(q) >= target);
  if (i < 0) return null;
  if (i === 0) return { spp: p[0].spp, ms: p[0].totalMs, method: 'measured' };
  return { ...interpolate(p[i - 1], p[i], target, (q) => q.totalMs), method: 'interpolated' };
}

/** spp and render time for the noisy render alone to reach `target` (see TTQ_FORMULA). */
export function renderOnlyTime(noisy: QualityPoint[], target: number): RenderOnlyTime | null {
  const p = sorted(noisy);
  if (p.length === 0) return null;
  const i = p.findIndex((q) => psnrOf(q) >= target);
  if (i > 0) return { ...interpolate(p[i - 1], p[i], target, (q) => q.renderMs), method: 'interpolated' };
  // all below the target: extrapolate from the largest spp; all at or above it: from the smallest
  const from = i === 0 ? p[0] : p[p.length - 1];
  if (!(from.mse > 0)) return null;
  const mseTarget = 10 ** (-target / 10);
  const spp = (from.spp * from.mse) / mseTarget;
  return { spp, ms: (from.renderMs * spp) / from.spp, method: 'extrapolated' };
}

function pointsOf(rows: ResultRow[], scene: string, denoiser: string): QualityPoint[] {
  return rows
    .filter((r) => r.scene === scene && r.denoiser === denoiser)
    .map((r) => ({ spp: r.spp, psnr: r.psnr, mse: r.mse, renderMs: r.renderMs, totalMs: r.totalMs }));
}

/** The time-to-quality table of a run's rows: per scene, every denoiser but "none" against rendering alone. */
export function timeToQuality(rows: ResultRow[], scenes: string[], denoisers: string[], targetPsnr: number): TimeToQuality {
  return {
    targetPsnr,
    formula: TTQ_FORMULA,
    scenes: scenes.map((scene) => {
      const renderOnly = renderOnlyTime(pointsOf(rows, scene, 'none'), targetPsnr);
      return {
        scene,
        renderOnly,
        denoisers: denoisers
          .filter((d) => d !== 'none')
          .map((denoiser): TtqEntry => {
            const r = timeToReach(pointsOf(rows, scene, denoiser), targetPsnr);
            if (!r) return { denoiser, reached: false, spp: null, ms: null, method: null, speedup: null };
            const speedup = renderOnly && r.ms > 0 ? renderOnly.ms / r.ms : null;
            return { denoiser, reached: true, spp: r.spp, ms: r.ms, method: r.method, speedup };
          }),
      };
    }),
  };
}
