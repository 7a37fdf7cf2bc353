// Shared by the training tests: a tiny U-Net, seeded random tensors, and float64 copies.
import type { NetworkSpec } from '../../src/denoise/spec.ts';
import { initWeights, type NetworkWeights } from '../../src/denoise/weights.ts';
import { t64, type T64 } from '../../src/train/reference.ts';
import { mulberry32 } from '../support/random.ts';

/** Two pools, a two-conv decoder level and odd channel counts (exercises partial channel blocks). */
export const TINY_SPEC: NetworkSpec = {
  format: 'tracelab-unet',
  version: 1,
  name: 'tiny-test',
  description: 'test network',
  inputs: ['color', 'albedo', 'normal'],
  leakySlope: 0.1,
  encoder: [[5], [6], [7]],
  decoder: [[9, 5], [6]],
  outputChannels: 3,
};

/**
 * Seeded weights with biases made non-zero (initWeights zeroes them), so bias paths are exercised; the output
 * conv is scaled down so that outputs stay inside the output transform's unclamped range (|o| < 0.5), where the
 * loss is smooth.
 */
export function tinyWeights(seed: number, spec = TINY_SPEC): NetworkWeights {
  const w = initWeights(spec, seed);
  const rnd = mulberry32(seed + 99);
  for (const lw of Object.values(w)) for (let i = 0; i < lw.bias.length; i++) lw.bias[i] = (rnd() - 0.5) * 0.2;
  for (let i = 0; i < w.out.weight.length; i++) w.out.weight[i] *= 0.1;
  return w;
}

export function randomT64(c: number, w: number, h: number, seed: number, lo: number, hi: number): T64 {
  const t = t64(c, w, h);
  const rnd = mulberry32(seed);
  for (let i = 0; i < t.d.length; i++) t.d[i] = lo + (hi - lo) * rnd();
  return t;
}

/** Float32-rounded copy (what the GPU sees). */
export function f32(t: T64): T64 {
  return { ...t, d: Float64Array.from(Float32Array.from(t.d)) };
}
