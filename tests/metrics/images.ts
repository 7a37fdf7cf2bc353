// Small test images for the metric tests.
import type { ImageF32 } from '../../src/image/image.ts';
import { mulberry32 } from '../support/random.ts';

export function img(width: number, height: number, channels: 1 | 3 | 4, values: number[] | Float32Array): ImageF32 {
  const data = values instanceof Float32Array ? values : new Float32Array(values);
  if (data.length !== width * height * channels) throw new Error(`test image: ${data.length} values for ${width}x${height}x${channels}`);
  return { width, height, channels, data };
}

export function constant(width: number, height: number, channels: 1 | 3 | 4, value: number): ImageF32 {
  return img(width, height, channels, new Float32Array(width * height * channels).fill(value));
}

/** Uniform random values in [lo, hi), fixed seed. */
export function random(width: number, height: number, channels: 1 | 3 | 4, seed: number, lo = 0, hi = 1): ImageF32 {
  const rng = mulberry32(seed);
  const data = new Float32Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rng();
  return img(width, height, channels, data);
}
