// Seeded random draws for the procedural scenes. One independent stream per concern (layout, materials, lights,
// camera), so that e.g. a different triangle budget drops objects without reshuffling the lights or the camera.
import { seededRandom, type Vec3 } from './util.ts';

/** murmur3's 32-bit finaliser: neighbouring seeds give unrelated streams. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Rng {
  private readonly next: () => number;

  constructor(seed: number, stream: number) {
    this.next = seededRandom(fmix32((fmix32(seed >>> 0) ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Log-uniform in [lo, hi) (both > 0): for scales that span orders of magnitude. */
  logUniform(lo: number, hi: number): number {
    return lo * Math.pow(hi / lo, this.next());
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.min(hi - lo, Math.floor(this.next() * (hi - lo + 1)));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.min(items.length - 1, Math.floor(this.next() * items.length))];
  }

  /** One of `weights`' keys with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    const total = keys.reduce((s, k) => s + weights[k], 0);
    let u = this.next() * total;
    for (const k of keys) {
      u -= weights[k];
      if (u < 0) return k;
    }
    return keys[keys.length - 1];
  }

  /** A colour from hue (0..1), saturation and value, in linear RGB. */
  hsv(h: number, s: number, v: number): Vec3 {
    const k = (n: number) => (n + h * 6) % 6;
    const f = (n: number) => v - v * s * Math.max(0, Math.min(k(n), 4 - k(n), 1));
    return [f(5), f(3), f(1)];
  }
}
