// Error metrics on linear HDR radiance (no tone mapping), over all pixels and colour channels.
//   relMSE: (x - y)^2 / (y^2 + 0.01)        relative to the reference y; the epsilon keeps black pixels finite
//   SMAPE:  |x - y| / (|x| + |y| + 0.01)    symmetric, in [0, 1) (this form has no factor 2, so it is not [0, 2))
// A non-finite test sample counts as maximal error: Infinity for relMSE (unbounded), 1 for SMAPE (its supremum).
import { createImage, type ImageF32 } from '../image/image.ts';
import { checkPair } from './common.ts';

export const RELMSE_EPSILON = 0.01;
export const SMAPE_EPSILON = 0.01;

/** relMSE of one sample: test x against reference y. */
export function relMseSample(x: number, y: number): number {
  if (!Number.isFinite(x)) return Infinity;
  const d = x - y;
  return (d * d) / (y * y + RELMSE_EPSILON);
}

/** SMAPE of one sample: test x against reference y. */
export function smapeSample(x: number, y: number): number {
  if (!Number.isFinite(x)) return 1;
  return Math.abs(x - y) / (Math.abs(x) + Math.abs(y) + SMAPE_EPSILON);
}

function meanOf(metric: string, sample: (x: number, y: number) => number, test: ImageF32, reference: ImageF32): number {
  const s = checkPair(metric, test, reference);
  const n = s.width * s.height;
  let sum = 0;
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < s.channels; c++) {
      sum += sample(test.data[p * s.testStride + c], reference.data[p * s.referenceStride + c]);
    }
  }
  return sum / (n * s.channels);
}

/** Mean relative squared error of linear HDR images: mean of (x-y)^2 / (y^2 + 0.01). */
export function relMSE(test: ImageF32, reference: ImageF32): number {
  return meanOf('relMSE', relMseSample, test, reference);
}

/** Symmetric mean absolute percentage error of linear HDR images: mean of |x-y| / (|x| + |y| + 0.01). */
export function smape(test: ImageF32, reference: ImageF32): number {
  return meanOf('smape', smapeSample, test, reference);
}

/**
 * Per-pixel relMSE (mean over the colour channels) as a 1-channel image, for error heat maps. Its mean equals
 * relMSE(test, reference) up to float32 rounding. Non-finite test samples give Infinity, as in relMSE.
 */
export function relMseMap(test: ImageF32, reference: ImageF32): ImageF32 {
  const s = checkPair('relMseMap', test, reference);
  const out = createImage(s.width, s.height, 1);
  const n = s.width * s.height;
  for (let p = 0; p < n; p++) {
    let sum = 0;
    for (let c = 0; c < s.channels; c++) {
      sum += relMseSample(test.data[p * s.testStride + c], reference.data[p * s.referenceStride + c]);
    }
    out.data[p] = sum / s.channels;
  }
  return out;
}
