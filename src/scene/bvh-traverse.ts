// CPU traversals in double precision with the Möller-Trumbore test of shaders/pathtrace/bvh.wgsl: of the
// binary tree (nearer child first, far child pushed with its entry distance; used for picking), and of the
// 4-wide quantized records as bvh.wgsl walks them (the CPU reference of the shader). Tests check both
// against brute force.
import type { Bvh } from './bvh.ts';
import { BVH_REF_LEAF, BVH_REF_NONE } from './bvh-wide.ts';

export interface RayHit {
  t: number;
  /** Barycentric weight of v1. */
  u: number;
  /** Barycentric weight of v2. */
  v: number;
  /** Triangle index in the positions array that was searched (BVH slot for traceBvh*). */
  triangle: number;
}

export interface Ray {
  origin: ArrayLike<number>;
  dir: ArrayLike<number>;
  tmin: number;
  tmax: number;
}

/**
 * Möller-Trumbore on triangle `tri` of `pos` (9 floats per triangle), both faces, inclusive edges.
 * Writes (t, u, v) to out and returns true when tmin < t < tmax.
 */
export function intersectTriangle(pos: ArrayLike<number>, tri: number, ray: Ray, tmax: number, out: RayHit): boolean {
  const o = ray.origin, d = ray.dir, p = tri * 9;
  const v0x = pos[p], v0y = pos[p + 1], v0z = pos[p + 2];
  const e1x = pos[p + 3] - v0x, e1y = pos[p + 4] - v0y, e1z = pos[p + 5] - v0z;
  const e2x = pos[p + 6] - v0x, e2y = pos[p + 7] - v0y, e2z = pos[p + 8] - v0z;
  const px = d[1] * e2z - d[2] * e2y, py = d[2] * e2x - d[0] * e2z, pz = d[0] * e2y - d[1] * e2x;
  const det = e1x * px + e1y * py + e1z * pz;
  if (det === 0) return false;
  const inv = 1 / det;
  const sx = o[0] - v0x, sy = o[1] - v0y, sz = o[2] - v0z;
  const u = (sx * px + sy * py + sz * pz) * inv;
  if (u < 0 || u > 1) return false;
  const qx = sy * e1z - sz * e1y, qy = sz * e1x - sx * e1z, qz = sx * e1y - sy * e1x;
  const v = (d[0] * qx + d[1] * qy + d[2] * qz) * inv;
  if (v < 0 || u + v > 1) return false;
  const t = (e2x * qx + e2y * qy + e2z * qz) * inv;
  if (!(t > ray.tmin && t < tmax)) return false;
  out.t = t; out.u = u; out.v = v; out.triangle = tri;
  return true;
}

/** Entry distance into the box lo..hi clipped to [tmin, tmax], or Infinity on a miss. */
function slabBox(lo: ArrayLike<number>, hi: ArrayLike<number>, o: ArrayLike<number>, inv: number[], tmin: number, tmax: number): number {
  let near = tmin, far = tmax;
  for (let a = 0; a < 3; a++) {
    const t0 = (lo[a] - o[a]) * inv[a], t1 = (hi[a] - o[a]) * inv[a];
    near = Math.max(near, Math.min(t0, t1));
    far = Math.min(far, Math.max(t0, t1) * (1 + 1e-12)); // widened: rounding must never cull a touched box
  }
  return near <= far ? near : Infinity;
}

/** Entry distance into binary node `node`'s box clipped to [tmin, tmax], or Infinity on a miss. */
function slab(f: Float32Array, node: number, o: ArrayLike<number>, inv: number[], tmin: number, tmax: number): number {
  return slabBox(f.subarray(node * 8, node * 8 + 3), f.subarray(node * 8 + 4, node * 8 + 7), o, inv, tmin, tmax);
}

/** 1 / dir with zero components replaced by a tiny signed value, as in the WGSL. */
function invDir(dir: ArrayLike<number>): number[] {
  return [0, 1, 2].map((a) => 1 / (Math.abs(dir[a]) < 1e-20 ? (dir[a] >= 0 ? 1e-20 : -1e-20) : dir[a]));
}

/**
 * Closest (anyHit = false) or first found (anyHit = true) hit of `ray` in (tmin, tmax) against the BVH.
 * `triPos` holds 9 floats per triangle in BVH order. Returns null on a miss.
 */
