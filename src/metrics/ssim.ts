// SSIM (Wang et al. 2004) with the paper's settings, matching scikit-image's
// structural_similarity(x, y, data_range=1, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
// channel_axis=-1):
// - 11x11 Gaussian window (sigma 1.5, truncated at 5 pixels = scipy's truncate 3.5), weights normalised to 1;
// - C1 = (K1 L)^2, C2 = (K2 L)^2 with K1 0.01, K2 0.03, L 1; population (not sample) variances;
// - borders: only windows that lie fully inside the image are scored (skimage filters with reflection and then
//   crops 5 pixels from every edge, which leaves the same values), so images must be at least 11x11;
// - colour: SSIM per channel, then the mean of the channels. Not luminance: chroma noise (coloured fireflies,
//   colour bleeding blurred away by a denoiser) would vanish in a luminance-only score, and per-channel is what
//   skimage and most denoising papers report.
// Computed in float64 with a separable filter.
import type { ImageF32 } from '../image/image.ts';
import { displayPair, MetricError, type DisplayPair } from './common.ts';

export const SSIM_WINDOW = 11;
export const SSIM_SIGMA = 1.5;
export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;
/** Dynamic range of the display-referred inputs. */
export const SSIM_L = 1;

/** Normalised 1D Gaussian taps; the 2D window is their outer product (which is also normalised). */
export function ssimWeights(size = SSIM_WINDOW, sigma = SSIM_SIGMA): Float64Array {
  const r = (size - 1) / 2;
  const w = new Float64Array(size);
  let sum = 0;
  for (let k = 0; k < size; k++) {
    w[k] = Math.exp(-((k - r) * (k - r)) / (2 * sigma * sigma));
    sum += w[k];
  }
  for (let k = 0; k < size; k++) w[k] /= sum;
  return w;
}

/** Mean SSIM of two linear HDR images, both tone-mapped with METRIC_TONEMAP; identical images give 1. */
export function ssim(test: ImageF32, reference: ImageF32): number {
  return ssimOfPair('ssim', displayPair('ssim', test, reference, true));
}

/** Mean SSIM of two images already display-encoded in [0,1] (no tone mapping applied). */
export function ssimDisplay(test: ImageF32, reference: ImageF32): number {
  return ssimOfPair('ssimDisplay', displayPair('ssimDisplay', test, reference, false));
}

export function ssimOfPair(metric: string, pair: DisplayPair): number {
  const { width, height, channels } = pair;
  if (width < SSIM_WINDOW || height < SSIM_WINDOW) {
    throw new MetricError(metric, `image ${width}x${height} is smaller than the ${SSIM_WINDOW}x${SSIM_WINDOW} SSIM window`);
  }
  const weights = ssimWeights();
  const n = width * height;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let total = 0;
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < n; p++) {
      x[p] = pair.test[p * channels + c];
      y[p] = pair.reference[p * channels + c];
    }
    total += ssimPlane(x, y, width, height, weights);
  }
  return total / channels;
}

/** Mean SSIM over the valid windows of one channel plane. */
function ssimPlane(x: Float64Array, y: Float64Array, width: number, height: number, w: Float64Array): number {
  const size = w.length;
  const ow = width - size + 1;
  const oh = height - size + 1;
  // Horizontal pass: the five windowed moments for every row, valid columns only.
  const hx = new Float64Array(ow * height);
  const hy = new Float64Array(ow * height);
  const hxx = new Float64Array(ow * height);
  const hyy = new Float64Array(ow * height);
  const hxy = new Float64Array(ow * height);
  for (let row = 0; row < height; row++) {
    for (let ox = 0; ox < ow; ox++) {
      let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
      const base = row * width + ox;
      for (let k = 0; k < size; k++) {
        const a = x[base + k];
        const b = y[base + k];
        const wk = w[k];
        sx += wk * a;
        sy += wk * b;
        sxx += wk * a * a;
        syy += wk * b * b;
        sxy += wk * a * b;
      }
      const o = row * ow + ox;
      hx[o] = sx; hy[o] = sy; hxx[o] = sxx; hyy[o] = syy; hxy[o] = sxy;
    }
  }
  // Vertical pass and the SSIM formula.
  const c1 = (SSIM_K1 * SSIM_L) ** 2;
  const c2 = (SSIM_K2 * SSIM_L) ** 2;
  let total = 0;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      let mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
      for (let k = 0; k < size; k++) {
        const i = (oy + k) * ow + ox;
        const wk = w[k];
        mx += wk * hx[i];
        my += wk * hy[i];
        mxx += wk * hxx[i];
        myy += wk * hyy[i];
        mxy += wk * hxy[i];
      }
      const vx = mxx - mx * mx;
      const vy = myy - my * my;
      const cov = mxy - mx * my;
      total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
    }
  }
  return total / (ow * oh);
}
