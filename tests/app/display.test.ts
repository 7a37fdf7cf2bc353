import { describe, expect, it } from 'vitest';
import { composeView } from '../../src/app/display.ts';
import type { ImageF32 } from '../../src/image/image.ts';
import { tonemap8 } from '../../src/image/tonemap.ts';

function ramp(width: number, height: number, scale: number): ImageF32 {
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 37) % 101) / 25 * scale;
  data[0] = Number.NaN;
  data[1] = Infinity;
  return { width, height, channels: 3, data };
}

describe('composeView', () => {
  it('maps every value exactly as tonemap8 (what Save PNG writes), alpha 255', () => {
    const img = ramp(7, 5, 1);
    for (const tone of [{ exposure: 0, operator: 'aces' as const }, { exposure: -1.5, operator: 'reinhard' as const }, { exposure: 2, operator: 'clamp' as const }]) {
      const rgba = composeView(img, null, 0.5, tone);
      const ref = tonemap8(img, tone).data;
      for (let p = 0; p < 35; p++) {
        expect([rgba[p * 4], rgba[p * 4 + 1], rgba[p * 4 + 2], rgba[p * 4 + 3]]).toEqual([ref[p * 3], ref[p * 3 + 1], ref[p * 3 + 2], 255]);
      }
    }
  });

  it('shows the comparison image from column round(split * width) on', () => {
    const a = ramp(10, 3, 1);
    const b = ramp(10, 3, 3);
    const tone = { exposure: 0, operator: 'aces' as const };
    const ta = composeView(a, null, 0, tone);
    const tb = composeView(b, null, 0, tone);
    const mixed = composeView(a, b, 0.34, tone);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 10; x++) {
        const o = (y * 10 + x) * 4;
        expect(mixed.slice(o, o + 4)).toEqual((x < 3 ? ta : tb).slice(o, o + 4));
      }
    }
    expect(() => composeView(a, ramp(9, 3, 1), 0.5, tone)).toThrow(/9x3/);
  });
});
