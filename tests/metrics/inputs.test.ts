// Bad input and non-finite values: sizes must match, the reference must be finite, and a non-finite test sample
// counts as maximal error (never skipped, never turned into a small error by the tone mapper's NaN -> 0).
import { describe, expect, it } from 'vitest';
import {
  computeMetrics, MetricError, psnr, psnrDisplay, relMSE, relMseMap, smape, ssim, ssimDisplay,
} from '../../src/metrics/index.ts';
import { constant, img } from './images.ts';

describe('size checks', () => {
  it('name both sizes', () => {
    const a = constant(4, 4, 3, 0);
    const b = constant(5, 4, 3, 0);
    for (const metric of [psnr, ssim, relMSE, smape, relMseMap, computeMetrics]) {
      expect(() => metric(a, b)).toThrow(MetricError);
      expect(() => metric(a, b)).toThrow(/test image is 4x4 with 3 channels but the reference is 5x4 with 3 channels/);
    }
  });
  it('reject different colour channel counts but accept RGB against RGBA', () => {
    expect(() => relMSE(constant(2, 2, 1, 0), constant(2, 2, 3, 0))).toThrow(/relMSE: test image is 2x2 with 1 channel but the reference is 2x2 with 3 channels/);
    expect(relMSE(constant(2, 2, 4, 1), constant(2, 2, 3, 1))).toBe(0);
  });
  it('reject malformed images', () => {
    const bad = { width: 2, height: 2, channels: 3 as const, data: new Float32Array(5) };
    expect(() => psnr(bad, constant(2, 2, 3, 0))).toThrow(/psnr: test image: data length 5 does not match 2x2x3 = 12/);
  });
});

describe('non-finite values', () => {
  it('reference NaN or Inf is an error naming the pixel', () => {
    const ref = constant(3, 2, 3, 0.5);
    ref.data[(1 * 3 + 2) * 3 + 1] = NaN; // pixel (2, 1), green
    expect(() => psnr(constant(3, 2, 3, 0.5), ref)).toThrow(/psnr: reference has a non-finite value \(NaN\) at pixel \(2, 1\) channel 1/);
    ref.data[4] = Infinity;
    expect(() => smape(constant(3, 2, 3, 0.5), ref)).toThrow(/Infinity\) at pixel \(1, 0\) channel 1/);
  });

  it('PSNR: a NaN sample is the value farthest from the reference', () => {
    // Reference black: NaN counts as white (error 1); the other sample is exact. MSE = 1/2 -> 3.0103 dB.
    expect(psnr(img(2, 1, 1, [NaN, 0]), img(2, 1, 1, [0, 0]))).toBeCloseTo(10 * Math.log10(2), 10);
    // Reference linear 1 (display 0.7354, above 0.5): NaN counts as black.
    expect(psnr(img(1, 1, 1, [NaN]), img(1, 1, 1, [1]))).toBeCloseTo(2.670035582064635, 6);
    // +-Inf likewise (not the tone mapper's Inf -> white, -Inf -> black).
    expect(psnr(img(1, 1, 1, [Infinity]), img(1, 1, 1, [1e9]))).toBeCloseTo(0, 6);
    expect(psnrDisplay(img(2, 1, 1, [-Infinity, 0.25]), img(2, 1, 1, [0.25, 0.25]))).toBeCloseTo(-10 * Math.log10(0.75 ** 2 / 2), 10);
  });

  it('SSIM: a NaN sample counts as the farthest value, and the result stays finite', () => {
    const ref = constant(11, 11, 3, 0);
    const test = constant(11, 11, 3, 0);
    test.data[60 * 3] = NaN;
    const white = constant(11, 11, 3, 0);
    white.data[60 * 3] = 1;
    const value = ssim(test, ref);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeLessThan(0.9);
    expect(value).toBe(ssimDisplay(white, constant(11, 11, 3, 0)));
  });

  it('relMSE: a non-finite sample makes it Infinity', () => {
    expect(relMSE(img(2, 1, 1, [NaN, 1]), img(2, 1, 1, [1, 1]))).toBe(Infinity);
    expect(relMSE(img(2, 1, 1, [-Infinity, 1]), img(2, 1, 1, [1, 1]))).toBe(Infinity);
    const map = relMseMap(img(2, 1, 1, [NaN, 1]), img(2, 1, 1, [1, 1]));
    expect(Array.from(map.data)).toEqual([Infinity, 0]);
  });

  it('SMAPE: a non-finite sample contributes 1, its supremum', () => {
    expect(smape(img(2, 1, 1, [NaN, 1]), img(2, 1, 1, [1, 1]))).toBe(0.5);
    expect(smape(img(2, 1, 1, [Infinity, 1]), img(2, 1, 1, [1, 1]))).toBe(0.5);
  });
});
