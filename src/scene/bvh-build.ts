// SAH BVH construction over precomputed primitive boxes: binned SAH for large nodes (bvh-bins.ts), an exact
// sweep for small ones (bvh-sweep.ts). Typed arrays only, an explicit task stack, and one in-place
// partition of the index array, with the boxes moved alongside so every pass streams through memory.
// Node layout (32 bytes, see BvhNode in shaders/pathtrace/structs.wgsl):
//   f32[0..2] bmin, u32[3] left_or_first, f32[4..6] bmax, u32[7] count (0 = interior).
import { BinScratch, MAX_BINS, binnedChildBoxes, findBinnedSplit, partitionBinned } from './bvh-bins.ts';
import { SWEEP_MAX, SweepScratch, findSweepSplit, permuteRange } from './bvh-sweep.ts';

/** Deepest leaf the builder produces (root depth 0); the WGSL traversal stack holds 64 entries. */
export const BVH_MAX_DEPTH = 60;
export const BVH_NODE_BYTES = 32;
const NODE_WORDS = 8;
/** Nodes at least this large are binned on all three axes; smaller binned nodes on their widest axis. */
const ALL_AXES_MIN = 0;

export interface BinnedBuild {
  nodes: ArrayBuffer;
  nodeCount: number;
  /** BVH slot -> original primitive index. */
  order: Uint32Array;
}

/** ceil(log2(n)) for n >= 1. */
function ceilLog2(n: number): number {
  return n <= 1 ? 0 : 32 - Math.clz32(n - 1);
}

/**
 * Builds the tree. `boxes` holds 6 floats per primitive (min xyz, max xyz) and is reordered in place.
 * Centroids are taken as min + max (twice the box centre: the factor cancels and saves a multiply).
 * SAH costs: traversal 1, intersection 1. Leaves hold at most `maxLeafSize` primitives.
 */
export function buildSahTree(boxes: Float32Array, count: number, maxLeafSize: number): BinnedBuild {
  const idx = new Uint32Array(count);
  for (let i = 0; i < count; i++) idx[i] = i;
  const buffer = new ArrayBuffer(Math.max(1, 2 * count - 1) * BVH_NODE_BYTES);
  const nf = new Float32Array(buffer);
  const nu = new Uint32Array(buffer);
  const bins = new BinScratch();
  const sweep = new SweepScratch();
  const childBox = new Float64Array(12);

  // Task stack: node, range, depth and the range's centroid bounds (6 floats). DFS keeps it shallow.
  const STACK = 2 * BVH_MAX_DEPTH + 16;
  const sNode = new Uint32Array(STACK);
  const sStart = new Uint32Array(STACK);
  const sEnd = new Uint32Array(STACK);
  const sDepth = new Uint32Array(STACK);
  const sCb = new Float64Array(STACK * 6);
  const cb = new Float64Array(12); // centroid bounds of the current task, then of its two children

  rangeBounds(boxes, 0, count, nf, 0, sCb, 0);
  sNode[0] = 0; sStart[0] = 0; sEnd[0] = count; sDepth[0] = 0;
  let sp = 1;
  let nodeCount = 1;

  while (sp > 0) {
    sp--;
    const node = sNode[sp], start = sStart[sp], end = sEnd[sp], depth = sDepth[sp];
    for (let c = 0; c < 6; c++) cb[c] = sCb[sp * 6 + c];
    const n = end - start;
    const o = node * NODE_WORDS;
    if (n <= 1) {
      nu[o + 3] = start; nu[o + 7] = n;
      continue;
    }
    const dx = nf[o + 4] - nf[o], dy = nf[o + 5] - nf[o + 1], dz = nf[o + 6] - nf[o + 2];
    const area = dx * dy + dy * dz + dz * dx; // half the surface area: only ratios matter
    // Past this depth only median splits keep every leaf within BVH_MAX_DEPTH.
    const forceMedian = depth + ceilLog2(n) >= BVH_MAX_DEPTH;
    const useSweep = !forceMedian && n <= SWEEP_MAX;
    let splitCost = Infinity;
    if (useSweep) {
      findSweepSplit(boxes, start, n, sweep);
      splitCost = sweep.bestCost;
    } else if (!forceMedian) {
      const binCount = n >= 4096 ? MAX_BINS : 16;
      findBinnedSplit(boxes, start, end, binCount, cb, ALL_AXES_MIN, bins);
      splitCost = bins.bestCost;
    }

    // Leaf when allowed and not worse than splitting (in half-area units: leaf n*A, split A + children).
    if (n <= maxLeafSize && n * area <= area + splitCost) {
      nu[o + 3] = start; nu[o + 7] = n;
      continue;
    }

    let mid: number;
    const left = nodeCount;
    nodeCount += 2;
    const lo = left * NODE_WORDS, ro = lo + NODE_WORDS;
    if (useSweep || forceMedian || bins.bestAxis < 0) {
      if (useSweep) {
        permuteRange(boxes, idx, start, n, sweep.bestOrder, sweep.tmpIdx, sweep.tmpBoxes);
        mid = start + sweep.bestSplit;
      } else {
        // No plane separates the centroids, or depth is running out: halve the range along the widest axis.
        medianOrder(boxes, idx, start, n, cb);
        mid = start + (n >> 1);
      }
      rangeBounds(boxes, start, mid, nf, lo, cb, 0);
      rangeBounds(boxes, mid, end, nf, ro, cb, 6);
    } else {
      mid = partitionBinned(boxes, idx, start, end, bins, cb);
      binnedChildBoxes(bins, childBox);
      for (let c = 0; c < 3; c++) {
        nf[lo + c] = childBox[c]; nf[lo + 4 + c] = childBox[3 + c];
        nf[ro + c] = childBox[6 + c]; nf[ro + 4 + c] = childBox[9 + c];
      }
    }
    nu[o + 3] = left; nu[o + 7] = 0;
    // Push right, then left, so the left subtree is built first.
    sNode[sp] = left + 1; sStart[sp] = mid; sEnd[sp] = end; sDepth[sp] = depth + 1;
    for (let c = 0; c < 6; c++) sCb[sp * 6 + c] = cb[6 + c];
    sp++;
    sNode[sp] = left; sStart[sp] = start; sEnd[sp] = mid; sDepth[sp] = depth + 1;
    for (let c = 0; c < 6; c++) sCb[sp * 6 + c] = cb[c];
    sp++;
  }
  return { nodes: buffer.slice(0, nodeCount * BVH_NODE_BYTES), nodeCount, order: idx };
}

