// Cross bilateral filter (the feature-guided bilateral of Li et al. 2012, "SURE-based optimization for adaptive
// sampling and reconstruction"): each output pixel is the weighted mean of its (2r+1)^2 neighbours, weight =
// spatial Gaussian x Gaussians of the albedo AOV difference, the normal difference and the depth
// difference relative to the centre's depth x a colour term. Guides alone cannot tell an emitter from the
// ceiling around it (same normal and depth, nearly the same albedo), so without a colour term the light bleeds
// into the ceiling; the colour term measures (c_p - c_q)^2 in units of the centre's noise, 2 k^2 var_p (the
// variance of the difference of two pixels that noisy), averaged over RGB. var_p is the 3x3 box mean of the
// variance of the mean when it is given (a few-spp variance estimate is itself very noisy), else the spatial
// variance of the colour over the 3x3 neighbourhood. Plain TypeScript reference of shaders/image/bilateral.wgsl.
import { StructLayout } from '../../render/layout.ts';
import type { PackedInput } from './types.ts';

export interface BilateralOptions {
  /** Spatial standard deviation in pixels; the window radius is ceil(2 sigma). */
  sigmaSpatial: number;
  /** Standard deviation of the albedo difference (Euclidean, RGB). */
  sigmaAlbedo: number;
  /** Standard deviation of the normal difference |n_p - n_q|. */
  sigmaNormal: number;
  /** Standard deviation of the depth difference relative to the centre's depth. */
  sigmaDepth: number;
  /** Colour term scale k, in standard deviations of the centre's noise. */
  sigmaColor: number;
  /** Added to the colour term's denominator (radiance^2) so noise-free regions do not divide by zero. */
  colorEpsilon: number;
}

export const DEFAULT_BILATERAL_OPTIONS: Readonly<BilateralOptions> = Object.freeze({
  sigmaSpatial: 3,
  sigmaAlbedo: 0.1,
  sigmaNormal: 0.25,
  sigmaDepth: 0.05,
  sigmaColor: 2,
  colorEpsilon: 1e-4,
});

/** Mirrors `BilateralParams` in shaders/image/bilateral.wgsl (48 bytes, all 4-byte scalars in order). */
export const BILATERAL_PARAMS_LAYOUT = new StructLayout('BilateralParams', [
  ['width', 'u32'], ['height', 'u32'], ['radius', 'u32'], ['flags', 'u32'],
  ['inv_2sigma_s2', 'f32'], ['inv_2sigma_a2', 'f32'], ['inv_2sigma_n2', 'f32'], ['sigma_z', 'f32'],
  ['color_k2', 'f32'], ['color_eps', 'f32'], ['pad0', 'u32'], ['pad1', 'u32'],
]);
export const BILATERAL_HAS_VARIANCE = 1;

/** Smallest depth the relative depth term divides by (escaped rays have depth 0). */
export const BILATERAL_MIN_DEPTH = 1e-6;

export function bilateralRadius(o: BilateralOptions): number {
  return Math.ceil(2 * o.sigmaSpatial);
}

export function checkBilateralOptions(o: BilateralOptions): void {
  for (const k of ['sigmaSpatial', 'sigmaAlbedo', 'sigmaNormal', 'sigmaDepth', 'sigmaColor', 'colorEpsilon'] as const) {
    if (!(o[k] > 0) || !Number.isFinite(o[k])) throw new RangeError(`bilateral: ${k} must be a positive number, got ${o[k]}`);
  }
  if (o.sigmaSpatial > 32) throw new RangeError(`bilateral: sigmaSpatial must be at most 32 pixels, got ${o.sigmaSpatial}`);
}

/** Per-channel noise variance of pixel (x, y) for the colour term (see the top of this file). */
export function bilateralNoiseVariance(inp: PackedInput, x: number, y: number): [number, number, number] {
  const { width: w, height: h } = inp;
  const src = inp.variance ?? inp.color;
  const m1 = [0, 0, 0];
  const m2 = [0, 0, 0];
  let k = 0;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const qx = x + dx, qy = y + dy;
      if (qx < 0 || qy < 0 || qx >= w || qy >= h) continue;
      const q = (qy * w + qx) * 4;
      for (let c = 0; c < 3; c++) {
        m1[c] += src[q + c];
        m2[c] += src[q + c] * src[q + c];
      }
      k++;
    }
  }
  const v = (c: number): number => (inp.variance ? m1[c] / k : Math.max(0, m2[c] / k - (m1[c] / k) ** 2));
  return [v(0), v(1), v(2)];
}

/** The filter; returns vec4 per pixel (rgb, total weight). */
export function bilateralCpu(inp: PackedInput, o: BilateralOptions = DEFAULT_BILATERAL_OPTIONS): Float32Array {
  checkBilateralOptions(o);
  const { width: w, height: h, color, albedo, guide } = inp;
  const k2 = o.sigmaColor * o.sigmaColor;
  const r = bilateralRadius(o);
  const ks = 1 / (2 * o.sigmaSpatial * o.sigmaSpatial);
  const ka = 1 / (2 * o.sigmaAlbedo * o.sigmaAlbedo);
  const kn = 1 / (2 * o.sigmaNormal * o.sigmaNormal);
  const out = new Float32Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 4;
      const zScale = o.sigmaDepth * Math.max(Math.abs(guide[p + 3]), BILATERAL_MIN_DEPTH);
      const kz = 1 / (2 * zScale * zScale);
      const vp = bilateralNoiseVariance(inp, x, y);
      const kc = vp.map((v) => 1 / (3 * (o.colorEpsilon + 2 * k2 * v)));
      let sumW = 0;
      let s0 = 0, s1 = 0, s2 = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const qx = x + dx, qy = y + dy;
          if (qx < 0 || qy < 0 || qx >= w || qy >= h) continue;
          const q = (qy * w + qx) * 4;
          let da = 0, dn = 0;
          for (let c = 0; c < 3; c++) {
            da += (albedo[p + c] - albedo[q + c]) ** 2;
            dn += (guide[p + c] - guide[q + c]) ** 2;
          }
          const dz = guide[p + 3] - guide[q + 3];
          let dc = 0;
          for (let c = 0; c < 3; c++) dc += (color[p + c] - color[q + c]) ** 2 * kc[c];
          const wgt = Math.exp(-(dx * dx + dy * dy) * ks - da * ka - dn * kn - dz * dz * kz - dc);
          sumW += wgt;
          s0 += wgt * color[q]; s1 += wgt * color[q + 1]; s2 += wgt * color[q + 2];
        }
      }
      out[p] = s0 / sumW; out[p + 1] = s1 / sumW; out[p + 2] = s2 / sumW; out[p + 3] = sumW;
    }
  }
  return out;
}
