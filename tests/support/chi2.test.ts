import { describe, expect, it } from 'vitest';
import { binomialPValue, chi2Sf, gammaP, gammaQ, lnGamma, pearsonChi2, sidakAlpha, StatisticsError } from './chi2.ts';

// Reference values from scipy.stats.chi2.sf / scipy.special.gammainc(c).
describe('chi-square statistics helpers', () => {
  it('lnGamma matches closed forms', () => {
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362880), 10);
    expect(lnGamma(0.1)).toBeCloseTo(2.252712651734206, 10);
  });

  it('regularized incomplete gamma matches scipy', () => {
    expect(gammaP(2.5, 1.0)).toBeCloseTo(0.15085496391539038, 12);
    expect(gammaQ(10, 15)).toBeCloseTo(0.06985366069940986, 12);
    expect(gammaP(0.5, 0.01)).toBeCloseTo(0.11246291601828491, 12);
    expect(gammaQ(1, 3)).toBeCloseTo(Math.exp(-3), 14); // Q(1, x) = e^-x
    expect(gammaP(3, 0)).toBe(0);
  });

  it('chi2 survival function matches tables', () => {
    expect(chi2Sf(3.841459, 1)).toBeCloseTo(0.05, 7);
    expect(chi2Sf(18.307, 10)).toBeCloseTo(0.05000058909139812, 9);
    expect(chi2Sf(2, 2)).toBeCloseTo(Math.exp(-1), 12);
    expect(chi2Sf(100, 100)).toBeCloseTo(0.48119168452795674, 10);
    expect(chi2Sf(0.5, 3)).toBeCloseTo(0.9188914116546758, 10);
    expect(chi2Sf(50, 3) / 7.989179244951495e-11).toBeCloseTo(1, 8);
    expect(chi2Sf(1500, 1000) / 1.0454640385980825e-22).toBeCloseTo(1, 6);
    expect(chi2Sf(0, 4)).toBe(1);
  });

  it('Sidak correction', () => {
    expect(sidakAlpha(0.01, 1)).toBeCloseTo(0.01, 15);
    expect(sidakAlpha(0.01, 50)).toBeCloseTo(2.0098e-4, 7);
    expect(1 - Math.pow(1 - sidakAlpha(0.05, 7), 7)).toBeCloseTo(0.05, 12);
  });

  it('Pearson test pools sparse cells and counts degrees of freedom', () => {
    // Cells with expected 1, 2, 3 pool into one (6 >= 5); 10 and 20 stay: 3 cells, 2 dof.
    const r = pearsonChi2([2, 2, 2, 10, 20], [1, 2, 3, 10, 20]);
    expect(r.pooledCells).toBe(3);
    expect(r.dof).toBe(2);
    expect(r.statistic).toBeCloseTo(0, 12);
    expect(r.pValue).toBeCloseTo(1, 12);
    // Hand-computed: (12-10)^2/10 + (18-20)^2/20 + (6-6)^2/6 = 0.6.
    const s = pearsonChi2([1, 2, 3, 12, 18], [1, 2, 3, 10, 20]);
    expect(s.statistic).toBeCloseTo(0.6, 12);
    expect(s.pValue).toBeCloseTo(Math.exp(-0.3), 12);
    // Samples where the pdf says none can be are reported, not pooled away.
    expect(pearsonChi2([3, 10, 20], [0, 13, 20]).impossibleSamples).toBe(3);
  });

  it('Pearson test rejects a wrong distribution and accepts the right one', () => {
    // Deterministic "uniform" sample over 20 cells vs a tilted expectation.
    const n = 20;
    const observed = Array.from({ length: n }, () => 5000);
    const uniform = Array.from({ length: n }, () => 5000);
    const tilted = Array.from({ length: n }, (_, i) => 5000 * (1 + 0.2 * (i / (n - 1) - 0.5)));
    expect(pearsonChi2(observed, uniform).pValue).toBeGreaterThan(0.99);
    expect(pearsonChi2(observed, tilted).pValue).toBeLessThan(1e-4);
  });

  it('binomial p-value', () => {
    expect(binomialPValue(500, 1000, 0.5)).toBeCloseTo(1, 12);
    // z = 1.96 -> p ~ 0.05
    expect(binomialPValue(500 + 1.959964 * Math.sqrt(250), 1000, 0.5)).toBeCloseTo(0.05, 6);
  });

  it('rejects bad input with a clear error', () => {
    expect(() => chi2Sf(1, 0)).toThrow(StatisticsError);
    expect(() => pearsonChi2([1], [1, 2])).toThrow(/1 observed vs 2 expected/);
    expect(() => lnGamma(-1)).toThrow(/lnGamma/);
  });
});
