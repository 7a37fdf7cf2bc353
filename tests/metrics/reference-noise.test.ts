// The reference-noise floor: the delta-method prediction against the squared display error of simulated
// references (means of n random samples) from their known expectation; scaling; bad input.
import { describe, expect, it } from 'vitest';
import { tonemapValue } from '../../src/image/tonemap.ts';
import { METRIC_TONEMAP, mseAgainstConverged, referenceNoiseMse } from '../../src/metrics/index.ts';
import { mulberry32 } from '../support/random.ts';

const T = (x: number) => tonemapValue(x, METRIC_TONEMAP);

/** Simulated references: per value, truth mu (log-uniform in [0.02, 4]) and the mean/variance of n exponential samples of mean mu. */
function simulate(values: number, n: number, seed: number) {
  const rng = mulberry32(seed);
  const truth = new Float32Array(values), mean = new Float32Array(values), variance = new Float32Array(values);
  for (let i = 0; i < values; i++) {
    const mu = 0.02 * Math.exp(rng() * Math.log(200));
    let s = 0, s2 = 0;
    for (let k = 0; k < n; k++) {
      const x = -mu * Math.log(1 - rng());
      s += x;
      s2 += x * x;
    }
    truth[i] = mu;
    mean[i] = s / n;
    variance[i] = (s2 - (s * s) / n) / (n - 1);
  }
  return { truth, mean, variance };
}

describe('referenceNoiseMse', () => {
  it('predicts the squared display error of a reference against its expectation', () => {
    const values = 3 * 4096, n = 256;
    const { truth, mean, variance } = simulate(values, n, 11);
    // Per value: the prediction and the actual squared error; their mean difference must be 0 within 4 standard
    // errors of the per-value differences (the delta method's second-order bias, O(1/n) relative, is far smaller).
    const d: number[] = [];
    let actual = 0;
    for (let i = 0; i < values; i++) {
      const pred = referenceNoiseMse(Float32Array.of(mean[i], 0, 0), Float32Array.of(variance[i], 0, 0), n) * 3;
      const act = (T(mean[i]) - T(truth[i])) ** 2;
      d.push(pred - act);
      actual += act / values;
    }
    const mu = d.reduce((a, b) => a + b, 0) / values;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mu) ** 2, 0) / (values - 1));
    expect(Math.abs(mu)).toBeLessThan((4 * sd) / Math.sqrt(values));
    // and the whole-image call is the mean of those per-value predictions
    const whole = referenceNoiseMse(mean, variance, n);
    expect(whole).toBeCloseTo(actual + mu, 12);
    // a meaningful size: 4 standard errors are a small fraction of the floor itself
    expect((4 * sd) / Math.sqrt(values)).toBeLessThan(0.1 * actual);
  });

  it('scales with variance / spp and ignores values without a variance', () => {
    const { mean, variance } = simulate(3 * 64, 16, 3);
    const base = referenceNoiseMse(mean, variance, 16);
    expect(base).toBeGreaterThan(0);
    expect(referenceNoiseMse(mean, variance.map((v) => 4 * v), 16)).toBeCloseTo(4 * base, 12);
    expect(referenceNoiseMse(mean, variance, 64)).toBeCloseTo(base / 4, 12);
    expect(referenceNoiseMse(mean, new Float32Array(mean.length), 16)).toBe(0);
    const holes = variance.slice();
    holes[0] = NaN;
    holes[1] = -1;
    expect(Number.isFinite(referenceNoiseMse(mean, holes, 16))).toBe(true);
    expect(mseAgainstConverged(1e-3, 2e-4)).toBeCloseTo(8e-4, 15);
    expect(mseAgainstConverged(1e-4, 2e-4)).toBe(0);
  });

  it('rejects mismatched or non-RGB data and a bad spp', () => {
    expect(() => referenceNoiseMse(new Float32Array(6), new Float32Array(3), 4)).toThrow(/mean has 6 values, variance 3/);
    expect(() => referenceNoiseMse(new Float32Array(4), new Float32Array(4), 4)).toThrow(/RGB per pixel/);
    expect(() => referenceNoiseMse(new Float32Array(3), new Float32Array(3), 0)).toThrow(/spp must be at least 1/);
  });
});
