// Edge-avoiding a-trous wavelet filter: the spatial filter of SVGF (Schied et al. 2017, "Spatiotemporal
// Variance-Guided Filtering"), without the temporal part. Plain TypeScript reference of shaders/image/atrous-*.wgsl
// (same steps, same float32 buffers between passes); tests check the WGSL against it.
//
// 1. prepare: demodulate the colour by the albedo AOV (c / max(albedo, albedoEpsilon)), so texture and
//    material colour are not blurred and only the illumination is filtered (SVGF does this; we multiply back at
//    the end). Luminance variance per pixel: from the renderer's variance of the mean when given (channels taken
//    as fully correlated: (sum w_c sqrt(var_c))^2), else the spatial variance of luminance over the 3x3
//    neighbourhood. Depth gradient: the smaller one-sided difference per axis (so a silhouette does not widen
//    its own gradient), summed over x and y (fwidth).
// 2. iterations i = 0..4 with step 2^i: 5x5 B3-spline taps (1/16, 1/4, 3/8 per axis, scaled so the centre is 1),
//    each weighted by exp(-|l_p - l_q| / (sigma_l sqrt(g3x3(var_p)) + lumEpsilon) - |z_p - z_q| /
//    (sigma_z max(grad z_p, depthGradFloor) step |offset|)) * max(0, n_p . n_q)^sigma_n; variance is filtered
//    with the squared weights, as in SVGF, so each level stops edges at its own noise level.
// 3. remodulate after the last iteration.
import { StructLayout } from '../../render/layout.ts';
import type { PackedInput } from './types.ts';

export interface AtrousOptions {
  iterations: number;
  /** Luminance edge-stopping, in standard deviations of the luminance noise (SVGF: 4). */
  sigmaLuminance: number;
  /** Exponent on the normals' cosine (SVGF: 128). */
  sigmaNormal: number;
  /** Depth edge-stopping, in units of the local depth gradient times the tap distance (SVGF: 1). */
  sigmaDepth: number;
  /** Divide by the albedo before filtering and multiply back after. */
  demodulate: boolean;
  /** Albedo floor for demodulation, so black surfaces and escaped rays do not divide by zero. */
  albedoEpsilon: number;
  /** Added to the luminance scale so noise-free regions do not divide by zero. */
  lumEpsilon: number;
  /** Floor under the depth gradient, relative to the pixel's depth (planes facing the camera have none). */
  depthGradFloor: number;
}

export const DEFAULT_ATROUS_OPTIONS: Readonly<AtrousOptions> = Object.freeze({
  iterations: 5,
  sigmaLuminance: 4,
  sigmaNormal: 128,
  sigmaDepth: 1,
  demodulate: true,
  albedoEpsilon: 0.01,
  lumEpsilon: 1e-6,
  depthGradFloor: 1e-3,
});

/** Mirrors `AtrousParams` in shaders/image/atrous-common.wgsl (48 bytes, all 4-byte scalars in order). */
export const ATROUS_PARAMS_LAYOUT = new StructLayout('AtrousParams', [
  ['width', 'u32'], ['height', 'u32'], ['step', 'u32'], ['flags', 'u32'],
  ['sigma_l', 'f32'], ['sigma_n', 'f32'], ['sigma_z', 'f32'], ['albedo_eps', 'f32'],
  ['lum_eps', 'f32'], ['depth_grad_floor', 'f32'], ['pad0', 'u32'], ['pad1', 'u32'],
]);
export const ATROUS_HAS_VARIANCE = 1;
export const ATROUS_DEMODULATE = 2;
export const ATROUS_LAST = 4;

const LUM = [0.2126, 0.7152, 0.0722] as const;
/** B3-spline taps (1/16, 1/4, 3/8) divided by 3/8, indexed by |offset|. */
export const ATROUS_KERNEL = [1, 2 / 3, 1 / 6] as const;
/** 3x3 Gaussian for the variance at the centre, indexed by |dx| + |dy|. */
const GAUSS3 = [1 / 4, 1 / 8, 1 / 16] as const;

export function checkAtrousOptions(o: AtrousOptions): void {
  if (!Number.isInteger(o.iterations) || o.iterations < 1 || o.iterations > 12) throw new RangeError(`atrous: iterations must be 1..12, got ${o.iterations}`);
  for (const k of ['sigmaLuminance', 'sigmaNormal', 'sigmaDepth', 'albedoEpsilon', 'lumEpsilon', 'depthGradFloor'] as const) {
    if (!(o[k] > 0) || !Number.isFinite(o[k])) throw new RangeError(`atrous: ${k} must be a positive number, got ${o[k]}`);
  }
}

