// What the canvas shows: the main image (noisy or denoised) left of the split, a comparison image right of it,
// tone mapped with the user's exposure and operator. Pure: returns RGBA bytes, so Node tests can check it.
import type { ImageF32 } from '../image/image.ts';
import { applyOperator, srgbEncode, type ToneOperator } from '../image/tonemap.ts';

export type ImageKind = 'noisy' | 'denoised' | 'reference';
export type CompareKind = 'none' | ImageKind;

export interface ToneSettings {
  /** Stops. */
  exposure: number;
  operator: ToneOperator;
}

/**
 * RGBA8 of `main` with `compare` (same size) from column round(split * width) on, each value mapped exactly as
 * tonemap8 maps it (src/image/tonemap.ts), so what is shown is what Save PNG writes.
 */
export function composeView(main: ImageF32, compare: ImageF32 | null, split: number, tone: ToneSettings): Uint8ClampedArray {
  const { width, height } = main;
  if (compare && (compare.width !== width || compare.height !== height)) {
    throw new RangeError(`compare image is ${compare.width}x${compare.height} but the view is ${width}x${height}`);
  }
  const scale = 2 ** tone.exposure;
  const cut = compare ? Math.round(Math.min(1, Math.max(0, split)) * width) : width;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = x < cut ? main : compare!;
      const p = y * width + x;
      const i = p * src.channels;
      const o = p * 4;
      const grey = src.channels === 1;
      for (let c = 0; c < 3; c++) {
        const v = src.data[grey ? i : i + c] * scale;
        out[o + c] = Math.round(255 * srgbEncode(applyOperator(v, tone.operator)));
      }
      out[o + 3] = 255;
    }
  }
  return out;
}
