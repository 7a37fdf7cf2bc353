// PSNR on display-referred sRGB in [0,1] (peak 1): MSE over all pixels and colour channels, 10 log10(1 / MSE).
import type { ImageF32 } from '../image/image.ts';
import { displayPair, type DisplayPair } from './common.ts';

/** PSNR in dB of two linear HDR images, both tone-mapped with METRIC_TONEMAP. Identical images give Infinity. */
export function psnr(test: ImageF32, reference: ImageF32): number {
  return psnrOfPair(displayPair('psnr', test, reference, true));
}

/** PSNR in dB of two images already display-encoded in [0,1] (no tone mapping applied). */
export function psnrDisplay(test: ImageF32, reference: ImageF32): number {
  return psnrOfPair(displayPair('psnrDisplay', test, reference, false));
}

/** Mean squared error over every packed sample of a display pair. */
export function displayMse(pair: DisplayPair): number {
  const { test, reference } = pair;
  let sum = 0;
  for (let i = 0; i < test.length; i++) {
    const d = test[i] - reference[i];
    sum += d * d;
  }
  return sum / test.length;
}

/** PSNR in dB for a peak value of 1; MSE 0 gives Infinity. */
export function psnrFromMse(mse: number): number {
  return mse === 0 ? Infinity : 10 * Math.log10(1 / mse);
}

export function psnrOfPair(pair: DisplayPair): number {
  return psnrFromMse(displayMse(pair));
}
