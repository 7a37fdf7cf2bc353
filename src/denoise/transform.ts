// The denoiser's per-pixel input and output transforms (Noise2Noise's Monte Carlo setup), on the CPU.
// shaders/nn/transform.wgsl implements the same functions for the GPU; tests check one against the other.

/** Colour is tone-mapped with (v / (1 + v))^(1 / 2.2) and shifted by this, landing in [-0.5, 0.5). */
export const COLOR_SHIFT = 0.5;
export const GAMMA = 2.2;
/**
 * The output transform clamps the tone-mapped value below 1 by this margin, so that the inverse stays finite:
 * the largest radiance the denoiser can output is (1 - m) / m with m = 2^-20, about 1e6.
 */
export const OUTPUT_MARGIN = 2 ** -20;

const finite = (v: number): boolean => Number.isFinite(v);

/** A linear HDR colour value as the denoiser reads it: NaN/Inf -> 0, negatives -> 0. */
export function cleanRadiance(v: number): number {
  return finite(v) && v > 0 ? v : 0;
}

/** Network input for a linear HDR colour value: cleanRadiance, then tone map and shift. */
export function prepColor(v: number): number {
  const c = cleanRadiance(v);
  return Math.pow(c / (1 + c), 1 / GAMMA) - COLOR_SHIFT;
}

// prepColorFast: x^(1/2.2) for x = c / (1 + c) in [0, 1] from the float64 bits of x, x = 2^e m with m in [1, 2):
// x^p = (2^e)^p m^p, (2^e)^p from a table per exponent and m^p interpolated linearly in a table over [1, 2) indexed
// by the top FAST_BITS bits of the mantissa. The interpolation error is at most h^2 / 8 max|(m^p)''| = 2^-24 * 0.248 / 8
// (h = 2^-12), 1.9e-9 (x^p <= 1): an absolute error a sixteenth of float32's spacing at 0.25-0.5, the inputs' scale.
const FAST_BITS = 12;
const FAST_N = 1 << FAST_BITS;
const FAST_P = 1 / GAMMA;
const fastMantissa = new Float64Array(FAST_N + 1);
for (let j = 0; j <= FAST_N; j++) fastMantissa[j] = Math.pow(1 + j / FAST_N, FAST_P);
/** Per biased float64 exponent e (1..2046): (2^(e - 1023))^p and 2^-(e - 1023). */
const fastScale = new Float64Array(2048);
const fastUnscale = new Float64Array(2048);
for (let e = 1; e < 2047; e++) {
  fastScale[e] = Math.pow(2, (e - 1023) * FAST_P);
  fastUnscale[e] = Math.pow(2, -(e - 1023));
}
const fastBits = new Float64Array(1);
const fastHigh = new Uint32Array(fastBits.buffer, 4, 1); // the high word (exponent and top 20 mantissa bits): little-endian
if (new Uint8Array(new Float64Array([2]).buffer)[7] !== 0x40) throw new Error('prepColorFast needs a little-endian platform');

/**
 * prepColor to within 2e-9 (tests/denoise/transform-fast.test.ts bounds it), ten times faster: for the training
 * pairs, which prepare a 256x256 view's two renders on the host (Math.pow was most of a pair's preparation) and
 * store it as float32 (spacing 3e-8 at 0.25-0.5). prepColor stays the definition the runtime's CPU reference uses.
 */
export function prepColorFast(v: number): number {
  if (!(v > 0) || v === Infinity) return -COLOR_SHIFT; // cleanRadiance: NaN, Inf and negatives -> 0
  const x = v / (1 + v);
  fastBits[0] = x;
  const hi = fastHigh[0];
  const e = hi >>> 20; // x in (0, 1]: the sign bit is 0
  if (e === 0) return -COLOR_SHIFT; // subnormal x: x^p < 1e-140
  const j = (hi >>> (20 - FAST_BITS)) & (FAST_N - 1);
  const t = (x * fastUnscale[e] - 1) * FAST_N - j; // position between table entries j and j + 1, in [0, 1)
  const m = fastMantissa[j];
  return fastScale[e] * (m + t * (fastMantissa[j + 1] - m)) - COLOR_SHIFT;
}

/** Network input for an albedo value: NaN/Inf -> 0, clamped to [0, 1]. */
export function prepAlbedo(v: number): number {
  return finite(v) ? Math.min(1, Math.max(0, v)) : 0;
}

/**
 * Floor of the demodulation factor (specs with `demodulate`): d = max(prepAlbedo(albedo), DEMOD_EPSILON), so black
 * surfaces and dark sky do not divide by zero (the a-trous baseline uses the same floor).
 */
export const DEMOD_EPSILON = 0.01;

