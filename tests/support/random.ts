// Seeded pseudo-random numbers for reproducible test inputs (mulberry32).
import { seededRandom } from '../../scenes/util.ts';
import type { Vec3 } from '../../src/render/bsdf-reference.ts';

export type Rng = () => number;

/** Uniform in [0, 1) from a 32-bit seed; same sequence on every run (the scenes' own mulberry32). */
export const mulberry32: (seed: number) => Rng = seededRandom;

/** Uniform direction on the unit sphere, rounded to float32 (the values the GPU sees). */
export function uniformSphere(rng: Rng): Vec3 {
  const z = 1 - 2 * rng();
  const r = Math.sqrt(Math.max(0, 1 - z * z));
  const phi = 2 * Math.PI * rng();
  return toF32([r * Math.cos(phi), r * Math.sin(phi), z]);
}

/** Uniform direction on the upper (z > 0) hemisphere. */
export function uniformHemisphere(rng: Rng): Vec3 {
  const d = uniformSphere(rng);
  return d[2] > 0 ? d : [d[0], d[1], -d[2]];
}

/** The float32 value the GPU will see (vectors are stored as float32). */
export function toF32(v: Vec3): Vec3 {
  return [Math.fround(v[0]), Math.fround(v[1]), Math.fround(v[2])];
}