export function traceBvh(bvh: Bvh, triPos: ArrayLike<number>, ray: Ray, anyHit = false): RayHit | null {
  const f = new Float32Array(bvh.nodes);
  const u = new Uint32Array(bvh.nodes);
  const inv = invDir(ray.dir);
  const hit: RayHit = { t: Infinity, u: 0, v: 0, triangle: -1 };
  const cand: RayHit = { t: 0, u: 0, v: 0, triangle: -1 };
  let best = ray.tmax;
  const stackNode: number[] = [];
  const stackT: number[] = [];
  let node = slab(f, 0, ray.origin, inv, ray.tmin, best) < Infinity ? 0 : -1;
  for (;;) {
    if (node < 0) {
      if (stackNode.length === 0) break;
      node = stackNode.pop()!;
      if (stackT.pop()! >= best) { node = -1; continue; }
    }
    const count = u[node * 8 + 7], first = u[node * 8 + 3];
    if (count > 0) {
      for (let i = first; i < first + count; i++) {
        if (intersectTriangle(triPos, i, ray, best, cand)) { best = cand.t; Object.assign(hit, cand); }
      }
      if (anyHit && hit.triangle >= 0) break;
      node = -1;
      continue;
    }
    const ta = slab(f, first, ray.origin, inv, ray.tmin, best), tb = slab(f, first + 1, ray.origin, inv, ray.tmin, best);
    const aFirst = ta <= tb;
    if (Math.max(ta, tb) < Infinity) { stackNode.push(aFirst ? first + 1 : first); stackT.push(Math.max(ta, tb)); }
    node = Math.min(ta, tb) < Infinity ? (aFirst ? first : first + 1) : -1;
  }
  return hit.triangle >= 0 ? hit : null;
}

/**
 * traceBvh over the 4-wide quantized records (bvh.wide) as shaders/pathtrace/bvh.wgsl reads them: grid boxes
 * decoded, hit children sorted by entry distance, the nearest visited next, the others pushed farthest first
 * (the shader interleaves leaf triangles with record visits; the hits found are the same).
 */
export function traceWideBvh(bvh: Bvh, triPos: ArrayLike<number>, ray: Ray, anyHit = false): RayHit | null {
  const f = new Float32Array(bvh.wide.records);
  const u = new Uint32Array(bvh.wide.records);
  const inv = invDir(ray.dir);
  const hit: RayHit = { t: Infinity, u: 0, v: 0, triangle: -1 };
  const cand: RayHit = { t: 0, u: 0, v: 0, triangle: -1 };
  let best = ray.tmax;
  const stack: Array<[number, number]> = [];
  const lo = [0, 0, 0], hi = [0, 0, 0];
  const kids: Array<[number, number]> = [];
  let cur = 0;
  for (;;) {
    if (cur === BVH_REF_NONE) {
      const top = stack.pop();
      if (!top) break;
      if (top[1] >= best) continue;
      cur = top[0];
    }
    if (cur >= BVH_REF_LEAF) {
      const first = cur & 0x03ffffff, count = ((cur >>> 26) & 31) + 1;
      for (let i = first; i < first + count; i++) {
        if (intersectTriangle(triPos, i, ray, best, cand)) { best = cand.t; Object.assign(hit, cand); }
      }
      if (anyHit && hit.triangle >= 0) break;
      cur = BVH_REF_NONE;
      continue;
    }
    const o = cur * 16;
    kids.length = 0;
    for (let k = 0; k < 4; k++) {
      const ref = u[o + 12 + k];
      if (ref === BVH_REF_NONE) continue;
      for (let a = 0; a < 3; a++) {
        const step = 2 ** (((u[o + 3] >>> (8 * a)) & 0xff) - 127);
        lo[a] = f[o + a] + ((u[o + 4 + a] >>> (8 * k)) & 0xff) * step;
        hi[a] = f[o + a] + ((u[o + 8 + a] >>> (8 * k)) & 0xff) * step;
      }
      const t = slabBox(lo, hi, ray.origin, inv, ray.tmin, best);
      if (t < Infinity) kids.push([ref, t]);
    }
    kids.sort((x, y) => x[1] - y[1]);
    for (let k = kids.length - 1; k >= 1; k--) stack.push(kids[k]);
    cur = kids.length > 0 ? kids[0][0] : BVH_REF_NONE;
  }
  return hit.triangle >= 0 ? hit : null;
}

/** Closest hit by testing every triangle (the reference the BVH must agree with). */
export function traceBruteForce(positions: ArrayLike<number>, ray: Ray): RayHit | null {
  const hit: RayHit = { t: Infinity, u: 0, v: 0, triangle: -1 };
  let best = ray.tmax;
  for (let i = 0, n = positions.length / 9; i < n; i++) {
    if (intersectTriangle(positions, i, ray, best, hit)) best = hit.t;
  }
  return hit.triangle >= 0 ? hit : null;
}

/** Triangle positions (9 floats each) in BVH order. */
export function reorderPositions(positions: Float32Array, triangleOrder: Uint32Array): Float32Array {
  const out = new Float32Array(triangleOrder.length * 9);
  for (let i = 0; i < triangleOrder.length; i++) out.set(positions.subarray(triangleOrder[i] * 9, triangleOrder[i] * 9 + 9), i * 9);
  return out;
}
