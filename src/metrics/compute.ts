// All CPU metrics of one test image against one reference, tone mapping each image once.
import type { ImageF32 } from '../image/image.ts';
import { displayPair } from './common.ts';
import { relMSE, smape } from './hdr.ts';
import { psnrOfPair } from './psnr.ts';
import { ssimOfPair } from './ssim.ts';

export interface MetricSet {
  /** dB, on METRIC_TONEMAP sRGB; Infinity for identical images. */
  psnr: number;
  /** Mean SSIM on METRIC_TONEMAP sRGB, per channel averaged. */
  ssim: number;
  /** On linear HDR. */
  relMSE: number;
  /** On linear HDR. */
  smape: number;
}

/** PSNR, SSIM, relMSE and SMAPE of linear HDR `test` against `reference` (same rules as each metric alone). */
export function computeMetrics(test: ImageF32, reference: ImageF32): MetricSet {
  const pair = displayPair('computeMetrics', test, reference, true);
  return {
    psnr: psnrOfPair(pair),
    ssim: ssimOfPair('computeMetrics', pair),
    relMSE: relMSE(test, reference),
    smape: smape(test, reference),
  };
}