/** Sorts the range along the widest axis of its centroid bounds cb[0..6) (no-op if all centroids coincide). */
function medianOrder(boxes: Float32Array, idx: Uint32Array, start: number, n: number, cb: Float64Array): void {
  const ex = cb[3] - cb[0], ey = cb[4] - cb[1], ez = cb[5] - cb[2];
  if (ex <= 0 && ey <= 0 && ez <= 0) return;
  const a = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const key = (i: number): number => boxes[(start + i) * 6 + a] + boxes[(start + i) * 6 + a + 3];
  order.sort((p, q) => key(p) - key(q));
  permuteRange(boxes, idx, start, n, order, new Uint32Array(n), new Float32Array(n * 6));
}

/** Box of boxes[start, end) into out[o..] (node layout) and its centroid bounds into cbOut[c..c+6). */
function rangeBounds(
  boxes: Float32Array, start: number, end: number, out: Float32Array, o: number, cbOut: Float64Array, c: number,
): void {
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  let cx0 = Infinity, cy0 = Infinity, cz0 = Infinity, cx1 = -Infinity, cy1 = -Infinity, cz1 = -Infinity;
  for (let i = start; i < end; i++) {
    const p = i * 6;
    const a0 = boxes[p], a1 = boxes[p + 1], a2 = boxes[p + 2], b0 = boxes[p + 3], b1 = boxes[p + 4], b2 = boxes[p + 5];
    if (a0 < x0) x0 = a0; if (a1 < y0) y0 = a1; if (a2 < z0) z0 = a2;
    if (b0 > x1) x1 = b0; if (b1 > y1) y1 = b1; if (b2 > z1) z1 = b2;
    const sx = a0 + b0, sy = a1 + b1, sz = a2 + b2;
    if (sx < cx0) cx0 = sx; if (sx > cx1) cx1 = sx;
    if (sy < cy0) cy0 = sy; if (sy > cy1) cy1 = sy;
    if (sz < cz0) cz0 = sz; if (sz > cz1) cz1 = sz;
  }
  out[o] = x0; out[o + 1] = y0; out[o + 2] = z0; out[o + 4] = x1; out[o + 5] = y1; out[o + 6] = z1;
  cbOut[c] = cx0; cbOut[c + 1] = cy0; cbOut[c + 2] = cz0; cbOut[c + 3] = cx1; cbOut[c + 4] = cy1; cbOut[c + 5] = cz1;
}