/** The demodulation factor of one albedo value. */
export function demodFactor(albedo: number): number {
  return Math.max(prepAlbedo(albedo), DEMOD_EPSILON);
}

/** Network input for a normal component: NaN/Inf -> 0, clamped to [-1, 1]. */
export function prepNormal(v: number): number {
  return finite(v) ? Math.min(1, Math.max(-1, v)) : 0;
}

/**
 * Linear HDR radiance from a network output value y. The network predicts the clean pixel in its input colour
 * space (tone-mapped and shifted), so the output is the inverse colour transform: t = clamp(y + 0.5, 0, 1),
 * u = min(t^2.2, 1 - 2^-20), radiance = u / (1 - u).
 */
export function outputToLinear(y: number): number {
  const t = Math.min(1, Math.max(0, y + COLOR_SHIFT));
  const u = Math.min(Math.pow(t, GAMMA), 1 - OUTPUT_MARGIN);
  return u / (1 - u);
}

/**
 * The output bound: each output value is at most the larger of (a) the largest (cleanRadiance) input colour value of
 * the same channel within OUTPUT_BOUND_RADIUS pixels and (b) the mean input value of that channel within
 * OUTPUT_BOUND_MEAN_RADIUS pixels (both windows clipped to the image). A denoiser averages; an output above every
 * input sample around it is an error of the inverse transform, whose slope grows without limit as the network's
 * value nears 1 (it sent a few pixels of the Cornell box's light, radiance 17, to ~1e6). (b) is for sparse inputs: at
 * a few spp a dim region lit only by rare paths (a room lit through a window) has 5x5 windows without a lit sample,
 * where (a) alone forced the output to ~0 (dark specks; on such a validation scene -1.3 dB at 8 spp).
 */
export const OUTPUT_BOUND_RADIUS = 2;
export const OUTPUT_BOUND_MEAN_RADIUS = 8;

/** Window sums over [x - r, x + r] x [y - r, y + r] clipped to the image of the 3 channels of `v` (rows, then columns). */
function windowSums(v: Float64Array, width: number, height: number, r: number): Float64Array {
  const rows = new Float64Array(v.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++) s += v[(y * width + xx) * 3 + c];
        rows[(y * width + x) * 3 + c] = s;
      }
    }
  }
  const out = new Float64Array(v.length);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - r), y1 = Math.min(height - 1, y + r);
    for (let i = 0; i < width * 3; i++) {
      let s = 0;
      for (let yy = y0; yy <= y1; yy++) s += rows[yy * width * 3 + i];
      out[y * width * 3 + i] = s;
    }
  }
  return out;
}

/** Applies the output bound in place to interleaved linear RGB `rgb` given the input colour of the same size. */
export function boundByInput(rgb: Float32Array, color: Float32Array, width: number, height: number): Float32Array {
  const r = OUTPUT_BOUND_RADIUS;
  const R = OUTPUT_BOUND_MEAN_RADIUS;
  const clean = Float64Array.from(color, cleanRadiance);
  const sums = windowSums(clean, width, height, R);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - R), y1 = Math.min(height - 1, y + R);
    for (let x = 0; x < width; x++) {
      const count = (Math.min(width - 1, x + R) - Math.max(0, x - R) + 1) * (y1 - y0 + 1);
      for (let c = 0; c < 3; c++) {
        let m = sums[(y * width + x) * 3 + c] / count;
        for (let yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) {
          for (let xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++) m = Math.max(m, clean[(yy * width + xx) * 3 + c]);
        }
        const i = (y * width + x) * 3 + c;
        if (rgb[i] > m) rgb[i] = m;
      }
    }
  }
  return rgb;
}

/**
 * Local mean correction (after the output bound, every spec): each output value is multiplied by the ratio q of its
 * channel's input mean to its output mean over the (2 LOCAL_MEAN_RADIUS + 1)^2 window around it clipped to the
 * image, shrunk towards 1 by how far that ratio stands out of the input's noise. The noisy input is unbiased and the
 * network's output is not: the shipped networks brighten dim, shadowed regions (the Cornell box's block shadows by
 * 13-68%) and shift others by a few percent, errors of low frequency that a window's mean shows. The window's input
 * mean is itself noisy (fireflies), so the difference d = input sum - output sum is shrunk by its own noise, the
 * positive-part James-Stein way: with s = the window's sum of (input - output)^2 (about n times the variance of one
 * pixel's residual, so s estimates the variance of d), q' = 1 + (q - 1) max(0, 1 - LOCAL_MEAN_SHRINKAGE s / d^2),
 * then limited to [1 / LOCAL_MEAN_LIMIT, LOCAL_MEAN_LIMIT] (1 where the output's window sums to 0 or d is 0). A
 * difference under sqrt(LOCAL_MEAN_SHRINKAGE) standard errors is left alone; a lone firefly adds as much to s as to
 * d^2 and is left alone too; a dim region the network brightened by many standard errors is corrected nearly in
 * full. The input is read as the network read it (cleanRadiance). Radius, shrinkage and limit were chosen on a
 * tuning set of 16 procedural scenes outside training and validation, 8 of them closed rooms with smooth glass
 * (caustics), at 4/8/16/64 spp with the 3 shipped networks: the largest mean PSNR gain among the settings under
 * which no image lost more than 0.3 dB (denoiser/README.md, "Local mean correction").
 */
