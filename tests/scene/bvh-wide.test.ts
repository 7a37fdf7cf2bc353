// The 4-wide quantized GPU form of the BVH (src/scene/bvh-wide.ts): its records must describe the binary tree
// exactly (every binary leaf once, as a leaf ref), every grid box must contain its child's box in exact
// arithmetic, and the traversal in bvh.wgsl must never need more than its 64 stack entries.
import { describe, expect, it } from 'vitest';
import { SphereGeometry, TorusKnotGeometry } from 'three';
import { buildBvh, type Bvh } from '../../src/scene/bvh.ts';
import { BVH_REF_LEAF, BVH_REF_NONE, BVH_WIDE_STACK, buildWideBvh } from '../../src/scene/bvh-wide.ts';
import { mulberry32 } from '../support/random.ts';
import { concat, geometryPositions, randomSoup } from './bvh-fixtures.ts';

/** A finite float as an exact integer in units of 2^-149 (every f32 and every grid value is one). */
const exact = (x: number): bigint => BigInt(x * 2 ** 149);

interface WideStats {
  records: number;
  children: number;
  /** Most stack entries the traversal can hold (pushes along the worst path). */
  stack: number;
}

/**
 * Checks the records against the binary tree and the triangles (`positions`, original order): returns the
 * first problem as a string, or stats.
 */
function checkWide(bvh: Bvh, positions: Float32Array): string | WideStats {
  const nu = new Uint32Array(bvh.nodes);
  const { records, recordCount } = bvh.wide;
  if (records.byteLength !== recordCount * 64) return `records is ${records.byteLength} bytes for ${recordCount} records`;
  const rf = new Float32Array(records), ru = new Uint32Array(records);
  // Binary leaves as (first, count), each to be seen once.
  const leaves = new Map<number, number>();
  for (let i = 0; i < bvh.nodeCount; i++) if (nu[i * 8 + 7] > 0) leaves.set(nu[i * 8 + 3], nu[i * 8 + 7]);
  const seen = new Uint8Array(recordCount);
  const stats: WideStats = { records: recordCount, children: 0, stack: 0 };
  let problem = '';
  /** Bounds of the triangles below `ref` (visited with `depth` stack entries in use), or null on a problem. */
  const visit = (ref: number, depth: number): number[] | null => {
    const box = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
    if (ref >= BVH_REF_LEAF) {
      const first = ref & 0x03ffffff, count = ((ref >>> 26) & 31) + 1;
      if (leaves.get(first) !== count) { problem = `leaf ref (${first}, ${count}) matches no binary leaf`; return null; }
      leaves.delete(first);
      for (let s = first; s < first + count; s++) {
        for (let k = 0; k < 9; k++) {
          const v = positions[bvh.triangleOrder[s] * 9 + k];
          box[k % 3] = Math.min(box[k % 3], v);
          box[3 + (k % 3)] = Math.max(box[3 + (k % 3)], v);
        }
      }
      return box;
    }
    if (ref >= recordCount) { problem = `record ref ${ref} out of range`; return null; }
    if (seen[ref]++) { problem = `record ${ref} referenced twice`; return null; }
    const o = ref * 16;
    const kids: number[] = [];
    for (let k = 0; k < 4; k++) if (ru[o + 12 + k] !== BVH_REF_NONE) kids.push(k);
    if (kids.length === 0 || kids.some((k, i) => k !== i)) { problem = `record ${ref} has slots ${kids} in use (want a prefix)`; return null; }
    if (ru[o + 7] !== 0 || ru[o + 11] !== 0) { problem = `record ${ref} has non-zero padding`; return null; }
    stats.children += kids.length;
    stats.stack = Math.max(stats.stack, depth + kids.length - 1);
    for (const k of kids) {
      const below = visit(ru[o + 12 + k], depth + kids.length - 1);
      if (!below) return null;
      for (let a = 0; a < 3; a++) {
        const step = exact(2 ** (((ru[o + 3] >>> (8 * a)) & 0xff) - 127));
        const lo = exact(rf[o + a]) + BigInt((ru[o + 4 + a] >>> (8 * k)) & 0xff) * step;
        const hi = exact(rf[o + a]) + BigInt((ru[o + 8 + a] >>> (8 * k)) & 0xff) * step;
        if (lo > exact(below[a]) || hi < exact(below[3 + a])) {
          problem = `record ${ref} child ${k} axis ${a}: grid box misses its triangles [${below[a]}, ${below[3 + a]}]`;
          return null;
        }
        box[a] = Math.min(box[a], below[a]);
        box[3 + a] = Math.max(box[3 + a], below[3 + a]);
      }
    }
    return box;
  };
  if (!visit(0, 0)) return problem;
  if (leaves.size > 0) return `${leaves.size} binary leaves in no record`;
  for (let r = 0; r < recordCount; r++) if (!seen[r]) return `record ${r} unreachable`;
  return stats;
}

/**
 * A binary tree in the layout of bvh.ts (unit boxes, one triangle per leaf): a chain of `chain` interior
 * nodes, each with a leaf sibling, above a full subtree of height `full`.
 */
