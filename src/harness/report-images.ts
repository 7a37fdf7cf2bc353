// Images for report.html, as PNG data URLs: tone-mapped renders (the metrics' own tone map, so the pictures show
// exactly what PSNR and SSIM compare), per-pixel relMSE heat maps on a fixed logarithmic colour map, and
// nearest-neighbour-upscaled crops of the regions with the largest error.
import { encode } from 'fast-png';
import type { ImageF32 } from '../image/image.ts';
import { encodePng } from '../image/png.ts';
import { METRIC_TONEMAP } from '../metrics/common.ts';
import { relMseMap } from '../metrics/hdr.ts';

/** Heat maps span relMSE 1e-4 .. 1e1 on a log10 scale; values outside are clamped to the end colours. */
export const HEAT_MIN_LOG10 = -4;
export const HEAT_MAX_LOG10 = 1;
/** viridis, sampled at 9 evenly spaced points (perceptually uniform, readable in grey and by colour-blind readers). */
export const HEAT_COLOURS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function base64(bytes: Uint8Array): string {
  const B = (globalThis as { Buffer?: { from(b: Uint8Array): { toString(enc: 'base64'): string } } }).Buffer;
  if (B) return B.from(bytes).toString('base64');
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const pngUrl = (bytes: Uint8Array): string => `data:image/png;base64,${base64(bytes)}`;

/** A linear HDR image as a PNG data URL, tone mapped with METRIC_TONEMAP (Reinhard, exposure 0, sRGB). */
export function renderDataUrl(image: ImageF32): string {
  return pngUrl(encodePng(image, METRIC_TONEMAP));
}

/** Colour of a relMSE value on the fixed heat scale. */
export function heatColour(relMse: number): [number, number, number] {
  const l = relMse > 0 ? Math.log10(relMse) : -Infinity;
  const t = Number.isNaN(l) ? 1 : Math.min(1, Math.max(0, (l - HEAT_MIN_LOG10) / (HEAT_MAX_LOG10 - HEAT_MIN_LOG10)));
  const f = t * (HEAT_COLOURS.length - 1);
  const i = Math.min(HEAT_COLOURS.length - 2, Math.floor(f));
  const u = f - i;
  const [a, b] = [HEAT_COLOURS[i], HEAT_COLOURS[i + 1]];
  return [0, 1, 2].map((c) => Math.round(a[c] + u * (b[c] - a[c]))) as [number, number, number];
}

/** CSS gradient of the heat scale, for the legend. */
export function heatGradientCss(): string {
  return `linear-gradient(to right, ${HEAT_COLOURS.map((c, i) => `rgb(${c.join(',')}) ${((100 * i) / (HEAT_COLOURS.length - 1)).toFixed(1)}%`).join(', ')})`;
}

/** Per-pixel relMSE (mean over RGB) of `test` against `reference`, box-averaged down so neither side exceeds maxSide. */
export function heatMapDataUrl(test: ImageF32, reference: ImageF32, maxSide = 256): string {
  const map = relMseMap(test, reference);
  const k = Math.max(1, Math.ceil(Math.max(map.width, map.height) / maxSide));
  const w = Math.ceil(map.width / k);
  const h = Math.ceil(map.height / k);
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      let n = 0;
      for (let yy = y * k; yy < Math.min(map.height, (y + 1) * k); yy++) {
        for (let xx = x * k; xx < Math.min(map.width, (x + 1) * k); xx++, n++) sum += map.data[yy * map.width + xx];
      }
      rgb.set(heatColour(sum / n), (y * w + x) * 3);
    }
  }
  return pngUrl(encode({ width: w, height: h, data: rgb, channels: 3, depth: 8 }));
}

/** Side of the square crops for an image: about 1/8 of its smaller side, 8..64 pixels. */
export function cropSide(width: number, height: number): number {
  return Math.max(1, Math.min(width, height, Math.max(8, Math.min(64, Math.round(Math.min(width, height) / 8)))));
}

/**
 * The `count` side x side windows with the largest summed error (1-channel map), greedily, each overlapping neither
 * `exclude` nor those chosen before it (found with a summed-area table, every window position tried).
 */
export function worstRegions(error: ImageF32, side: number, count: number, exclude: Rect[] = []): Rect[] {
  const { width: w, height: h } = error;
  const sat = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      const v = error.data[y * w + x];
      row += Number.isFinite(v) ? v : 1e30; // a non-finite error is the worst there is
      sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1] + row;
    }
  }
  const box = (x: number, y: number): number =>
    sat[(y + side) * (w + 1) + x + side] - sat[y * (w + 1) + x + side] - sat[(y + side) * (w + 1) + x] + sat[y * (w + 1) + x];
  const chosen: Rect[] = [];
  const overlaps = (x: number, y: number): boolean =>
    [...exclude, ...chosen].some((r) => x < r.x + r.width && r.x < x + side && y < r.y + r.height && r.y < y + side);
  for (let k = 0; k < count; k++) {
    let best: Rect | null = null;
    let bestSum = -Infinity;
    for (let y = 0; y + side <= h; y++) {
      for (let x = 0; x + side <= w; x++) {
        if (overlaps(x, y)) continue;
        const s = box(x, y);
        if (s > bestSum) [bestSum, best] = [s, { x, y, width: side, height: side }];
      }
    }
    if (!best) break;
    chosen.push(best);
  }
  return chosen;
}

/** `rect` of `image`, each pixel repeated `scale` x `scale` times (nearest neighbour). */
export function cropUpscale(image: ImageF32, rect: Rect, scale: number): ImageF32 {
  const c = image.channels;
  const w = rect.width * scale;
  const h = rect.height * scale;
  const data = new Float32Array(w * h * c);
  for (let y = 0; y < h; y++) {
    const sy = rect.y + Math.floor(y / scale);
    for (let x = 0; x < w; x++) {
      const src = (sy * image.width + rect.x + Math.floor(x / scale)) * c;
      for (let k = 0; k < c; k++) data[(y * w + x) * c + k] = image.data[src + k];
    }
  }
  return { width: w, height: h, channels: c, data };
}
