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

/** Network input for a linear HDR colour value: NaN/Inf -> 0, negatives -> 0, then tone map and shift. */
export function prepColor(v: number): number {
  const c = finite(v) && v > 0 ? v : 0;
  return Math.pow(c / (1 + c), 1 / GAMMA) - COLOR_SHIFT;
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

/** The forward colour transform without the NaN handling: the network-output value whose linear value is v. */
export function linearToOutput(v: number): number {
  return prepColor(v);
}