function handMadeTree(chain: number, full: number): { nodes: ArrayBuffer; count: number } {
  const count = 2 * chain + 2 ** (full + 1) - 1;
  const nodes = new ArrayBuffer(count * 32);
  const f = new Float32Array(nodes), u = new Uint32Array(nodes);
  let next = 1, triangle = 0;
  const leaf = (n: number): void => { u[n * 8 + 3] = triangle++; u[n * 8 + 7] = 1; };
  const subtree = (n: number, height: number): void => {
    if (height === 0) { leaf(n); return; }
    const l = next; next += 2;
    u[n * 8 + 3] = l;
    subtree(l, height - 1);
    subtree(l + 1, height - 1);
  };
  let n = 0;
  for (let i = 0; i < chain; i++) {
    const l = next; next += 2;
    u[n * 8 + 3] = l;
    leaf(l);
    n = l + 1;
  }
  subtree(n, full);
  for (let i = 0; i < count; i++) f.set([0, 0, 0], i * 8), f.set([1, 1, 1], i * 8 + 4);
  return { nodes, count };
}

/** Most entries the traversal's stack can hold: over all records, entries in use at the visit + pushes. */
function maxStack(records: ArrayBuffer): number {
  const ru = new Uint32Array(records);
  let most = 0;
  const visit = (r: number, depth: number): void => {
    const refs = [...ru.subarray(r * 16 + 12, r * 16 + 16)].filter((c) => c !== BVH_REF_NONE);
    most = Math.max(most, depth + refs.length - 1);
    for (const c of refs) if (c < BVH_REF_LEAF) visit(c, depth + refs.length - 1);
  };
  visit(0, 0);
  return most;
}

function wideStats(bvh: Bvh, positions: Float32Array): WideStats {
  const r = checkWide(bvh, positions);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

describe('buildWideBvh', () => {
  it.each([
    ['random soup', () => randomSoup(mulberry32(5), 3000)],
    ['closed meshes', () => concat(geometryPositions(new SphereGeometry(1, 24, 16)), geometryPositions(new TorusKnotGeometry(1.2, 0.3, 64, 8)))],
    ['far from the origin', () => randomSoup(mulberry32(6), 500).map((v, i) => v * 1e-3 + [12345.6, -0.001, 3e7][i % 3])],
    ['identical triangles', () => new Float32Array(200 * 9).map((_, i) => [0, 0, 0, 1, 0, 0, 0, 1, 0][i % 9])],
    ['flat in one axis', () => randomSoup(mulberry32(7), 400).map((v, i) => (i % 3 === 1 ? 2.5 : v))],
  ])('describes the binary tree with conservative grid boxes: %s', (_name, make) => {
    const pos = make();
    const bvh = buildBvh(pos);
    const stats = wideStats(bvh, pos);
    // Opening nodes up to four children makes records about a third as many as binary interior nodes.
    expect(stats.records).toBeLessThan(0.6 * ((bvh.nodeCount - 1) / 2) + 1);
    expect(stats.children / stats.records).toBeGreaterThan(2.5);
  });

  it('holds a single-leaf tree in the root record', () => {
    const pos = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]);
    const bvh = buildBvh(pos);
    expect(wideStats(bvh, pos)).toEqual({ records: 1, children: 1, stack: 0 });
    expect(new Uint32Array(bvh.wide.records)[12]).toBe(BVH_REF_LEAF); // first triangle 0, count 1
  });

  it('keeps the traversal stack within its 64 entries on a tree of the deepest kind', () => {
    // Triangles shrinking geometrically towards the origin: SAH peels one off per level (depth ~ 60), and
    // opening four-wide everywhere would need ~1.5 entries per level.
    const n = 400;
    const pos = new Float32Array(n * 9);
    for (let i = 0; i < n; i++) {
      const s = Math.pow(0.8, i);
      pos.set([s, 0, 0, s * 1.1, 0, 0, s, s * 0.1, 0], i * 9);
    }
    const stats = wideStats(buildBvh(pos), pos);
    expect(stats.stack).toBeLessThanOrEqual(BVH_WIDE_STACK);
  });

  it('opens fewer children where four would overflow the stack', () => {
    // A chain of 50 nodes with leaf siblings above a full subtree of height 10 (height 60 in all). Opened
    // four-wide everywhere, the deepest records would need 65 entries.
    const { nodes, count } = handMadeTree(50, 10);
    const wide = buildWideBvh(nodes, count);
    const stack = maxStack(wide.records);
    expect(stack).toBeLessThanOrEqual(BVH_WIDE_STACK);
    expect(stack).toBeGreaterThanOrEqual(BVH_WIDE_STACK - 2); // the bound was under pressure
  });

  it('rejects a tree taller than the stack', () => {
    // A chain of 70 nodes, beyond any tree buildBvh makes.
    const { nodes, count } = handMadeTree(70, 0);
    expect(() => buildWideBvh(nodes, count)).toThrow(/height 70 exceeds the traversal stack/);
  });
});
