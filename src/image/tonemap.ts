// CPU reference tone mapping: linear HDR radiance -> display-referred sRGB.
//
// Per colour channel, with s = 2^exposure:
//   v = x * s                                     (exposure in stops)
//   NaN -> 0, v <= 0 (incl. -Inf) -> 0, +Inf -> 1 (the operator is skipped for these)
//   aces:     clamp01(v(2.51v + 0.03) / (v(2.43v + 0.59) + 0.14))    Narkowicz 2015 fit; pre-exposed,
//             so 1 -> ~0.8; no 0.6 input scale. The fit reaches 1 at v ~= 7.25, so v >= 8 returns 1
//             directly (avoids Inf/Inf for huge v).
//   reinhard: v / (1 + v)
//   clamp:    min(v, 1)
//   out = srgbEncode(operator(v)): 12.92 u for u <= 0.0031308, else 1.055 u^(1/2.4) - 0.055
//   8-bit:    round(255 * out)
// Alpha (channel 4) is coverage, not radiance: it is clamped to [0,1] (NaN -> 0) and not exposed or encoded.
import { ImageError, type ImageF32 } from './image.ts';

export type ToneOperator = 'aces' | 'reinhard' | 'clamp';
export const TONE_OPERATORS: readonly ToneOperator[] = ['aces', 'reinhard', 'clamp'];

export interface TonemapOptions {
  /** Exposure in stops: values are multiplied by 2^exposure before the operator. Default 0. */
  exposure?: number;
  /** Default 'aces'. */
  operator?: ToneOperator;
}

/** Image with 8-bit display-encoded samples (same layout as ImageF32). */
export interface ImageU8 {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

export function acesNarkowicz(v: number): number {
  if (v >= 8) return 1;
  const y = (v * (2.51 * v + 0.03)) / (v * (2.43 * v + 0.59) + 0.14);
  return y < 0 ? 0 : y > 1 ? 1 : y;
}

export function reinhard(v: number): number {
  return v / (1 + v);
}

/** sRGB opto-electronic transfer function (IEC 61966-2-1), input clamped to [0,1]. */
export function srgbEncode(u: number): number {
  if (!(u > 0)) return 0;
  if (u >= 1) return 1;
  return u <= 0.0031308 ? 12.92 * u : 1.055 * Math.pow(u, 1 / 2.4) - 0.055;
}

/** Inverse of srgbEncode, input clamped to [0,1]. */
export function srgbDecode(e: number): number {
  if (!(e > 0)) return 0;
  if (e >= 1) return 1;
  return e <= 0.04045 ? e / 12.92 : Math.pow((e + 0.055) / 1.055, 2.4);
}

/** Operator output in linear display units [0,1] for one already-exposed value, NaN/Inf made safe. */
export function applyOperator(v: number, operator: ToneOperator): number {
  if (Number.isNaN(v) || v <= 0) return 0;
  if (v === Infinity) return 1;
  switch (operator) {
    case 'aces':
      return acesNarkowicz(v);
    case 'reinhard':
      return reinhard(v);
    case 'clamp':
      return v < 1 ? v : 1;
  }
}

/** Tone maps one linear value to an sRGB-encoded value in [0,1]. */
export function tonemapValue(x: number, options: TonemapOptions = {}): number {
  const { scale, operator } = resolveOptions(options);
  return srgbEncode(applyOperator(x * scale, operator));
}

/** Tone maps a linear HDR image to sRGB-encoded floats in [0,1]. */
export function tonemap(image: ImageF32, options: TonemapOptions = {}): ImageF32 {
  const out = new Float32Array(image.data.length);
  mapInto(image, options, out, false);
  return { width: image.width, height: image.height, channels: image.channels, data: out };
}

/** Tone maps a linear HDR image to 8-bit sRGB (round to nearest). */
export function tonemap8(image: ImageF32, options: TonemapOptions = {}): ImageU8 {
  const out = new Uint8Array(image.data.length);
  mapInto(image, options, out, true);
  return { width: image.width, height: image.height, channels: image.channels, data: out };
}

function mapInto(image: ImageF32, options: TonemapOptions, out: Float32Array | Uint8Array, to8: boolean): void {
  const { scale, operator } = resolveOptions(options);
  const { data, channels } = image;
  const colour = channels === 4 ? 3 : channels;
  const pixels = image.width * image.height;
  for (let p = 0, i = 0; p < pixels; p++) {
    for (let c = 0; c < colour; c++, i++) {
      const v = srgbEncode(applyOperator(data[i] * scale, operator));
      out[i] = to8 ? Math.round(v * 255) : v;
    }
    if (channels === 4) {
      const a = data[i];
      const v = a > 0 ? (a < 1 ? a : 1) : 0;
      out[i++] = to8 ? Math.round(v * 255) : v;
    }
  }
}

function resolveOptions(options: TonemapOptions): { scale: number; operator: ToneOperator } {
  const exposure = options.exposure ?? 0;
  const operator = options.operator ?? 'aces';
  if (!Number.isFinite(exposure)) throw new ImageError('tonemap', `exposure must be a finite number of stops, got ${exposure}`);
  if (!TONE_OPERATORS.includes(operator)) {
    throw new ImageError('tonemap', `unknown operator '${String(operator)}' (expected ${TONE_OPERATORS.join(', ')})`);
  }
  return { scale: Math.pow(2, exposure), operator };
}
