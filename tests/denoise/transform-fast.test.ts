// prepColorFast (the training pairs' colour transform) against prepColor (the definition): within the interpolation
// bound its comment derives, 2^-24 * p (1 - p) / 8 = 1.85e-9 with p = 1 / 2.2, over the whole float range.
import { describe, expect, it } from 'vitest';
import { prepColor, prepColorFast } from '../../src/denoise/transform.ts';
import { mulberry32 } from '../support/random.ts';

const P = 1 / 2.2;
const BOUND = (2 ** -24 * P * (1 - P)) / 8 + 1e-15; // + float64 rounding of the few operations

describe('prepColorFast', () => {
  it('is prepColor to within the interpolation bound, log-uniformly from 1e-30 to 1e30 and at table entries', () => {
    const rnd = mulberry32(7);
    let worst = 0;
    const check = (v: number) => {
      const d = Math.abs(prepColorFast(v) - prepColor(v));
      worst = Math.max(worst, d);
      expect(d, `v = ${v}`).toBeLessThanOrEqual(BOUND);
    };
    for (let i = 0; i < 200_000; i++) check(10 ** (60 * rnd() - 30));
    // x = v / (1 + v) at and halfway between table entries (m = 1 + j / 4096 and the midpoints), x = 1/2: v = x / (1 - x)
    for (let j = 0; j < 8192; j++) {
      const x = (1 + j / 8192) / 2;
      check(x / (1 - x));
    }
    // the bound is nearly reached halfway between entries near m = 1, where (m^p)'' is largest: it is not loose
    expect(worst).toBeGreaterThan(BOUND / 2);
  });

  it('treats NaN, Inf, negatives, zero, subnormals and overflow as prepColor does', () => {
    for (const v of [NaN, Infinity, -Infinity, -1, -0, 0, 5e-324, 1e-310, Number.MAX_VALUE, 2 ** 60, 1e-300]) {
      expect(Math.abs(prepColorFast(v) - prepColor(v)), `v = ${v}`).toBeLessThanOrEqual(BOUND);
    }
    expect(prepColorFast(NaN)).toBe(-0.5);
    expect(prepColorFast(Infinity)).toBe(-0.5);
    expect(prepColorFast(-3)).toBe(-0.5);
    expect(prepColorFast(Number.MAX_VALUE)).toBe(0.5);
  });
});
