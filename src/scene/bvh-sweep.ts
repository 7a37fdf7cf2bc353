// Exact sweep SAH for small BVH nodes: sort the few primitives by centroid on each axis and price every
// split between neighbours. Small nodes are most of the tree, and for them this is both cheaper than
// binning (no bins to clear or sweep) and better (every object split along each axis is considered).

/** Largest node handled by the sweep. */
export const SWEEP_MAX = 16;

export class SweepScratch {
  readonly keys = new Float64Array(SWEEP_MAX);
  readonly order = new Int32Array(SWEEP_MAX);
  readonly bestOrder = new Int32Array(SWEEP_MAX);
  readonly rightArea = new Float64Array(SWEEP_MAX);
  readonly tmpIdx = new Uint32Array(SWEEP_MAX);
  readonly tmpBoxes = new Float32Array(SWEEP_MAX * 6);
  /** Sum over both children of count * half-area. */
  bestCost = Infinity;
  /** Primitives (in bestOrder) that go to the left child. */
  bestSplit = 0;
}

/** Finds the cheapest split of boxes[start, start + n) (2 <= n <= SWEEP_MAX) into s.bestOrder/bestSplit. */
export function findSweepSplit(boxes: Float32Array, start: number, n: number, s: SweepScratch): void {
  const { keys, order, rightArea } = s;
  s.bestCost = Infinity;
  s.bestSplit = 0;
  for (let a = 0; a < 3; a++) {
    for (let i = 0; i < n; i++) {
      const p = (start + i) * 6 + a;
      keys[i] = boxes[p] + boxes[p + 3];
      order[i] = i;
    }
    // Insertion sort: n is tiny and the input is often nearly sorted already.
    for (let i = 1; i < n; i++) {
      const v = order[i], k = keys[v];
      let j = i - 1;
      while (j >= 0 && keys[order[j]] > k) { order[j + 1] = order[j]; j--; }
      order[j + 1] = v;
    }
    let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
    for (let i = n - 1; i > 0; i--) {
      const p = (start + order[i]) * 6;
      if (boxes[p] < x0) x0 = boxes[p];
      if (boxes[p + 1] < y0) y0 = boxes[p + 1];
      if (boxes[p + 2] < z0) z0 = boxes[p + 2];
      if (boxes[p + 3] > x1) x1 = boxes[p + 3];
      if (boxes[p + 4] > y1) y1 = boxes[p + 4];
      if (boxes[p + 5] > z1) z1 = boxes[p + 5];
      const ex = x1 - x0, ey = y1 - y0, ez = z1 - z0;
      rightArea[i] = ex * ey + ey * ez + ez * ex;
    }
    x0 = Infinity; y0 = Infinity; z0 = Infinity; x1 = -Infinity; y1 = -Infinity; z1 = -Infinity;
    let axisBest = Infinity, axisSplit = 0;
    for (let i = 0; i < n - 1; i++) {
      const p = (start + order[i]) * 6;
      if (boxes[p] < x0) x0 = boxes[p];
      if (boxes[p + 1] < y0) y0 = boxes[p + 1];
      if (boxes[p + 2] < z0) z0 = boxes[p + 2];
      if (boxes[p + 3] > x1) x1 = boxes[p + 3];
      if (boxes[p + 4] > y1) y1 = boxes[p + 4];
      if (boxes[p + 5] > z1) z1 = boxes[p + 5];
      const ex = x1 - x0, ey = y1 - y0, ez = z1 - z0;
      const cost = (i + 1) * (ex * ey + ey * ez + ez * ex) + (n - 1 - i) * rightArea[i + 1];
      if (cost < axisBest) { axisBest = cost; axisSplit = i + 1; }
    }
    if (axisBest < s.bestCost) {
      s.bestCost = axisBest;
      s.bestSplit = axisSplit;
      for (let i = 0; i < n; i++) s.bestOrder[i] = order[i];
    }
  }
}

/**
 * Rearranges idx[start, start + n) and the matching boxes so that position i holds what was at
 * start + order[i]. tmpIdx/tmpBoxes must hold n entries.
 */
export function permuteRange(
  boxes: Float32Array, idx: Uint32Array, start: number, n: number, order: ArrayLike<number>,
  tmpIdx: Uint32Array, tmpBoxes: Float32Array,
): void {
  tmpIdx.set(idx.subarray(start, start + n));
  tmpBoxes.set(boxes.subarray(start * 6, (start + n) * 6));
  for (let i = 0; i < n; i++) {
    const from = order[i];
    idx[start + i] = tmpIdx[from];
    const d = (start + i) * 6, f = from * 6;
    boxes[d] = tmpBoxes[f]; boxes[d + 1] = tmpBoxes[f + 1]; boxes[d + 2] = tmpBoxes[f + 2];
    boxes[d + 3] = tmpBoxes[f + 3]; boxes[d + 4] = tmpBoxes[f + 4]; boxes[d + 5] = tmpBoxes[f + 5];
  }
}
