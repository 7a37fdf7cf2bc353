// Float32 tolerances that account for conditioning: near a cutoff or a very peaked lobe, the GPU's rounding
// of intermediate values can move a BSDF value far more than a fixed relative tolerance would allow.
import type { Vec3 } from '../../src/render/bsdf-reference.ts';
import type { Rng } from './random.ts';

/** About 8 float32 ulps at 1: the GPU's accumulated rounding in unit vectors, half vectors and their dot products. */
export const F32_PERTURBATION = 2 ** -21;

function perturb(v: Vec3, rng: Rng, size: number): Vec3 {
  const p: Vec3 = [v[0] + size * (2 * rng() - 1), v[1] + size * (2 * rng() - 1), v[2] + size * (2 * rng() - 1)];
  const n = Math.hypot(p[0], p[1], p[2]);
  return [p[0] / n, p[1] / n, p[2] / n];
}

/**
 * Largest change of f(wo, wi) over `tries` random float32-sized perturbations of both directions: how much
 * a correct float32 implementation may differ from the float64 reference at this input.
 */
export function sensitivity(f: (wo: Vec3, wi: Vec3) => number, wo: Vec3, wi: Vec3, rng: Rng, tries = 12): number {
  const f0 = f(wo, wi);
  let worst = 0;
  for (let k = 0; k < tries; k++) {
    worst = Math.max(worst, Math.abs(f(perturb(wo, rng, F32_PERTURBATION), perturb(wi, rng, F32_PERTURBATION)) - f0));
  }
  return worst;
}

/** |gpu - cpu| <= rel |cpu| + 2 sensitivity + abs. */
export function withinF32(gpu: number, cpu: number, rel: number, sens: number, abs = 0): boolean {
  return Number.isFinite(gpu) && Math.abs(gpu - cpu) <= rel * Math.abs(cpu) + 2 * sens + abs;
}