/** Output of the prepare pass: illumination (rgb, luminance variance) and aux (demodulation factor rgb, depth gradient). */
export function atrousPrepareCpu(inp: PackedInput, o: AtrousOptions): { illum: Float32Array; aux: Float32Array } {
  const { width: w, height: h } = inp;
  const n = w * h;
  const illum = new Float32Array(n * 4);
  const aux = new Float32Array(n * 4);
  const factor = (p: number, c: number): number => (o.demodulate ? Math.max(inp.albedo[p * 4 + c], o.albedoEpsilon) : 1);
  const demodLum = (p: number): number => {
    let l = 0;
    for (let c = 0; c < 3; c++) l += LUM[c] * (inp.color[p * 4 + c] / factor(p, c));
    return l;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      let sd = 0;
      for (let c = 0; c < 3; c++) {
        const f = factor(p, c);
        illum[p * 4 + c] = inp.color[p * 4 + c] / f;
        aux[p * 4 + c] = f;
        if (inp.variance) sd += LUM[c] * Math.sqrt(Math.max(0, inp.variance[p * 4 + c]) / (f * f));
      }
      let lumVar = sd * sd;
      if (!inp.variance) {
        let m1 = 0, m2 = 0, k = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const qx = x + dx, qy = y + dy;
            if (qx < 0 || qy < 0 || qx >= w || qy >= h) continue;
            const l = demodLum(qy * w + qx);
            m1 += l; m2 += l * l; k++;
          }
        }
        m1 /= k; m2 /= k;
        lumVar = Math.max(0, m2 - m1 * m1);
      }
      illum[p * 4 + 3] = lumVar;
      const z = inp.guide[p * 4 + 3];
      const oneSided = (dx: number, dy: number): number => {
        let g = Infinity;
        for (const s of [-1, 1]) {
          const qx = x + s * dx, qy = y + s * dy;
          if (qx >= 0 && qy >= 0 && qx < w && qy < h) g = Math.min(g, Math.abs(inp.guide[(qy * w + qx) * 4 + 3] - z));
        }
        return g === Infinity ? 0 : g;
      };
      aux[p * 4 + 3] = oneSided(1, 0) + oneSided(0, 1);
    }
  }
  return { illum, aux };
}

/** One a-trous iteration with tap spacing `step`; `last` multiplies the albedo back. */
export function atrousStepCpu(inp: PackedInput, illum: Float32Array, aux: Float32Array, step: number, last: boolean, o: AtrousOptions): Float32Array {
  const { width: w, height: h, guide } = inp;
  const out = new Float32Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      let varG = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const qx = x + dx, qy = y + dy;
          if (qx >= 0 && qy >= 0 && qx < w && qy < h) varG += GAUSS3[Math.abs(dx) + Math.abs(dy)] * illum[(qy * w + qx) * 4 + 3];
        }
      }
      const lp = LUM[0] * illum[p * 4] + LUM[1] * illum[p * 4 + 1] + LUM[2] * illum[p * 4 + 2];
      const phiL = o.sigmaLuminance * Math.sqrt(Math.max(0, varG)) + o.lumEpsilon;
      const zp = guide[p * 4 + 3];
      const phiZ = o.sigmaDepth * Math.max(aux[p * 4 + 3], o.depthGradFloor * Math.abs(zp)) * step;
      let sumW = 1;
      const sum = [illum[p * 4], illum[p * 4 + 1], illum[p * 4 + 2]];
      let sumV = illum[p * 4 + 3];
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          if (dx === 0 && dy === 0) continue;
          const qx = x + dx * step, qy = y + dy * step;
          if (qx < 0 || qy < 0 || qx >= w || qy >= h) continue;
          const q = qy * w + qx;
          const lq = LUM[0] * illum[q * 4] + LUM[1] * illum[q * 4 + 1] + LUM[2] * illum[q * 4 + 2];
          const wl = Math.abs(lp - lq) / phiL;
          const wz = phiZ > 0 ? Math.abs(zp - guide[q * 4 + 3]) / (phiZ * Math.hypot(dx, dy)) : 0;
          const d = guide[p * 4] * guide[q * 4] + guide[p * 4 + 1] * guide[q * 4 + 1] + guide[p * 4 + 2] * guide[q * 4 + 2];
          const wn = d > 0 ? Math.pow(d, o.sigmaNormal) : 0;
          const wgt = Math.exp(-wl - wz) * wn * ATROUS_KERNEL[Math.abs(dx)] * ATROUS_KERNEL[Math.abs(dy)];
          sumW += wgt;
          for (let c = 0; c < 3; c++) sum[c] += wgt * illum[q * 4 + c];
          sumV += wgt * wgt * illum[q * 4 + 3];
        }
      }
      for (let c = 0; c < 3; c++) out[p * 4 + c] = (sum[c] / sumW) * (last ? aux[p * 4 + c] : 1);
      out[p * 4 + 3] = sumV / (sumW * sumW);
    }
  }
  return out;
}

/** The whole filter; returns vec4 per pixel (rgb = filtered colour, w = remaining luminance variance). */
export function atrousCpu(inp: PackedInput, o: AtrousOptions = DEFAULT_ATROUS_OPTIONS): Float32Array {
  checkAtrousOptions(o);
  const { illum, aux } = atrousPrepareCpu(inp, o);
  let cur = illum;
  for (let i = 0; i < o.iterations; i++) cur = atrousStepCpu(inp, cur, aux, 1 << i, i === o.iterations - 1, o);
  return cur;
}
