// Training losses, on linear HDR values: the network predicts in its tone-mapped output space (see
// src/denoise/transform.ts), and the loss compares outputToLinear(prediction) with the linear target, so that
// with noisy targets the minimiser is the target's mean (Noise2Noise needs a loss whose minimiser is the mean,
// or the median for L1, of the noisy target; comparing in a tone-mapped space would bias it dark).
//   l2:  (f - y)^2
//   l1:  |f - y|
//   hdr: (f - y)^2 / (f + 0.01)^2 with the denominator held constant in the gradient (Lehtinen et al. 2018, the
//        Monte Carlo experiments), so its minimiser is still the mean of y.
// shaders/train/loss.wgsl implements the same; the loss of a batch is the mean over every pixel and channel.
import { COLOR_SHIFT, GAMMA, OUTPUT_MARGIN } from '../denoise/transform.ts';

export type LossKind = 'l2' | 'l1' | 'hdr';
export const LOSS_KINDS: readonly LossKind[] = ['l2', 'l1', 'hdr'];
export const LOSS_CODES: Record<LossKind, number> = { l2: 0, l1: 1, hdr: 2 };
export const HDR_EPSILON = 0.01;
/**
 * Below this tone-mapped value the gradient of the output transform is taken at this value (a straight-through
 * estimate): the transform clamps at 0, and an exact zero gradient there would leave a black pixel stuck black.
 */
export const T_GRAD_MIN = 1 / 64;
/**
 * Above this tone-mapped value (radiance above ~28) the derivative is taken at this value: the exact one grows
 * without bound towards the clamp at 1 (and is 0 beyond it), so an output that overshoots would be stuck at the
 * clamp's ~1e6 radiance with no gradient pulling it back. (The shipped n2n-fast weights predate this.)
 */
export const T_GRAD_MAX = 1 - 1 / 64;

/** Linear value of a network output and its derivative (straight-through outside [T_GRAD_MIN, T_GRAD_MAX]). */
export function outputLinearAndSlope(o: number): { lin: number; slope: number } {
  const raw = o + COLOR_SHIFT;
  const t = Math.min(1, Math.max(0, raw));
  const u = Math.min(Math.pow(t, GAMMA), 1 - OUTPUT_MARGIN);
  const lin = u / (1 - u);
  const tg = Math.min(T_GRAD_MAX, Math.max(T_GRAD_MIN, raw));
  const ug = Math.pow(tg, GAMMA);
  const slope = (GAMMA * Math.pow(tg, GAMMA - 1)) / ((1 - ug) * (1 - ug));
  return { lin, slope };
}

/** Loss of one element and its derivative with respect to the linear prediction f. */
export function elementLoss(kind: LossKind, f: number, y: number): { loss: number; dLdf: number } {
  const d = f - y;
  if (kind === 'l2') return { loss: d * d, dLdf: 2 * d };
  if (kind === 'l1') return { loss: Math.abs(d), dLdf: Math.sign(d) };
  const den = (f + HDR_EPSILON) * (f + HDR_EPSILON);
  return { loss: (d * d) / den, dLdf: (2 * d) / den };
}
