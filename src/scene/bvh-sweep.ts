// Split search for small BVH nodes (sweep SAH): sort the primitives by centroid along the widest centroid
// axis and price every split between neighbours. At this size that is cheaper than binning (no bins to
// clear or sweep); sweeping the other two axes as well would improve the tree's SAH cost by only ~0.5%
// for ~15% more build time. Boxes are integer grid boxes with branchless min/max, as in bvh-bins.ts.
import { GRID_MAX } from './bvh-bins.ts';

/** Largest node handled here; larger nodes are binned. At most 16: offsets are packed into 4 bits. */
export const SWEEP_MAX = 16;

export class SmallSplitScratch {
  readonly keys = new Int32Array(SWEEP_MAX);
  readonly rightArea = new Float64Array(SWEEP_MAX);
  readonly tmpIdx = new Uint32Array(SWEEP_MAX);
  readonly tmpBoxes = new Int32Array(SWEEP_MAX * 6);
  /** Winning arrangement: bestOrder[i] is the range offset placed at position i; the first bestSplit go left. */
  readonly bestOrder = new Int32Array(SWEEP_MAX);
  bestSplit = 0;
  /** Sum over both children of count * half-area. */
  bestCost = Infinity;
  /** Grid boxes of the winning children: [0..6) left, [6..12) right. */
  readonly bestBox = new Int32Array(12);
}

/** Finds the cheapest split of qb[start, start + n), 2 <= n <= SWEEP_MAX. */
export function findSmallSplit(qb: Int32Array, start: number, n: number, s: SmallSplitScratch): void {
  const { keys, rightArea, bestOrder } = s;
  let d = 0;
  let cx0 = GRID_MAX, cy0 = GRID_MAX, cz0 = GRID_MAX, cx1 = 0, cy1 = 0, cz1 = 0;
  for (let i = 0; i < n; i++) {
    const p = (start + i) * 6;
    const cx = (qb[p] + qb[p + 3]) >> 1, cy = (qb[p + 1] + qb[p + 4]) >> 1, cz = (qb[p + 2] + qb[p + 5]) >> 1;
    d = cx - cx0; cx0 += d & (d >> 31); d = cx1 - cx; cx1 -= d & (d >> 31);
    d = cy - cy0; cy0 += d & (d >> 31); d = cy1 - cy; cy1 -= d & (d >> 31);
    d = cz - cz0; cz0 += d & (d >> 31); d = cz1 - cz; cz1 -= d & (d >> 31);
  }
  const ex = cx1 - cx0, ey = cy1 - cy0, ez = cz1 - cz0;
  const a = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;

  // Insertion sort of (centroid, offset) pairs packed into one int: the centroid's top 26 bits, then the
  // offset. n is tiny and the input often nearly sorted.
  for (let i = 0; i < n; i++) {
    const p = (start + i) * 6 + a;
    const v = (((qb[p] + qb[p + 3]) >> 5) << 4) | i;
    let j = i - 1;
    while (j >= 0 && keys[j] > v) { keys[j + 1] = keys[j]; j--; }
    keys[j + 1] = v;
  }
  for (let i = 0; i < n; i++) bestOrder[i] = keys[i] & 15;

  // Right-to-left: area of each suffix. Left-to-right: price each split.
  let x0 = GRID_MAX, y0 = GRID_MAX, z0 = GRID_MAX, x1 = 0, y1 = 0, z1 = 0;
  for (let i = n - 1; i > 0; i--) {
    const p = (start + bestOrder[i]) * 6;
    d = qb[p] - x0; x0 += d & (d >> 31);
    d = qb[p + 1] - y0; y0 += d & (d >> 31);
    d = qb[p + 2] - z0; z0 += d & (d >> 31);
    d = x1 - qb[p + 3]; x1 -= d & (d >> 31);
    d = y1 - qb[p + 4]; y1 -= d & (d >> 31);
    d = z1 - qb[p + 5]; z1 -= d & (d >> 31);
    const ex = x1 - x0, ey = y1 - y0, ez = z1 - z0;
    rightArea[i] = ex * ey + ey * ez + ez * ex;
  }
  x0 = GRID_MAX; y0 = GRID_MAX; z0 = GRID_MAX; x1 = 0; y1 = 0; z1 = 0;
  let bestCost = Infinity, bestSplit = 1;
  for (let i = 0; i < n - 1; i++) {
    const p = (start + bestOrder[i]) * 6;
    d = qb[p] - x0; x0 += d & (d >> 31);
    d = qb[p + 1] - y0; y0 += d & (d >> 31);
    d = qb[p + 2] - z0; z0 += d & (d >> 31);
    d = x1 - qb[p + 3]; x1 -= d & (d >> 31);
    d = y1 - qb[p + 4]; y1 -= d & (d >> 31);
    d = z1 - qb[p + 5]; z1 -= d & (d >> 31);
    const ex = x1 - x0, ey = y1 - y0, ez = z1 - z0;
    const cost = (i + 1) * (ex * ey + ey * ez + ez * ex) + (n - 1 - i) * rightArea[i + 1];
    if (cost < bestCost) { bestCost = cost; bestSplit = i + 1; }
  }
  s.bestCost = bestCost;
  s.bestSplit = bestSplit;
  unionOf(qb, start, bestOrder, 0, bestSplit, s.bestBox, 0);
  unionOf(qb, start, bestOrder, bestSplit, n, s.bestBox, 6);
}

/** Grid box of the primitives start + order[from..to) into out[o..o+6). */
function unionOf(qb: Int32Array, start: number, order: Int32Array, from: number, to: number, out: Int32Array, o: number): void {
  let x0 = GRID_MAX, y0 = GRID_MAX, z0 = GRID_MAX, x1 = 0, y1 = 0, z1 = 0, d = 0;
  for (let i = from; i < to; i++) {
    const p = (start + order[i]) * 6;
    d = qb[p] - x0; x0 += d & (d >> 31);
    d = qb[p + 1] - y0; y0 += d & (d >> 31);
    d = qb[p + 2] - z0; z0 += d & (d >> 31);
    d = x1 - qb[p + 3]; x1 -= d & (d >> 31);
    d = y1 - qb[p + 4]; y1 -= d & (d >> 31);
    d = z1 - qb[p + 5]; z1 -= d & (d >> 31);
  }
  out[o] = x0; out[o + 1] = y0; out[o + 2] = z0; out[o + 3] = x1; out[o + 4] = y1; out[o + 5] = z1;
}

/**
 * Rearranges idx[start, start + n) and the matching grid boxes so that position i holds what was at
 * start + order[i]. tmpIdx/tmpBoxes must hold n entries.
 */
export function permuteRange(
  qb: Int32Array, idx: Uint32Array, start: number, n: number, order: ArrayLike<number>,
  tmpIdx: Uint32Array, tmpBoxes: Int32Array,
): void {
  for (let i = 0; i < n; i++) tmpIdx[i] = idx[start + i];
  for (let i = 0; i < n * 6; i++) tmpBoxes[i] = qb[start * 6 + i];
  for (let i = 0; i < n; i++) {
    const from = order[i];
    idx[start + i] = tmpIdx[from];
    const d = (start + i) * 6, f = from * 6;
    qb[d] = tmpBoxes[f]; qb[d + 1] = tmpBoxes[f + 1]; qb[d + 2] = tmpBoxes[f + 2];
    qb[d + 3] = tmpBoxes[f + 3]; qb[d + 4] = tmpBoxes[f + 4]; qb[d + 5] = tmpBoxes[f + 5];
  }
}