export const LOCAL_MEAN_RADIUS = 8;
export const LOCAL_MEAN_SHRINKAGE = 1;
export const LOCAL_MEAN_LIMIT = 1.5;

/** The correction's factor for one value from its window's input sum, output sum and sum of squared residuals. */
export function localMeanFactor(input: number, output: number, residual: number): number {
  if (!(output > 0)) return 1;
  const d = input - output;
  const d2 = d * d;
  if (!(d2 > 0)) return 1;
  const q = 1 + (d / output) * Math.max(0, 1 - (LOCAL_MEAN_SHRINKAGE * residual) / d2);
  return Math.min(LOCAL_MEAN_LIMIT, Math.max(1 / LOCAL_MEAN_LIMIT, q));
}

/** Applies the local mean correction in place to interleaved linear RGB `rgb` given the input colour of the same size. */
export function correctLocalMean(rgb: Float32Array, color: Float32Array, width: number, height: number): Float32Array {
  const clean = Float64Array.from(color, cleanRadiance);
  const input = windowSums(clean, width, height, LOCAL_MEAN_RADIUS);
  const output = windowSums(Float64Array.from(rgb), width, height, LOCAL_MEAN_RADIUS);
  const residual = windowSums(clean.map((v, i) => (v - rgb[i]) ** 2), width, height, LOCAL_MEAN_RADIUS);
  for (let i = 0; i < rgb.length; i++) rgb[i] *= localMeanFactor(input[i], output[i], residual[i]);
  return rgb;
}

/** The forward colour transform without the NaN handling: the network-output value whose linear value is v. */
export function linearToOutput(v: number): number {
  return prepColor(v);
}

/**
 * Autoexposure (specs with `autoexposure`): the colour is multiplied by k = key / E before its transform and the
 * output divided by k, so the network sees every image at the exposure its training data centred on and the result
 * scales with the input (denoise(s * x) = s * denoise(x)). E is the geometric mean, over bins of EXPOSURE_BIN^2
 * pixels (partial at the right and bottom edges), of each bin's mean luminance (Rec. 709 weights of cleanRadiance),
 * bins at or below EXPOSURE_EPSILON left out; k = 1 when every bin is. shaders/nn/exposure.wgsl is the GPU twin.
 */
export const EXPOSURE_BIN = 16;
export const EXPOSURE_EPSILON = 1e-8;
export const LUMINANCE_WEIGHTS = [0.2126, 0.7152, 0.0722] as const;

/** E for interleaved RGB `color` of width x height: the geometric mean of the bins' mean luminance (0: no bin above epsilon). */
export function exposureStatistic(color: Float32Array, width: number, height: number): number {
  const [wr, wg, wb] = LUMINANCE_WEIGHTS;
  let logSum = 0;
  let bins = 0;
  for (let by = 0; by < height; by += EXPOSURE_BIN) {
    for (let bx = 0; bx < width; bx += EXPOSURE_BIN) {
      const x1 = Math.min(width, bx + EXPOSURE_BIN);
      const y1 = Math.min(height, by + EXPOSURE_BIN);
      let sum = 0;
      for (let y = by; y < y1; y++) {
        for (let x = bx; x < x1; x++) {
          const i = (y * width + x) * 3;
          sum += wr * cleanRadiance(color[i]) + wg * cleanRadiance(color[i + 1]) + wb * cleanRadiance(color[i + 2]);
        }
      }
      const mean = sum / ((x1 - bx) * (y1 - by));
      if (mean > EXPOSURE_EPSILON) {
        logSum += Math.log2(mean);
        bins++;
      }
    }
  }
  return bins > 0 ? 2 ** (logSum / bins) : 0;
}

/** k = key / E for a spec's autoexposure key (1 without one, or when E is 0). */
export function exposureScale(key: number | undefined, color: Float32Array, width: number, height: number): number {
  if (key === undefined) return 1;
  const e = exposureStatistic(color, width, height);
  return e > 0 ? key / e : 1;
}
