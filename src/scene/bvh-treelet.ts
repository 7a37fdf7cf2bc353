// Optimal SAH subtree for a handful of primitives by dynamic programming over subsets (as in Karras & Aila
// 2013's treelet optimisation): cost(S) = min(|S| A(S) as a leaf, A(S) + min over splits L|R of
// cost(L) + cost(R)). Most nodes of a SAH tree have five primitives or fewer below them, so solving those
// subtrees in one step (and optimally) saves most of the top-down driver's per-node work.
export const TREELET_MAX = 5;
const SUBSETS = 1 << TREELET_MAX;
const POPCOUNT = new Uint8Array(SUBSETS).map((_, m) => (m.toString(2).match(/1/g) ?? []).length);

export class TreeletScratch {
  readonly box = new Int32Array(SUBSETS * 6);
  readonly area = new Float64Array(SUBSETS);
  readonly cost = new Float64Array(SUBSETS);
  /** Left subset of the best split of each subset; 0 = leaf. */
  readonly split = new Int32Array(SUBSETS);
  readonly order = new Int32Array(TREELET_MAX);
  readonly stack = new Int32Array(4 * TREELET_MAX);
  readonly tmpIdx = new Uint32Array(TREELET_MAX);
  readonly tmpBoxes = new Int32Array(TREELET_MAX * 6);
}

/** Fills cost/split for every subset of qb[start, start + n). Returns the cost of the whole set. */
export function solveTreelet(qb: Int32Array, start: number, n: number, maxLeafSize: number, s: TreeletScratch): number {
  const { box, area, cost, split } = s;
  const full = (1 << n) - 1;
  let d = 0;
  for (let m = 1; m <= full; m++) {
    const low = m & -m;
    const p = (start + 31 - Math.clz32(low)) * 6;
    let x0 = qb[p], y0 = qb[p + 1], z0 = qb[p + 2], x1 = qb[p + 3], y1 = qb[p + 4], z1 = qb[p + 5];
    const rest = m ^ low;
    if (rest !== 0) {
      const r = rest * 6;
      d = box[r] - x0; x0 += d & (d >> 31);
      d = box[r + 1] - y0; y0 += d & (d >> 31);
      d = box[r + 2] - z0; z0 += d & (d >> 31);
      d = x1 - box[r + 3]; x1 -= d & (d >> 31);
      d = y1 - box[r + 4]; y1 -= d & (d >> 31);
      d = z1 - box[r + 5]; z1 -= d & (d >> 31);
    }
    const o = m * 6;
    box[o] = x0; box[o + 1] = y0; box[o + 2] = z0; box[o + 3] = x1; box[o + 4] = y1; box[o + 5] = z1;
    const ex = x1 - x0, ey = y1 - y0, ez = z1 - z0;
    const a = ex * ey + ey * ez + ez * ex;
    area[m] = a;
    // Submasks are smaller than m, so their costs are final. L always holds m's lowest primitive.
    let best = POPCOUNT[m] <= maxLeafSize ? POPCOUNT[m] * a : Infinity, bestL = 0;
    if (rest !== 0) {
      // Every proper submask of rest, largest first, down to 0.
      for (let sub = (rest - 1) & rest; ; sub = (sub - 1) & rest) {
        const l = low | sub;
        const c = a + cost[l] + cost[m ^ l];
        if (c < best) { best = c; bestL = l; }
        if (sub === 0) break;
      }
    }
    cost[m] = best;
    split[m] = bestL;
  }
  return cost[full];
}

/** Offsets (into the range) of the primitives in subset m, in increasing order, written to out[o..]. */
function members(m: number, out: Int32Array, o: number): number {
  while (m !== 0) {
    out[o++] = 31 - Math.clz32(m & -m);
    m &= m - 1;
  }
  return o;
}

/**
 * Writes the solved subtree under `node` (already allocated) for slots [start, start + n): allocates
 * children with allocPair, fills nu, and reorders idx/qb so every subtree is contiguous.
 */
export function emitTreelet(
  qb: Int32Array, idx: Uint32Array, nu: Uint32Array, start: number, n: number, node: number,
  allocPair: () => number, s: TreeletScratch,
): void {
  const { split, order, stack } = s;
  let sp = 0, cursor = 0;
  stack[sp++] = (1 << n) - 1; stack[sp++] = node;
  while (sp > 0) {
    const nd = stack[--sp], m = stack[--sp];
    const o = nd * 8;
    const l = split[m];
    if (l === 0) {
      nu[o + 3] = start + cursor; nu[o + 7] = POPCOUNT[m];
      cursor = members(m, order, cursor);
    } else {
      const left = allocPair();
      nu[o + 3] = left; nu[o + 7] = 0;
      stack[sp++] = m ^ l; stack[sp++] = left + 1; // right, popped after the whole left subtree
      stack[sp++] = l; stack[sp++] = left;
    }
  }
  // Rearrange the range into emission order.
  for (let i = 0; i < n; i++) { s.tmpIdx[i] = idx[start + i]; }
  for (let i = 0; i < n * 6; i++) s.tmpBoxes[i] = qb[start * 6 + i];
  for (let i = 0; i < n; i++) {
    const f = order[i];
    idx[start + i] = s.tmpIdx[f];
    for (let c = 0; c < 6; c++) qb[(start + i) * 6 + c] = s.tmpBoxes[f * 6 + c];
  }
}
