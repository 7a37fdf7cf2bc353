// SAH BVH construction. Split decisions are made on primitive boxes snapped to a 2^30 integer grid over the
// scene (integer min/max is branchless; see bvh-bins.ts); the final node boxes are then refit exactly from
// the float boxes, bottom-up, so the tree is conservative to the last bit. Large inputs get their top
// levels from clusters (bvh-top.ts); every range below DISSOLVE_MAX primitives is built per primitive
// (bvh-range.ts).
// Node layout (32 bytes, see BvhNode in shaders/pathtrace/structs.wgsl):
//   f32[0..2] bmin, u32[3] left_or_first, f32[4..6] bmax, u32[7] count (0 = interior).
import { GRID_MAX } from './bvh-bins.ts';
import { BVH_MAX_DEPTH, NODE_WORDS, RangeBuilder } from './bvh-range.ts';
import { DISSOLVE_MAX, buildClustered } from './bvh-top.ts';

export { BVH_MAX_DEPTH };
export const BVH_NODE_BYTES = 32;

export interface SahBuild {
  nodes: ArrayBuffer;
  nodeCount: number;
  /** BVH slot -> original primitive index. */
  order: Uint32Array;
}

/**
 * Builds the tree over `boxes` (6 floats per primitive: min xyz, max xyz; left untouched).
 * SAH costs: traversal 1, intersection 1. Leaves hold at most `maxLeafSize` primitives.
 */
export function buildSahTree(boxes: Float32Array, count: number, maxLeafSize: number): SahBuild {
  const qb = quantize(boxes, count);
  const buffer = new ArrayBuffer(Math.max(1, 2 * count - 1) * BVH_NODE_BYTES);
  const nu = new Uint32Array(buffer);
  let rb: RangeBuilder;
  if (count > DISSOLVE_MAX) {
    rb = new RangeBuilder(new Int32Array(count * 6), new Uint32Array(count), nu, maxLeafSize);
    buildClustered(qb, count, rb);
  } else {
    const idx = new Uint32Array(count);
    for (let i = 0; i < count; i++) idx[i] = i;
    rb = new RangeBuilder(qb, idx, nu, maxLeafSize);
    rb.build(0, 0, count, 0);
  }
  const nodes = buffer.slice(0, rb.nodeCount * BVH_NODE_BYTES);
  refit(nodes, rb.nodeCount, boxes, rb.idx);
  return { nodes, nodeCount: rb.nodeCount, order: rb.idx };
}

/** Snaps boxes to a uniform (isotropic, so areas keep their ratios) grid of GRID_MAX cells over the scene. */
function quantize(boxes: Float32Array, count: number): Int32Array {
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let i = 0; i < count * 6; i += 6) {
    if (boxes[i] < x0) x0 = boxes[i];
    if (boxes[i + 1] < y0) y0 = boxes[i + 1];
    if (boxes[i + 2] < z0) z0 = boxes[i + 2];
    if (boxes[i + 3] > x1) x1 = boxes[i + 3];
    if (boxes[i + 4] > y1) y1 = boxes[i + 4];
    if (boxes[i + 5] > z1) z1 = boxes[i + 5];
  }
  const ext = Math.max(x1 - x0, y1 - y0, z1 - z0);
  const s = ext > 0 ? (GRID_MAX - 1) / ext : 0; // headroom so rounding never passes GRID_MAX
  const qb = new Int32Array(count * 6);
  for (let i = 0; i < count * 6; i += 6) {
    qb[i] = (boxes[i] - x0) * s; // Int32Array stores truncate: floor for these non-negative values
    qb[i + 1] = (boxes[i + 1] - y0) * s;
    qb[i + 2] = (boxes[i + 2] - z0) * s;
    qb[i + 3] = (boxes[i + 3] - x0) * s;
    qb[i + 4] = (boxes[i + 4] - y0) * s;
    qb[i + 5] = (boxes[i + 5] - z0) * s;
  }
  return qb;
}

/** Exact float node boxes, bottom-up: children always have larger indices than their parent. */
function refit(nodes: ArrayBuffer, nodeCount: number, boxes: Float32Array, idx: Uint32Array): void {
  const nf = new Float32Array(nodes);
  const nu = new Uint32Array(nodes);
  for (let i = nodeCount - 1; i >= 0; i--) {
    const o = i * NODE_WORDS;
    const cnt = nu[o + 7];
    let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
    if (cnt > 0) {
      for (let k = nu[o + 3], e = k + cnt; k < e; k++) {
        const p = idx[k] * 6;
        x0 = Math.min(x0, boxes[p]); y0 = Math.min(y0, boxes[p + 1]); z0 = Math.min(z0, boxes[p + 2]);
        x1 = Math.max(x1, boxes[p + 3]); y1 = Math.max(y1, boxes[p + 4]); z1 = Math.max(z1, boxes[p + 5]);
      }
    } else {
      const a = nu[o + 3] * NODE_WORDS, b = a + NODE_WORDS;
      x0 = Math.min(nf[a], nf[b]); y0 = Math.min(nf[a + 1], nf[b + 1]); z0 = Math.min(nf[a + 2], nf[b + 2]);
      x1 = Math.max(nf[a + 4], nf[b + 4]); y1 = Math.max(nf[a + 5], nf[b + 5]); z1 = Math.max(nf[a + 6], nf[b + 6]);
    }
    nf[o] = x0; nf[o + 1] = y0; nf[o + 2] = z0; nf[o + 4] = x1; nf[o + 5] = y1; nf[o + 6] = z1;
  }
}
