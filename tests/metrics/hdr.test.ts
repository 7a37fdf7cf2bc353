import { describe, expect, it } from 'vitest';
import {
  computeMetrics, psnr, relMSE, relMseMap, RELMSE_EPSILON, smape, SMAPE_EPSILON, ssim,
} from '../../src/metrics/index.ts';
import { img, random } from './images.ts';

describe('relMSE', () => {
  it('is the mean of (x-y)^2 / (y^2 + 0.01) on linear values', () => {
    expect(RELMSE_EPSILON).toBe(0.01);
    // (0 + 1/1.01 + 0.25/0.26) / 3
    expect(relMSE(img(3, 1, 1, [1, 2, 0]), img(3, 1, 1, [1, 1, 0.5]))).toBeCloseTo(0.6505458238131505, 12);
  });
  it('uses the reference in the denominator', () => {
    expect(relMSE(img(1, 1, 1, [2]), img(1, 1, 1, [1]))).toBeCloseTo(1 / 1.01, 12);
    expect(relMSE(img(1, 1, 1, [1]), img(1, 1, 1, [2]))).toBeCloseTo(1 / 4.01, 12);
  });
  it('is 0 for identical images', () => {
    const a = random(5, 4, 3, 1, 0, 100);
    expect(relMSE(a, a)).toBe(0);
  });
  it('per-pixel map averages the colour channels and its mean is relMSE', () => {
    const test = img(2, 1, 3, [1, 1, 1, 0, 0, 3]);
    const ref = img(2, 1, 3, [1, 1, 1, 0, 0, 0]);
    const map = relMseMap(test, ref);
    expect(map.channels).toBe(1);
    expect([map.width, map.height]).toEqual([2, 1]);
    expect(map.data[0]).toBe(0);
    expect(map.data[1]).toBeCloseTo(9 / 0.01 / 3, 4);
    const a = random(8, 5, 3, 7, 0, 5);
    const b = random(8, 5, 3, 8, 0, 5);
    const m = relMseMap(a, b);
    expect(m.data.reduce((s, v) => s + v, 0) / m.data.length).toBeCloseTo(relMSE(a, b), 5);
  });
});

describe('SMAPE', () => {
  it('is the mean of |x-y| / (|x| + |y| + 0.01)', () => {
    expect(SMAPE_EPSILON).toBe(0.01);
    // (0 + 1/3.01 + 0.5/0.51) / 3
    expect(smape(img(3, 1, 1, [1, 2, 0]), img(3, 1, 1, [1, 1, 0.5]))).toBeCloseTo(0.43753935682800255, 12);
  });
  it('is symmetric and below 1', () => {
    const a = random(6, 6, 3, 3, 0, 10);
    const b = random(6, 6, 3, 4, 0, 10);
    expect(smape(a, b)).toBeCloseTo(smape(b, a), 12);
    expect(smape(img(1, 1, 1, [1e6]), img(1, 1, 1, [0]))).toBeLessThan(1);
  });
});

describe('computeMetrics', () => {
  it('gives the same values as each metric alone', () => {
    const ref = random(14, 12, 3, 5, 0, 3);
    const test = random(14, 12, 3, 6, 0, 3);
    const all = computeMetrics(test, ref);
    expect(all.psnr).toBe(psnr(test, ref));
    expect(all.ssim).toBe(ssim(test, ref));
    expect(all.relMSE).toBe(relMSE(test, ref));
    expect(all.smape).toBe(smape(test, ref));
  });
});
