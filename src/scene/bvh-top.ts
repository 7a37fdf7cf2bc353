// Top levels of a large BVH, built over clusters instead of primitives: primitives are sorted by the Morton
// code of their centroid (radix sort) and cut into octree-cell clusters of at most CLUSTER_MAX. Binned SAH
// then splits sets of clusters (a few % of the work of splitting primitives) until a node holds at most
// DISSOLVE_MAX primitives; that node's primitives are gathered into one contiguous range and the
// primitive-level builder (bvh-range.ts) takes over. Near the leaves, where split placement matters,
// every decision is still made per primitive.
import { BinScratch, GRID_MAX, MAX_BINS, findBinnedSplit, partitionBinned } from './bvh-bins.ts';
import { BVH_MAX_DEPTH, NODE_WORDS, RangeBuilder, ceilLog2, gridBounds } from './bvh-range.ts';

export const CLUSTER_MAX = 16;
export const DISSOLVE_MAX = 256;
/** Top task: node, first item, item end, depth, primitive count, item centroid bounds (6). */
const TASK = 11;

/** Primitive order by 30-bit Morton code of the grid centroids (LSD radix sort, 3 passes of 10 bits). */
function mortonOrder(qb: Int32Array, count: number): { order: Uint32Array; codes: Uint32Array } {
  let keys = new Uint32Array(count);
  let order = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const p = i * 6;
    keys[i] = (spread10(((qb[p] + qb[p + 3]) >> 1) >>> 20) << 2) |
      (spread10(((qb[p + 1] + qb[p + 4]) >> 1) >>> 20) << 1) | spread10(((qb[p + 2] + qb[p + 5]) >> 1) >>> 20);
    order[i] = i;
  }
  let keys2 = new Uint32Array(count);
  let order2 = new Uint32Array(count);
  const hist = new Uint32Array(1024);
  for (let shift = 0; shift < 30; shift += 10) {
    hist.fill(0);
    for (let i = 0; i < count; i++) hist[(keys[i] >>> shift) & 1023]++;
    let sum = 0;
    for (let b = 0; b < 1024; b++) { const h = hist[b]; hist[b] = sum; sum += h; }
    for (let i = 0; i < count; i++) {
      const k = keys[i];
      const dst = hist[(k >>> shift) & 1023]++;
      keys2[dst] = k;
      order2[dst] = order[i];
    }
    [keys, keys2] = [keys2, keys];
    [order, order2] = [order2, order];
  }
  return { order, codes: keys };
}

/** Spreads the low 10 bits of v to every third bit. */
function spread10(v: number): number {
  v &= 0x3ff;
  v = (v | (v << 16)) & 0x030000ff;
  v = (v | (v << 8)) & 0x0300f00f;
  v = (v | (v << 4)) & 0x030c30c3;
  v = (v | (v << 2)) & 0x09249249;
  return v;
}

/**
 * Builds the whole tree into rb (whose qb/idx receive the final primitive order) from grid boxes `qb` in
 * original order. Root is node 0.
 */
