// Test-time self-ensemble: the denoiser run on flipped / transposed copies of its input, each output mapped back
// and the results averaged. The networks were trained on random flips and transpositions of their crops (the 8
// symmetries of the square), so every copy is an input they know; their errors are partly independent and the mean
// is closer to the clean image (measured in denoiser/README.md) at n times the cost. The WebGPU runtime applies
// the transforms in its input and output passes (shaders/nn/input_common.wgsl, output.wgsl); this module defines
// them and composes them on the CPU for the gpu.js runtime and the tests.
import type { DenoiseImages } from './images.ts';

/**
 * One of the 8 symmetries of the square, as bits: 1 flips x, 2 flips y, 4 transposes. The network sees J with
 * J(x', y') = I(S(x', y')): flip x' and y' within J's size, then swap them if transposing.
 */
export type Symmetry = number;

/** How many transformed copies an ensemble denoises. */
export const ENSEMBLE_SIZES = [1, 2, 4, 8] as const;
export type EnsembleSize = (typeof ENSEMBLE_SIZES)[number];

/**
 * The symmetries each ensemble size runs: 2 adds the 180-degree rotation, 4 all flips (none transposes, so a
 * non-square image keeps one tensor size), 8 all eight.
 */
export const ENSEMBLE_SYMMETRIES: Readonly<Record<EnsembleSize, readonly Symmetry[]>> = Object.freeze({
  1: [0],
  2: [0, 3],
  4: [0, 1, 2, 3],
  8: [0, 1, 2, 3, 4, 5, 6, 7],
});

export function isEnsembleSize(n: unknown): n is EnsembleSize {
  return (ENSEMBLE_SIZES as readonly unknown[]).includes(n);
}

/** The size of J for an image of width x height. */
export function transformedSize(width: number, height: number, s: Symmetry): { width: number; height: number } {
  return s & 4 ? { width: height, height: width } : { width, height };
}

/** J of `data` (width x height pixels of `channels` values, interleaved): J's size is transformedSize(). */
export function transformPixels(data: Float32Array, width: number, height: number, channels: number, s: Symmetry): Float32Array {
  const j = transformedSize(width, height, s);
  const out = new Float32Array(data.length);
  for (let y = 0; y < j.height; y++) {
    for (let x = 0; x < j.width; x++) {
      const a = s & 1 ? j.width - 1 - x : x;
      const b = s & 2 ? j.height - 1 - y : y;
      const src = s & 4 ? b + a * width : a + b * width;
      const dst = y * j.width + x;
      for (let c = 0; c < channels; c++) out[dst * channels + c] = data[src * channels + c];
    }
  }
  return out;
}

/** The inverse of transformPixels: `data` is J (transformedSize of width x height); the result is width x height. */
export function untransformPixels(data: Float32Array, width: number, height: number, channels: number, s: Symmetry): Float32Array {
  const j = transformedSize(width, height, s);
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [a, b] = s & 4 ? [y, x] : [x, y];
      const jx = s & 1 ? j.width - 1 - a : a;
      const jy = s & 2 ? j.height - 1 - b : b;
      const src = jy * j.width + jx;
      const dst = y * width + x;
      for (let c = 0; c < channels; c++) out[dst * channels + c] = data[src * channels + c];
    }
  }
  return out;
}

/** Every image of `images` transformed by `s`. */
export function transformImages(images: DenoiseImages, s: Symmetry): DenoiseImages {
  const { width, height } = images;
  const t = (d: Float32Array | undefined) => (d ? transformPixels(d, width, height, 3, s) : undefined);
  return { ...transformedSize(width, height, s), color: t(images.color)!, albedo: t(images.albedo), normal: t(images.normal) };
}

/**
 * The ensemble composed on the CPU around any denoiser of RGB images: the mean of untransform(denoise(transform(x)))
 * over the size's symmetries, accumulated in their order as the WebGPU output pass does.
 */
export async function denoiseEnsemble(images: DenoiseImages, size: EnsembleSize,
  denoise: (images: DenoiseImages) => Promise<Float32Array>): Promise<Float32Array> {
  const { width, height } = images;
  const symmetries = ENSEMBLE_SYMMETRIES[size];
  const weight = 1 / symmetries.length;
  let sum: Float32Array | null = null;
  for (const s of symmetries) {
    const out = untransformPixels(await denoise(s === 0 ? images : transformImages(images, s)), width, height, 3, s);
    if (!sum) sum = out.map((v) => Math.fround(v * weight));
    else for (let i = 0; i < out.length; i++) sum[i] = Math.fround(sum[i] + Math.fround(out[i] * weight));
  }
  return sum!;
}

/** A rectangle of pixels. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The pixels of an image of width x height that a rectangle of its transform J (under `s`) shows: J's tiles,
 * mapped back. Within the rectangle the symmetry acts locally (flips within its size), so a tile of J is the same
 * symmetry applied to this rectangle of the image.
 */
export function untransformRect(r: PixelRect, width: number, height: number, s: Symmetry): PixelRect {
  const j = transformedSize(width, height, s);
  const a = s & 1 ? j.width - r.x - r.width : r.x;
  const b = s & 2 ? j.height - r.y - r.height : r.y;
  return s & 4 ? { x: b, y: a, width: r.height, height: r.width } : { x: a, y: b, width: r.width, height: r.height };
}
