import { describe, expect, it } from 'vitest';
import type { ImageF32 } from '../../src/image/image.ts';
import { tonemap } from '../../src/image/tonemap.ts';
import { METRIC_TONEMAP, MetricError, ssim, ssimDisplay, ssimWeights } from '../../src/metrics/index.ts';
import { constant, img, random } from './images.ts';

/**
 * Straightforward SSIM for checking: for every output pixel whose 11x11 window fits, weight the window with a
 * 2D Gaussian built directly (not separably), compute means, population variances and covariance, apply the
 * formula; average per channel, then over channels.
 */
function slowSsim(test: ImageF32, ref: ImageF32): number {
  const { width, height, channels } = ref;
  const w2: number[][] = [];
  let sum = 0;
  for (let dy = -5; dy <= 5; dy++) {
    const row: number[] = [];
    for (let dx = -5; dx <= 5; dx++) {
      const v = Math.exp(-(dx * dx + dy * dy) / (2 * 1.5 * 1.5));
      row.push(v);
      sum += v;
    }
    w2.push(row);
  }
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  let channelTotal = 0;
  for (let c = 0; c < channels; c++) {
    let total = 0;
    let count = 0;
    for (let y = 5; y < height - 5; y++) {
      for (let x = 5; x < width - 5; x++) {
        let mx = 0, my = 0;
        for (let dy = -5; dy <= 5; dy++) for (let dx = -5; dx <= 5; dx++) {
          const i = ((y + dy) * width + x + dx) * channels + c;
          const wt = w2[dy + 5][dx + 5] / sum;
          mx += wt * test.data[i];
          my += wt * ref.data[i];
        }
        let vx = 0, vy = 0, cov = 0;
        for (let dy = -5; dy <= 5; dy++) for (let dx = -5; dx <= 5; dx++) {
          const i = ((y + dy) * width + x + dx) * channels + c;
          const wt = w2[dy + 5][dx + 5] / sum;
          const a = test.data[i] - mx;
          const b = ref.data[i] - my;
          vx += wt * a * a;
          vy += wt * b * b;
          cov += wt * a * b;
        }
        total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        count++;
      }
    }
    channelTotal += total / count;
  }
  return channelTotal / channels;
}

describe('SSIM', () => {
  it('uses a normalised 11-tap Gaussian with sigma 1.5', () => {
    const w = ssimWeights();
    expect(w.length).toBe(11);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(w[5] / w[4]).toBeCloseTo(Math.exp(1 / (2 * 1.5 * 1.5)), 12);
    expect(w[0]).toBeCloseTo(w[10], 15);
  });

  it('is 1 for identical images', () => {
    const a = random(16, 12, 3, 11, 0, 4);
    expect(ssim(a, { ...a, data: a.data.slice() })).toBe(1);
  });

  it('of two constant display images is (2ab + C1) / (a^2 + b^2 + C1)', () => {
    // Variances and covariance are 0: (2*0.25*0.375 + 1e-4) / (0.0625 + 0.140625 + 1e-4) = 0.923114774...
    expect(ssimDisplay(constant(12, 11, 3, 0.375), constant(12, 11, 3, 0.25))).toBeCloseTo(0.9231147742649772, 12);
  });

  it('matches skimage structural_similarity(gaussian_weights=True, use_sample_covariance=False)', () => {
    // Reference value computed in float64 with numpy/scipy the way skimage 0.19+ does it: per channel,
    // f = gaussian_filter(., sigma=1.5, truncate=3.5, mode='reflect') of x, y, x*x, y*y, x*y; the SSIM map from
    // population (co)variances; S[5:-5, 5:-5].mean(); then the mean over channels. Inputs: these same values
    // rounded to float32, reshaped (13, 17, 3).
    const n = 17 * 13 * 3;
    const ref = new Float32Array(n);
    const test = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      ref[i] = ((i * 37) % 101) / 100;
      test[i] = ref[i] + (((i * 29) % 11) - 5) / 50;
    }
    expect(ssimDisplay(img(17, 13, 3, test), img(17, 13, 3, ref))).toBeCloseTo(0.9763386584543191, 12);
  });

  it('matches a direct (non-separable) implementation on random images', () => {
    const ref = random(23, 19, 3, 21);
    const test = random(23, 19, 3, 22);
    for (let i = 0; i < ref.data.length; i++) test.data[i] = 0.7 * ref.data[i] + 0.3 * test.data[i];
    const expected = slowSsim(test, ref);
    expect(expected).toBeGreaterThan(0.3);
    expect(expected).toBeLessThan(0.99);
    expect(ssimDisplay(test, ref)).toBeCloseTo(expected, 12);
    // Linear input: the same on the tone-mapped images.
    const hdrRef = random(14, 11, 3, 23, 0, 6);
    const hdrTest = random(14, 11, 3, 24, 0, 6);
    expect(ssim(hdrTest, hdrRef)).toBeCloseTo(slowSsim(tonemap(hdrTest, METRIC_TONEMAP), tonemap(hdrRef, METRIC_TONEMAP)), 12);
  });

  it('averages per-channel SSIM (not luminance)', () => {
    const ref = random(13, 13, 3, 31);
    const test = img(13, 13, 3, ref.data.slice());
    const green = random(13, 13, 1, 32);
    const refGreen = img(13, 13, 1, new Float32Array(169));
    for (let p = 0; p < 169; p++) {
      test.data[p * 3 + 1] = green.data[p];
      refGreen.data[p] = ref.data[p * 3 + 1];
    }
    expect(ssimDisplay(test, ref)).toBeCloseTo((2 + ssimDisplay(green, refGreen)) / 3, 12);
  });

  it('scores only windows inside the image and rejects images smaller than the window', () => {
    // 11x11: exactly one window; 10x11 has none.
    const a = random(11, 11, 1, 41);
    const b = random(11, 11, 1, 42);
    expect(ssimDisplay(a, b)).toBeCloseTo(slowSsim(a, b), 12);
    expect(() => ssim(constant(10, 11, 3, 0), constant(10, 11, 3, 0))).toThrow(MetricError);
    expect(() => ssim(constant(10, 11, 3, 0), constant(10, 11, 3, 0))).toThrow(/image 10x11 is smaller than the 11x11 SSIM window/);
  });
});
