// How much of a measured error is the reference's own noise. A reference rendered with n samples per pixel differs
// from the converged image by noise of variance sigma^2/n per pixel; tone mapped by T (METRIC_TONEMAP), that adds
// about T'(m)^2 sigma^2/n to the expected squared error of anything compared with it (the delta method, first
// order: good while the noise is small against T's curvature, e.g. not for fireflies that T compresses). So a
// PSNR measured against it cannot exceed psnrFromMse(that), whatever is compared, and subtracting it estimates the
// error against the converged image.
import { tonemapValue } from '../image/tonemap.ts';
import { METRIC_TONEMAP } from './common.ts';

function slope(x: number): number {
  const h = 1e-6 + 1e-4 * x;
  const lo = Math.max(0, x - h);
  return (tonemapValue(x + h, METRIC_TONEMAP) - tonemapValue(lo, METRIC_TONEMAP)) / (x + h - lo);
}

/**
 * Expected display-space MSE (as displayMse computes it, over pixels and RGB) between a reference and the
 * converged image: `mean` and per-sample `variance` are RGB per pixel (as the reference cache stores them), `spp`
 * the reference's samples per pixel.
 */
export function referenceNoiseMse(mean: Float32Array, variance: Float32Array, spp: number): number {
  if (mean.length !== variance.length || mean.length % 3 !== 0) throw new RangeError(`referenceNoiseMse: mean has ${mean.length} values, variance ${variance.length} (RGB per pixel each)`);
  if (!(spp >= 1)) throw new RangeError(`referenceNoiseMse: spp must be at least 1, got ${spp}`);
  if (mean.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < mean.length; i++) {
    const m = mean[i], v = variance[i];
    if (!Number.isFinite(m) || !Number.isFinite(v) || v <= 0) continue;
    const d = slope(Math.max(0, m));
    sum += (d * d * v) / spp;
  }
  return sum / mean.length;
}

/** An estimate of the display MSE against the converged image: `measuredMse` less the reference's noise (never below 0). */
export function mseAgainstConverged(measuredMse: number, referenceMse: number): number {
  return Math.max(0, measuredMse - referenceMse);
}