export function buildClustered(qb: Int32Array, count: number, rb: RangeBuilder): void {
  const { order, codes } = mortonOrder(qb, count);
  const clusters = makeClusters(codes, count);
  const k = clusters.length >> 1;
  // Cluster items, in item order (the partition moves them together): grid box, primitive count, and id
  // (whose Morton range is clusters[2 id], clusters[2 id + 1]).
  const cBox = new Int32Array(k * 6);
  const cCount = new Int32Array(k);
  const cId = new Uint32Array(k);
  for (let c = 0; c < k; c++) {
    const first = clusters[2 * c], n = clusters[2 * c + 1];
    cCount[c] = n; cId[c] = c;
    let x0 = GRID_MAX, y0 = GRID_MAX, z0 = GRID_MAX, x1 = 0, y1 = 0, z1 = 0, d = 0;
    for (let i = first; i < first + n; i++) {
      const p = order[i] * 6;
      d = qb[p] - x0; x0 += d & (d >> 31);
      d = qb[p + 1] - y0; y0 += d & (d >> 31);
      d = qb[p + 2] - z0; z0 += d & (d >> 31);
      d = x1 - qb[p + 3]; x1 -= d & (d >> 31);
      d = y1 - qb[p + 4]; y1 -= d & (d >> 31);
      d = z1 - qb[p + 5]; z1 -= d & (d >> 31);
    }
    const o = c * 6;
    cBox[o] = x0; cBox[o + 1] = y0; cBox[o + 2] = z0; cBox[o + 3] = x1; cBox[o + 4] = y1; cBox[o + 5] = z1;
  }

  const bins = new BinScratch();
  const cb = new Int32Array(12);
  const stack = new Int32Array((2 * BVH_MAX_DEPTH + 16) * TASK);
  const { qb: outQb, idx: outIdx } = rb;
  let cursor = 0; // next free slot of the final primitive order

  stack[0] = 0; stack[1] = 0; stack[2] = k; stack[3] = 0; stack[4] = count;
  gridBounds(cBox, 0, k, cb, 0, stack, 5);
  let sp = 1;
  while (sp > 0) {
    sp--;
    const t = sp * TASK;
    const node = stack[t], first = stack[t + 1], end = stack[t + 2], depth = stack[t + 3], prims = stack[t + 4];
    bins.bestAxis = -1;
    if (end - first > 1 && prims > DISSOLVE_MAX && depth + ceilLog2(prims) < BVH_MAX_DEPTH) {
      for (let c = 0; c < 6; c++) cb[c] = stack[t + 5 + c];
      findBinnedSplit(cBox, first, end, MAX_BINS, cb, bins, cCount);
    }
    if (bins.bestAxis < 0) {
      // Dissolve: gather this node's clusters into one range and build it per primitive.
      const start = cursor;
      for (let i = first; i < end; i++) {
        const c = cId[i];
        const from = clusters[2 * c], to = from + clusters[2 * c + 1];
        for (let q = from; q < to; q++, cursor++) {
          const prim = order[q], s = prim * 6, w = cursor * 6;
          outIdx[cursor] = prim;
          outQb[w] = qb[s]; outQb[w + 1] = qb[s + 1]; outQb[w + 2] = qb[s + 2];
          outQb[w + 3] = qb[s + 3]; outQb[w + 4] = qb[s + 4]; outQb[w + 5] = qb[s + 5];
        }
      }
      rb.build(node, start, cursor, depth);
      continue;
    }
    const leftPrims = bins.bestLeftCount;
    const mid = partitionBinned(cBox, cId, first, end, bins, cb, cCount);
    const left = rb.allocPair();
    rb.nu[node * NODE_WORDS + 3] = left;
    rb.nu[node * NODE_WORDS + 7] = 0;
    const r = t, l = t + TASK;
    stack[r] = left + 1; stack[r + 1] = mid; stack[r + 2] = end; stack[r + 3] = depth + 1; stack[r + 4] = prims - leftPrims;
    stack[l] = left; stack[l + 1] = first; stack[l + 2] = mid; stack[l + 3] = depth + 1; stack[l + 4] = leftPrims;
    for (let c = 0; c < 6; c++) { stack[l + 5 + c] = cb[c]; stack[r + 5 + c] = cb[6 + c]; }
    sp += 2;
  }
}

/** Cuts the Morton-sorted range into octree-cell runs of at most CLUSTER_MAX: (first, count) pairs. */
function makeClusters(codes: Uint32Array, count: number): Uint32Array {
  const out: number[] = [];
  const stack: number[] = [0, count];
  while (stack.length) {
    const end = stack.pop()!, start = stack.pop()!;
    if (end - start <= CLUSTER_MAX) { out.push(start, end - start); continue; }
    const diff = codes[start] ^ codes[end - 1];
    let mid: number;
    if (diff === 0) {
      mid = (start + end) >> 1; // identical codes: any cut is as good
    } else {
      // First element with the highest differing bit set (the codes agree above it).
      const bit = 1 << (31 - Math.clz32(diff));
      let lo = start, hi = end - 1;
      while (lo < hi) { const m = (lo + hi) >> 1; if (codes[m] & bit) hi = m; else lo = m + 1; }
      mid = lo;
    }
    stack.push(mid, end, start, mid); // left popped first: clusters come out in Morton order
  }
  return Uint32Array.from(out);
}
