// Statistics for Monte Carlo tests: chi-square survival function (via the regularized incomplete gamma
// function), Pearson's goodness-of-fit with pooling of sparse cells (as Mitsuba's chi2.py), Sidak correction.

export class StatisticsError extends Error {
  constructor(message: string) {
    super(`tests/support/chi2: ${message}`);
    this.name = 'StatisticsError';
  }
}

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Gamma(x) for x > 0 (Lanczos, g = 7; ~15 significant digits). */
export function lnGamma(x: number): number {
  if (!(x > 0)) throw new StatisticsError(`lnGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-15;
const MAX_ITER = 10_000;

// Series for P(a, x), converges fast for x < a + 1.
function gammaPSeries(a: number, x: number): number {
  let sum = 1 / a;
  let term = sum;
  for (let n = 1; n < MAX_ITER; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
}

// Continued fraction for Q(a, x) (modified Lentz), converges fast for x >= a + 1.
function gammaQContinuedFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}

/** Regularized lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (!(a > 0) || x < 0 || Number.isNaN(x)) throw new StatisticsError(`gammaP needs a > 0, x >= 0; got a=${a}, x=${x}`);
  if (x === 0) return 0;
  return x < a + 1 ? gammaPSeries(a, x) : 1 - gammaQContinuedFraction(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), accurate in the far tail. */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || x < 0 || Number.isNaN(x)) throw new StatisticsError(`gammaQ needs a > 0, x >= 0; got a=${a}, x=${x}`);
  if (x === 0) return 1;
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQContinuedFraction(a, x);
}

/** P(X > x) for X ~ chi-square with `dof` degrees of freedom. */
export function chi2Sf(x: number, dof: number): number {
  if (!(dof > 0)) throw new StatisticsError(`chi2Sf needs dof > 0, got ${dof}`);
  return x <= 0 ? 1 : gammaQ(dof / 2, x / 2);
}

/** Per-test significance so that `tests` independent tests together reject a true null with probability alpha. */
export function sidakAlpha(alpha: number, tests: number): number {
  if (!(alpha > 0 && alpha < 1) || !(tests >= 1)) throw new StatisticsError(`sidakAlpha: bad alpha=${alpha} or tests=${tests}`);
  return 1 - Math.pow(1 - alpha, 1 / tests);
}

export interface PearsonResult {
  statistic: number;
  dof: number;
  pValue: number;
  /** Cells merged into the pooled cell because their expected count was below the minimum. */
  pooledCells: number;
  /** Observed samples in cells whose expected count is 0 (any such sample falsifies the pdf). */
  impossibleSamples: number;
}

/**
 * Pearson's chi-square test of observed against expected counts. Cells with expected < minExpected are
 * pooled (in increasing order of expected count, until the pool reaches minExpected), as Mitsuba does;
 * dof = (number of cells after pooling) - 1, for counts constrained to a fixed total.
 */
export function pearsonChi2(observed: ArrayLike<number>, expected: ArrayLike<number>, minExpected = 5): PearsonResult {
  if (observed.length !== expected.length) {
    throw new StatisticsError(`pearsonChi2: ${observed.length} observed vs ${expected.length} expected cells`);
  }
  const order = Array.from({ length: expected.length }, (_, i) => i).sort((a, b) => expected[a] - expected[b]);
  let statistic = 0;
  let cells = 0;
  let pooledE = 0;
  let pooledO = 0;
  let pooledCells = 0;
  let impossibleSamples = 0;
  for (const i of order) {
    const e = expected[i];
    const o = observed[i];
    if (!(e >= 0)) throw new StatisticsError(`pearsonChi2: expected count ${e} in cell ${i}`);
    if (e === 0) {
      impossibleSamples += o;
      continue;
    }
    if (e < minExpected || (pooledE > 0 && pooledE < minExpected)) {
      pooledE += e;
      pooledO += o;
      pooledCells++;
    } else {
      statistic += ((o - e) * (o - e)) / e;
      cells++;
    }
  }
  if (pooledE > 0) {
    statistic += ((pooledO - pooledE) * (pooledO - pooledE)) / pooledE;
    cells++;
  }
  const dof = cells - 1;
  const pValue = dof > 0 ? chi2Sf(statistic, dof) : Number.NaN;
  return { statistic, dof, pValue, pooledCells, impossibleSamples };
}

/** Two-sided p-value of k successes in n trials against probability p (normal approximation, via chi2 with 1 dof). */
export function binomialPValue(k: number, n: number, p: number): number {
  if (!(n > 0) || p < 0 || p > 1) throw new StatisticsError(`binomialPValue: bad n=${n} or p=${p}`);
  const variance = n * p * (1 - p);
  if (variance === 0) return k === n * p ? 1 : 0;
  return chi2Sf(((k - n * p) * (k - n * p)) / variance, 1);
}
