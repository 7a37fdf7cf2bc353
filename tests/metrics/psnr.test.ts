import { describe, expect, it } from 'vitest';
import { tonemap } from '../../src/image/tonemap.ts';
import { METRIC_TONEMAP, psnr, psnrDisplay, psnrFromMse } from '../../src/metrics/index.ts';
import { constant, img, random } from './images.ts';

describe('PSNR', () => {
  it('states one operator and exposure', () => {
    expect(METRIC_TONEMAP).toEqual({ operator: 'reinhard', exposure: 0 });
    expect(Object.isFrozen(METRIC_TONEMAP)).toBe(true);
  });

  it('of a constant offset of 1/8 in display space is 10 log10(64)', () => {
    // MSE = (0.375 - 0.25)^2 = 1/64 -> 18.0618 dB
    expect(psnrDisplay(constant(5, 3, 3, 0.375), constant(5, 3, 3, 0.25))).toBeCloseTo(18.06179973983887, 10);
  });

  it('of linear 1 against linear 0 is that of a constant offset sRGB(reinhard(1)) = 0.73536', () => {
    // reinhard(1) = 0.5; sRGB(0.5) = 0.7353569830524495; PSNR = -20 log10(0.73536) = 2.6700 dB
    expect(psnr(constant(4, 4, 3, 1), constant(4, 4, 3, 0))).toBeCloseTo(2.670035582064635, 6);
  });

  it('averages over every pixel and colour channel', () => {
    const ref = constant(2, 2, 3, 0.5);
    const test = constant(2, 2, 3, 0.5);
    test.data[7] = 1; // one sample of 12 off by 0.5: MSE = 0.25 / 12
    expect(psnrDisplay(test, ref)).toBeCloseTo(16.812412373755873, 10);
  });

  it('is Infinity for identical images', () => {
    const a = random(7, 5, 3, 1, 0, 10);
    expect(psnr(a, { ...a, data: a.data.slice() })).toBe(Infinity);
    expect(psnrFromMse(0)).toBe(Infinity);
  });

  it('equals the display PSNR of the METRIC_TONEMAP images', () => {
    const ref = random(9, 6, 3, 2, 0, 8);
    const test = random(9, 6, 3, 3, 0, 8);
    expect(psnr(test, ref)).toBeCloseTo(psnrDisplay(tonemap(test, METRIC_TONEMAP), tonemap(ref, METRIC_TONEMAP)), 12);
  });

  it('counts errors above display white (Reinhard, not clamp)', () => {
    // Linear 2 vs 4: clamped both would be white; Reinhard gives 2/3 vs 4/5.
    const value = psnr(constant(3, 3, 3, 4), constant(3, 3, 3, 2));
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(20);
    expect(value).toBeLessThan(30);
  });

  it('ignores alpha', () => {
    const ref = random(4, 3, 4, 4);
    const test = random(4, 3, 4, 5);
    const rgb = (im: typeof ref) => img(4, 3, 3, Float32Array.from({ length: 36 }, (_, i) => im.data[Math.floor(i / 3) * 4 + (i % 3)]));
    expect(psnr(test, ref)).toBeCloseTo(psnr(rgb(test), rgb(ref)), 12);
  });
});
