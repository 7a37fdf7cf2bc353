// Top-down SAH build of one contiguous primitive range into a subtree: binned SAH for large nodes
// (bvh-bins.ts), a sweep for nodes of up to SWEEP_MAX primitives (bvh-sweep.ts) and an optimal subtree for
// up to TREELET_MAX (bvh-treelet.ts); an explicit task stack, and an in-place partition of the index array
// with the grid boxes moved alongside.
import { BinScratch, GRID_MAX, MAX_BINS, binnedChildBoxes, findBinnedSplit, partitionBinned } from './bvh-bins.ts';
import { SWEEP_MAX, SmallSplitScratch, findSmallSplit, permuteRange } from './bvh-sweep.ts';
import { TREELET_MAX, TreeletScratch, emitTreelet, solveTreelet } from './bvh-treelet.ts';

/** Deepest leaf the builder produces (root depth 0); the WGSL traversal stack holds 64 entries. */
export const BVH_MAX_DEPTH = 60;
export const NODE_WORDS = 8;
/** Task stack entry: node, start, end, depth, grid box (6), centroid bounds (6). */
const TASK = 16;

/** ceil(log2(n)) for n >= 1. */
export function ceilLog2(n: number): number {
  return n <= 1 ? 0 : 32 - Math.clz32(n - 1);
}

export class RangeBuilder {
  nodeCount = 1;
  private readonly bins = new BinScratch();
  private readonly small = new SmallSplitScratch();
  private readonly treelet = new TreeletScratch();
  private readonly alloc = (): number => this.allocPair();
  private readonly childBox = new Int32Array(12);
  private readonly cb = new Int32Array(12); // centroid bounds of the current task, then of its two children
  // Depth-first: the stack never holds more than one pending sibling per level.
  private readonly stack = new Int32Array((2 * BVH_MAX_DEPTH + 16) * TASK);

  /**
   * qb: grid boxes (6 ints per primitive), idx: original primitive index per slot, both reordered in place;
   * nu: the node buffer as u32 (node layout of bvh.ts; bounds are filled in later by the refit).
   */
  constructor(
    readonly qb: Int32Array, readonly idx: Uint32Array, readonly nu: Uint32Array, readonly maxLeafSize: number,
  ) {}

  /** Index of the first of two fresh sibling nodes. */
  allocPair(): number {
    const left = this.nodeCount;
    this.nodeCount += 2;
    return left;
  }

  /** Builds the subtree of `node` (already allocated) over slots [start, end) at `depth`. */
  build(node: number, start: number, end: number, depth: number): void {
    const { qb, idx, nu, maxLeafSize, bins, small, childBox, cb, stack } = this;
    stack[0] = node; stack[1] = start; stack[2] = end; stack[3] = depth;
    gridBounds(qb, start, end, stack, 4, stack, 10);
    let sp = 1;
    while (sp > 0) {
      sp--;
      const t = sp * TASK;
      const node = stack[t], start = stack[t + 1], end = stack[t + 2], depth = stack[t + 3];
      const n = end - start;
      const o = node * NODE_WORDS;
      if (n <= 1) {
        nu[o + 3] = start; nu[o + 7] = n;
        continue;
      }
      if (n <= TREELET_MAX && depth + n - 1 < BVH_MAX_DEPTH) {
        // The whole subtree in one step (a chain of n - 1 levels at worst still fits the depth limit).
        solveTreelet(qb, start, n, maxLeafSize, this.treelet);
        emitTreelet(qb, idx, nu, start, n, node, this.alloc, this.treelet);
        continue;
      }
      const dx = stack[t + 7] - stack[t + 4], dy = stack[t + 8] - stack[t + 5], dz = stack[t + 9] - stack[t + 6];
      const area = dx * dy + dy * dz + dz * dx; // half the surface area: only ratios matter
      for (let c = 0; c < 6; c++) cb[c] = stack[t + 10 + c];
      // Past this depth only median splits keep every leaf within BVH_MAX_DEPTH.
      const forceMedian = depth + ceilLog2(n) >= BVH_MAX_DEPTH;
      const isSmall = !forceMedian && n <= SWEEP_MAX;
      let splitCost = Infinity;
      if (isSmall) {
        findSmallSplit(qb, start, n, small);
        splitCost = small.bestCost;
      } else if (!forceMedian) {
        // Fewer bins where a node holds few primitives: the sweep over bins costs as much as the binning there.
        findBinnedSplit(qb, start, end, n >= 1024 ? MAX_BINS : n >= 64 ? 16 : 8, cb, bins, null);
        splitCost = bins.bestCost;
      }

      // Leaf when allowed and not worse than splitting (in half-area units: leaf n*A, split A + children).
      if (n <= maxLeafSize && n * area <= area + splitCost) {
        nu[o + 3] = start; nu[o + 7] = n;
        continue;
      }

      let mid: number;
      const binned = !isSmall && !forceMedian && bins.bestAxis >= 0;
      if (isSmall) {
        permuteRange(qb, idx, start, n, small.bestOrder, small.tmpIdx, small.tmpBoxes);
        mid = start + small.bestSplit;
      } else if (binned) {
        mid = partitionBinned(qb, idx, start, end, bins, cb, null);
      } else {
        // No plane separates the centroids, or depth is running out: halve the range along the widest axis.
        medianOrder(qb, idx, start, n);
        mid = start + (n >> 1);
      }
      const left = this.allocPair();
      nu[o + 3] = left; nu[o + 7] = 0;
      // Push right, then left, so the left subtree is built first.
      const r = t, l = t + TASK;
      stack[r] = left + 1; stack[r + 1] = mid; stack[r + 2] = end; stack[r + 3] = depth + 1;
      stack[l] = left; stack[l + 1] = start; stack[l + 2] = mid; stack[l + 3] = depth + 1;
      if (isSmall) {
        // Children of small nodes are small too: their centroid bounds are never used.
        for (let c = 0; c < 6; c++) { stack[l + 4 + c] = small.bestBox[c]; stack[r + 4 + c] = small.bestBox[6 + c]; }
      } else if (binned) {
        binnedChildBoxes(bins, childBox);
        for (let c = 0; c < 6; c++) {
          stack[l + 4 + c] = childBox[c]; stack[l + 10 + c] = cb[c];
          stack[r + 4 + c] = childBox[6 + c]; stack[r + 10 + c] = cb[6 + c];
        }
      } else {
        gridBounds(qb, mid, end, stack, r + 4, stack, r + 10);
        gridBounds(qb, start, mid, stack, l + 4, stack, l + 10);
      }
      sp += 2;
    }
  }
}

