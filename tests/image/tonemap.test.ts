import { describe, expect, it } from 'vitest';
import { ImageError, type ImageF32 } from '../../src/image/image.ts';
import {
  acesNarkowicz, applyOperator, srgbDecode, srgbEncode, tonemap, tonemap8, tonemapValue,
} from '../../src/image/tonemap.ts';

// Hand-computed: sRGB(0.5) = 1.055 * 0.5^(1/2.4) - 0.055 = 0.7353569830524495
const SRGB_HALF = 0.7353569830524495;

function image(values: number[], channels: 1 | 3 | 4 = 1): ImageF32 {
  return { width: values.length / channels, height: 1, channels, data: new Float32Array(values) };
}

describe('sRGB transfer', () => {
  it('matches the piecewise definition (not gamma 2.2)', () => {
    expect(srgbEncode(0.5)).toBeCloseTo(SRGB_HALF, 12);
    expect(srgbEncode(0.002)).toBeCloseTo(12.92 * 0.002, 12); // linear segment
    expect(srgbEncode(0.0031308)).toBeCloseTo(0.04044994, 7); // both pieces meet here
    expect(srgbEncode(0)).toBe(0);
    expect(srgbEncode(1)).toBe(1);
    expect(srgbEncode(0.5)).not.toBeCloseTo(Math.pow(0.5, 1 / 2.2), 3);
  });
  it('decode inverts encode', () => {
    for (const v of [0, 1e-4, 0.0031308, 0.01, 0.18, 0.5, 0.99, 1]) {
      expect(srgbDecode(srgbEncode(v))).toBeCloseTo(v, 12);
    }
  });
});

describe('operators', () => {
  it('reinhard(1) = 0.5, then sRGB', () => {
    expect(applyOperator(1, 'reinhard')).toBe(0.5);
    expect(tonemapValue(1, { operator: 'reinhard' })).toBeCloseTo(SRGB_HALF, 12);
    expect(tonemap8(image([1]), { operator: 'reinhard' }).data[0]).toBe(188); // round(187.516)
  });
  it('aces is Narkowicz\'s fit: aces(1) = 2.54 / 3.16', () => {
    expect(acesNarkowicz(1)).toBeCloseTo(2.54 / 3.16, 12);
    expect(acesNarkowicz(0.18)).toBeCloseTo((0.18 * (2.51 * 0.18 + 0.03)) / (0.18 * (2.43 * 0.18 + 0.59) + 0.14), 12);
    expect(tonemapValue(1)).toBeCloseTo(srgbEncode(2.54 / 3.16), 12); // the default operator
  });
  it('aces saturates before the v >= 8 shortcut, so the shortcut adds no discontinuity', () => {
    for (let v = 7.3; v < 8; v += 0.05) {
      const raw = (v * (2.51 * v + 0.03)) / (v * (2.43 * v + 0.59) + 0.14);
      expect(raw).toBeGreaterThanOrEqual(1);
      expect(acesNarkowicz(v)).toBe(1);
    }
    expect(acesNarkowicz(7)).toBeLessThan(1);
    expect(acesNarkowicz(1e300)).toBe(1);
  });
  it('aces and reinhard are monotone on [0, 100]', () => {
    let prevA = 0;
    let prevR = 0;
    for (let v = 0; v <= 100; v += 0.01) {
      const a = applyOperator(v, 'aces');
      const r = applyOperator(v, 'reinhard');
      expect(a).toBeGreaterThanOrEqual(prevA);
      expect(r).toBeGreaterThanOrEqual(prevR);
      prevA = a;
      prevR = r;
    }
  });
  it('clamp is linear then clipped', () => {
    expect(applyOperator(0.25, 'clamp')).toBe(0.25);
    expect(applyOperator(3, 'clamp')).toBe(1);
    expect(tonemapValue(0.002, { operator: 'clamp' })).toBeCloseTo(0.02584, 12);
  });
});

describe('tonemap', () => {
  it('applies exposure in stops before the operator', () => {
    // 0.25 * 2^2 = 1 -> reinhard 0.5
    expect(tonemap(image([0.25]), { exposure: 2, operator: 'reinhard' }).data[0]).toBeCloseTo(SRGB_HALF, 6);
    expect(tonemap(image([4]), { exposure: -2, operator: 'reinhard' }).data[0]).toBeCloseTo(SRGB_HALF, 6);
  });
  it('maps NaN and negatives to 0 and +Inf to 1 for every operator', () => {
    for (const operator of ['aces', 'reinhard', 'clamp'] as const) {
      const out = tonemap8(image([NaN, Infinity, -Infinity, -3, 0, 1e38]), { operator }).data;
      expect(Array.from(out)).toEqual([0, 255, 0, 0, 0, 255]);
    }
    // Exposure overflow must not turn 0 * Inf into garbage either.
    expect(Array.from(tonemap8(image([0, 1]), { exposure: 2000 }).data)).toEqual([0, 255]);
  });
  it('passes alpha through, clamped, without exposure or sRGB', () => {
    const out = tonemap(image([1, 1, 1, 0.3, 1, 1, 1, 7, 1, 1, 1, NaN], 4), { exposure: 3 });
    expect(out.data[3]).toBeCloseTo(0.3, 6);
    expect(out.data[7]).toBe(1);
    expect(out.data[11]).toBe(0);
    expect(tonemap8(image([0, 0, 0, 0.5], 4)).data[3]).toBe(128);
  });
  it('keeps size and channel count and never leaves [0, 1]', () => {
    const src: ImageF32 = { width: 7, height: 5, channels: 3, data: new Float32Array(105).map((_, i) => (i - 30) * 0.37) };
    const out = tonemap(src, { operator: 'aces', exposure: 1.5 });
    expect([out.width, out.height, out.channels, out.data.length]).toEqual([7, 5, 3, 105]);
    for (const v of out.data) expect(v >= 0 && v <= 1).toBe(true);
  });
  it('rejects a non-finite exposure and an unknown operator', () => {
    expect(() => tonemap(image([1]), { exposure: NaN })).toThrow(ImageError);
    expect(() => tonemap(image([1]), { operator: 'filmic' as 'aces' })).toThrow(/unknown operator 'filmic'/);
  });
});
