// Triangle soups, rays and a structural checker shared by the BVH tests (CPU and GPU).
import { BufferGeometry } from 'three';
import { BVH_MAX_DEPTH, type Bvh } from '../../src/scene/bvh.ts';
import type { Ray } from '../../src/scene/bvh-traverse.ts';
import type { Rng } from '../support/random.ts';

/** n random triangles in [-extent, extent]^3 with edges up to `size`. */
export function randomSoup(rng: Rng, n: number, extent = 2, size = 0.4): Float32Array {
  const out = new Float32Array(n * 9);
  for (let t = 0; t < n; t++) {
    const c = [0, 1, 2].map(() => (rng() * 2 - 1) * extent);
    for (let v = 0; v < 3; v++) for (let a = 0; a < 3; a++) out[t * 9 + v * 3 + a] = c[a] + (rng() - 0.5) * size;
  }
  return out;
}

/** Non-indexed positions of a three.js geometry, 9 floats per triangle. */
export function geometryPositions(g: BufferGeometry): Float32Array {
  const flat = g.index ? g.toNonIndexed() : g;
  return new Float32Array(flat.getAttribute('position').array);
}

export function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/**
 * Rays with float32 components: half aimed at a random point of a random triangle (so most hit), half in
 * random directions from random origins; a quarter have a finite [tmin, tmax] window; some directions are
 * axis-aligned (zero components).
 */
export function randomRays(rng: Rng, positions: Float32Array, n: number, extent = 3): Ray[] {
  const f = Math.fround;
  const tris = positions.length / 9;
  const rays: Ray[] = [];
  for (let i = 0; i < n; i++) {
    const origin = [0, 1, 2].map(() => f((rng() * 2 - 1) * extent));
    let dir: number[];
    if (i % 2 === 0) {
      const t = Math.floor(rng() * tris) * 9;
      let b1 = rng(), b2 = rng();
      if (b1 + b2 > 1) { b1 = 1 - b1; b2 = 1 - b2; }
      const target = [0, 1, 2].map((a) =>
        positions[t + a] * (1 - b1 - b2) + positions[t + 3 + a] * b1 + positions[t + 6 + a] * b2);
      dir = target.map((x, a) => x - origin[a]);
    } else if (i % 16 === 1) {
      dir = [0, 0, 0];
      dir[Math.floor(rng() * 3)] = rng() < 0.5 ? -1 : 1;
    } else {
      dir = [0, 1, 2].map(() => rng() * 2 - 1);
    }
    const len = Math.hypot(dir[0], dir[1], dir[2]) || 1;
    dir = dir.map((x) => f(x / len));
    const windowed = i % 4 === 3;
    const tmin = windowed ? f(rng() * 2) : f(1e-4);
    const tmax = windowed ? f(tmin + rng() * 4) : 1e30;
    rays.push({ origin, dir, tmin, tmax });
  }
  return rays;
}

export interface TreeStats {
  depth: number;
  leaves: number;
  maxLeaf: number;
}

/**
 * Checks the flat tree: every node reached once, children adjacent and inside their parent's box, leaves
 * covering every BVH slot exactly once with at most maxLeafSize triangles, leaf boxes containing their
 * triangles, triangleOrder a permutation. Returns the first problem as a string, or the tree's stats.
 */
export function checkBvh(bvh: Bvh, positions: Float32Array, maxLeafSize: number): string | TreeStats {
  const n = positions.length / 9;
  const f = new Float32Array(bvh.nodes), u = new Uint32Array(bvh.nodes);
  if (bvh.nodes.byteLength !== bvh.nodeCount * 32) return `nodes is ${bvh.nodes.byteLength} bytes for ${bvh.nodeCount} nodes`;
  if (bvh.triangleOrder.length !== n) return `triangleOrder has ${bvh.triangleOrder.length} entries for ${n} triangles`;
  const seenTri = new Uint8Array(n);
  for (const t of bvh.triangleOrder) {
    if (t >= n || seenTri[t]) return `triangleOrder is not a permutation (at ${t})`;
    seenTri[t] = 1;
  }
  const slotSeen = new Uint8Array(n);
  const nodeSeen = new Uint8Array(bvh.nodeCount);
  const stats: TreeStats = { depth: 0, leaves: 0, maxLeaf: 0 };
  const stack: [number, number][] = [[0, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node >= bvh.nodeCount) return `node index ${node} out of range`;
    if (nodeSeen[node]++) return `node ${node} reached twice`;
    const o = node * 8, count = u[o + 7], first = u[o + 3];
    for (let a = 0; a < 3; a++) if (!(f[o + a] <= f[o + 4 + a])) return `node ${node} has an inverted box`;
    if (count === 0) {
      for (const c of [first, first + 1]) {
        if (c >= bvh.nodeCount) return `node ${node}: child ${c} out of range`;
        for (let a = 0; a < 3; a++) {
          if (f[c * 8 + a] < f[o + a] || f[c * 8 + 4 + a] > f[o + 4 + a]) return `child ${c} pokes out of parent ${node}`;
        }
        stack.push([c, depth + 1]);
      }
      continue;
    }
    stats.leaves++;
    stats.depth = Math.max(stats.depth, depth);
    stats.maxLeaf = Math.max(stats.maxLeaf, count);
    if (count > maxLeafSize) return `leaf ${node} holds ${count} > ${maxLeafSize} triangles`;
    if (first + count > n) return `leaf ${node} range [${first}, ${first + count}) out of range`;
    for (let s = first; s < first + count; s++) {
      if (slotSeen[s]++) return `slot ${s} in two leaves`;
      const p = bvh.triangleOrder[s] * 9;
      for (let k = 0; k < 9; k++) {
        const a = k % 3;
        if (positions[p + k] < f[o + a] || positions[p + k] > f[o + 4 + a]) return `leaf ${node} box misses triangle ${bvh.triangleOrder[s]}`;
      }
    }
  }
  for (let s = 0; s < n; s++) if (!slotSeen[s]) return `slot ${s} in no leaf`;
  for (let i = 0; i < bvh.nodeCount; i++) if (!nodeSeen[i]) return `node ${i} unreachable`;
  if (stats.depth > BVH_MAX_DEPTH) return `depth ${stats.depth} > ${BVH_MAX_DEPTH}`;
  return stats;
}