/** Sorts the range along the widest axis of its centroids (no-op if they all coincide). Rare path. */
function medianOrder(qb: Int32Array, idx: Uint32Array, start: number, n: number): void {
  const cb = new Int32Array(6);
  gridBounds(qb, start, start + n, new Int32Array(6), 0, cb, 0);
  const ex = cb[3] - cb[0], ey = cb[4] - cb[1], ez = cb[5] - cb[2];
  if (ex <= 0 && ey <= 0 && ez <= 0) return;
  const a = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const key = (i: number): number => qb[(start + i) * 6 + a] + qb[(start + i) * 6 + a + 3];
  order.sort((p, q) => key(p) - key(q));
  permuteRange(qb, idx, start, n, order, new Uint32Array(n), new Int32Array(n * 6));
}

/** Grid box of qb[start, end) into box[b..b+6) and its centroid bounds into cbOut[c..c+6). */
export function gridBounds(
  qb: Int32Array, start: number, end: number, box: Int32Array, b: number, cbOut: Int32Array, c: number,
): void {
  let x0 = GRID_MAX, y0 = GRID_MAX, z0 = GRID_MAX, x1 = 0, y1 = 0, z1 = 0;
  let cx0 = GRID_MAX, cy0 = GRID_MAX, cz0 = GRID_MAX, cx1 = 0, cy1 = 0, cz1 = 0;
  for (let i = start; i < end; i++) {
    const p = i * 6;
    const a0 = qb[p], a1 = qb[p + 1], a2 = qb[p + 2], b0 = qb[p + 3], b1 = qb[p + 4], b2 = qb[p + 5];
    x0 = Math.min(x0, a0); y0 = Math.min(y0, a1); z0 = Math.min(z0, a2);
    x1 = Math.max(x1, b0); y1 = Math.max(y1, b1); z1 = Math.max(z1, b2);
    const sx = (a0 + b0) >> 1, sy = (a1 + b1) >> 1, sz = (a2 + b2) >> 1;
    cx0 = Math.min(cx0, sx); cy0 = Math.min(cy0, sy); cz0 = Math.min(cz0, sz);
    cx1 = Math.max(cx1, sx); cy1 = Math.max(cy1, sy); cz1 = Math.max(cz1, sz);
  }
  box[b] = x0; box[b + 1] = y0; box[b + 2] = z0; box[b + 3] = x1; box[b + 4] = y1; box[b + 5] = z1;
  cbOut[c] = cx0; cbOut[c + 1] = cy0; cbOut[c + 2] = cz0; cbOut[c + 3] = cx1; cbOut[c + 4] = cy1; cbOut[c + 5] = cz1;
}
