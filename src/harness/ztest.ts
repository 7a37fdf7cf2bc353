// Per-pixel Z-test of a render against a stored reference (mean + per-sample variance), in the style of
// Mitsuba 3's render tests: each pixel channel is tested, the significance level is Sidak-corrected over the
// number of tests, and a render passes when at least `passFraction` of them pass.

export interface MeanVariance {
  width: number;
  height: number;
  spp: number;
  /** RGB per pixel. */
  mean: Float32Array;
  /** Per-sample variance, RGB per pixel (variance of the mean = variance / spp). */
  variance: Float32Array;
}

export interface ZTestResult {
  tested: number;
  passed: number;
  passFraction: number;
  /** |z| above which a single test fails. */
  threshold: number;
  ok: boolean;
}

/** Complementary error function (Numerical Recipes' erfcc, fractional error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Two-sided p-value of a standard normal z. */
export function twoSidedP(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

export function zTest(test: MeanVariance, ref: MeanVariance, alpha = 0.01, passFraction = 0.9975): ZTestResult {
  if (test.width !== ref.width || test.height !== ref.height) {
    throw new RangeError(`Z-test: image sizes differ (${test.width}x${test.height} vs ${ref.width}x${ref.height})`);
  }
  const n = test.mean.length;
  const perTest = 1 - Math.pow(1 - alpha, 1 / n);
  let passed = 0;
  let threshold = 0;
  // Find |z| where the two-sided p-value equals the per-test level (bisection; for the report only).
  let lo = 0, hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (twoSidedP(mid) > perTest) lo = mid; else hi = mid;
  }
  threshold = hi;
  for (let i = 0; i < n; i++) {
    const d = test.mean[i] - ref.mean[i];
    const v = test.variance[i] / test.spp + ref.variance[i] / ref.spp;
    let p: number;
    if (v > 0) p = twoSidedP(d / Math.sqrt(v));
    else p = Math.abs(d) <= 1e-6 * Math.max(1, Math.abs(ref.mean[i])) ? 1 : 0;
    if (p > perTest) passed++;
  }
  const fraction = passed / n;
  return { tested: n, passed, passFraction: fraction, threshold, ok: fraction >= passFraction };
}
