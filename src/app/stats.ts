// Image statistics shown by the app and compared by the end-to-end test (same code in page and Node).
import type { FrameData } from '../render/path-tracer.ts';

export interface ImageMean {
  /** Mean linear radiance over all pixels and the three channels. */
  mean: number;
  /** Standard error of `mean`: pixels are independent estimates, each with variance/spp. */
  standardError: number;
}

export function imageMean(frame: FrameData): ImageMean {
  const n = frame.width * frame.height;
  if (frame.spp === 0 || n === 0) return { mean: 0, standardError: 0 };
  let sum = 0;
  let varSum = 0;
  for (let i = 0; i < n * 3; i += 3) {
    sum += frame.color[i] + frame.color[i + 1] + frame.color[i + 2];
    // A pixel's channels are correlated: bound the variance of their average by the average variance.
    varSum += (frame.variance[i] + frame.variance[i + 1] + frame.variance[i + 2]) / 3;
  }
  return { mean: sum / (3 * n), standardError: Math.sqrt(varSum / frame.spp) / n };
}
