// Binned SAH for large BVH nodes (Wald 2007): each primitive's box goes into one of `bins` slots per axis by
// its centroid, and a sweep over the slots prices each candidate plane.
// Boxes are quantized to a 2^30 integer grid (see bvh-build.ts) so min/max are branchless integer ops:
//   min: d = v - m; m += d & (d >> 31)      max: d = m - v; m -= d & (d >> 31)
// (branchy float min/max mispredicts on nearly every update in small nodes, costing ~3x). Values stay below
// 2^30, so differences never overflow int32. Primitives are addressed by position: the builder keeps `qb`
// in the same order as the index array, so these loops stream through memory.

/** Most bins per axis. */
export const MAX_BINS = 32;
/** Largest grid coordinate; also the "empty" minimum. */
export const GRID_MAX = 0x3fffffff;

/** Reused per-build state: bins, the right-to-left sweep, and the winning plane. */
export class BinScratch {
  readonly binBox = new Int32Array(3 * MAX_BINS * 6); // per axis and bin: min xyz, max xyz
  readonly binCnt = new Int32Array(3 * MAX_BINS);
  readonly rightArea = new Float64Array(MAX_BINS);
  readonly rightCnt = new Int32Array(MAX_BINS);
  /** Bin index = floor((centroid - cb.min) * scale); 0 on axes where the centroids coincide. */
  readonly scale = new Float64Array(3);
  bins = 0;
  bestAxis = -1;
  bestBin = 0;
  /** Primitive count (weight) left of the winning plane. */
  bestLeftCount = 0;
  /** Sum over both children of count * half-area; Infinity when no plane separates the centroids. */
  bestCost = Infinity;
}

/**
 * Bins qb[start, end) against centroid bounds cb[0..6) and finds the cheapest plane on any axis.
 * `weights` (by position, or null for 1 each) are the primitive counts when the items are clusters.
 */
export function findBinnedSplit(
  qb: Int32Array, start: number, end: number, bins: number, cb: Int32Array, s: BinScratch, weights: Int32Array | null,
): void {
  s.bins = bins;
  s.bestAxis = -1;
  s.bestBin = 0;
  s.bestCost = Infinity;
  for (let a = 0; a < 3; a++) {
    const ext = cb[a + 3] - cb[a];
    s.scale[a] = ext > 0 ? (bins * (1 - 1e-6)) / ext : 0;
  }
  binPrimitives(qb, start, end, bins, cb, s.scale, s.binBox, s.binCnt, weights);
  for (let a = 0; a < 3; a++) if (s.scale[a] !== 0) evaluateAxis(a, s);
}

/** Accumulates each primitive's box into its bin on all three axes (the build's hot loop). */
function binPrimitives(
  qb: Int32Array, start: number, end: number, bins: number,
  cb: Int32Array, scale: Float64Array, binBox: Int32Array, binCnt: Int32Array, weights: Int32Array | null,
): void {
  for (let k = 0; k < 3 * bins; k++) {
    const b = k * 6;
    binBox[b] = GRID_MAX; binBox[b + 1] = GRID_MAX; binBox[b + 2] = GRID_MAX;
    binBox[b + 3] = 0; binBox[b + 4] = 0; binBox[b + 5] = 0;
    binCnt[k] = 0;
  }
  const cx = cb[0], cy = cb[1], cz = cb[2];
  const sx = scale[0], sy = scale[1], sz = scale[2];
  for (let i = start; i < end; i++) {
    const p = i * 6;
    const x0 = qb[p], y0 = qb[p + 1], z0 = qb[p + 2], x1 = qb[p + 3], y1 = qb[p + 4], z1 = qb[p + 5];
    const w = weights === null ? 1 : weights[i];
    addToBin(binBox, binCnt, ((((x0 + x1) >> 1) - cx) * sx) | 0, w, x0, y0, z0, x1, y1, z1);
    addToBin(binBox, binCnt, bins + (((((y0 + y1) >> 1) - cy) * sy) | 0), w, x0, y0, z0, x1, y1, z1);
    addToBin(binBox, binCnt, 2 * bins + (((((z0 + z1) >> 1) - cz) * sz) | 0), w, x0, y0, z0, x1, y1, z1);
  }
}

function addToBin(
  binBox: Int32Array, binCnt: Int32Array, k: number, w: number,
  x0: number, y0: number, z0: number, x1: number, y1: number, z1: number,
): void {
  binCnt[k] += w;
  const b = k * 6;
  let d = x0 - binBox[b]; binBox[b] += d & (d >> 31);
  d = y0 - binBox[b + 1]; binBox[b + 1] += d & (d >> 31);
  d = z0 - binBox[b + 2]; binBox[b + 2] += d & (d >> 31);
  d = binBox[b + 3] - x1; binBox[b + 3] -= d & (d >> 31);
  d = binBox[b + 4] - y1; binBox[b + 4] -= d & (d >> 31);
  d = binBox[b + 5] - z1; binBox[b + 5] -= d & (d >> 31);
}

/** Prices the bins-1 planes of one axis: right-to-left prefix areas, then left-to-right costs. */
function evaluateAxis(a: number, s: BinScratch): void {
  const { binBox, binCnt, rightArea, rightCnt, bins } = s;
  const base = a * bins;
  let x0 = GRID_MAX, y0 = GRID_MAX, z0 = GRID_MAX, x1 = 0, y1 = 0, z1 = 0, cnt = 0, d = 0;
  for (let k = bins - 1; k > 0; k--) {
    const b = (base + k) * 6;
    d = binBox[b] - x0; x0 += d & (d >> 31);
    d = binBox[b + 1] - y0; y0 += d & (d >> 31);
    d = binBox[b + 2] - z0; z0 += d & (d >> 31);
    d = x1 - binBox[b + 3]; x1 -= d & (d >> 31);
    d = y1 - binBox[b + 4]; y1 -= d & (d >> 31);
    d = z1 - binBox[b + 5]; z1 -= d & (d >> 31);
    cnt += binCnt[base + k];
    rightCnt[k] = cnt;
    const ex = x1 - x0, ey = y1 - y0, ez = z1 - z0;
    rightArea[k] = cnt > 0 ? ex * ey + ey * ez + ez * ex : 0;
  }
  x0 = GRID_MAX; y0 = GRID_MAX; z0 = GRID_MAX; x1 = 0; y1 = 0; z1 = 0; cnt = 0;
  for (let k = 0; k < bins - 1; k++) {
    const b = (base + k) * 6;
    d = binBox[b] - x0; x0 += d & (d >> 31);
    d = binBox[b + 1] - y0; y0 += d & (d >> 31);
    d = binBox[b + 2] - z0; z0 += d & (d >> 31);
    d = x1 - binBox[b + 3]; x1 -= d & (d >> 31);
    d = y1 - binBox[b + 4]; y1 -= d & (d >> 31);
    d = z1 - binBox[b + 5]; z1 -= d & (d >> 31);
    cnt += binCnt[base + k];
    if (cnt === 0 || rightCnt[k + 1] === 0) continue;
    const ex = x1 - x0, ey = y1 - y0, ez = z1 - z0;
    const cost = cnt * (ex * ey + ey * ez + ez * ex) + rightCnt[k + 1] * rightArea[k + 1];
    if (cost < s.bestCost) { s.bestCost = cost; s.bestAxis = a; s.bestBin = k + 1; s.bestLeftCount = cnt; }
  }
}

/** Grid boxes of the two children of the winning plane: out[0..6) left, out[6..12) right. */
export function binnedChildBoxes(s: BinScratch, out: Int32Array): void {
  const base = s.bestAxis * s.bins;
  unionBins(s.binBox, base, base + s.bestBin, out, 0);
  unionBins(s.binBox, base + s.bestBin, base + s.bins, out, 6);
}

function unionBins(binBox: Int32Array, from: number, to: number, out: Int32Array, o: number): void {
  let x0 = GRID_MAX, y0 = GRID_MAX, z0 = GRID_MAX, x1 = 0, y1 = 0, z1 = 0, d = 0;
  for (let k = from; k < to; k++) {
    const b = k * 6;
    d = binBox[b] - x0; x0 += d & (d >> 31);
    d = binBox[b + 1] - y0; y0 += d & (d >> 31);
    d = binBox[b + 2] - z0; z0 += d & (d >> 31);
    d = x1 - binBox[b + 3]; x1 -= d & (d >> 31);
    d = y1 - binBox[b + 4]; y1 -= d & (d >> 31);
    d = z1 - binBox[b + 5]; z1 -= d & (d >> 31);
  }
  out[o] = x0; out[o + 1] = y0; out[o + 2] = z0; out[o + 3] = x1; out[o + 4] = y1; out[o + 5] = z1;
}

/**
 * In-place partition of idx[start, end), the matching grid boxes and weights (if any) by bin index on the
 * winning axis (same arithmetic as binPrimitives, so the counts match). Reads the node's centroid bounds
 * from cb[0..6), writes the children's to cb[0..6) (left) and cb[6..12) (right), and returns the first
 * index of the right child.
 */
export function partitionBinned(
  qb: Int32Array, idx: Uint32Array, start: number, end: number, s: BinScratch, cb: Int32Array,
  weights: Int32Array | null,
): number {
  const axis = s.bestAxis, cmin = cb[axis], scale = s.scale[axis], splitBin = s.bestBin;
  let lx0 = GRID_MAX, ly0 = GRID_MAX, lz0 = GRID_MAX, lx1 = 0, ly1 = 0, lz1 = 0;
  let rx0 = GRID_MAX, ry0 = GRID_MAX, rz0 = GRID_MAX, rx1 = 0, ry1 = 0, rz1 = 0;
  let i = start, j = end - 1, d = 0;
  while (i <= j) {
    const p = i * 6;
    const x0 = qb[p], y0 = qb[p + 1], z0 = qb[p + 2], x1 = qb[p + 3], y1 = qb[p + 4], z1 = qb[p + 5];
    const cx = (x0 + x1) >> 1, cy = (y0 + y1) >> 1, cz = (z0 + z1) >> 1;
    const c = axis === 0 ? cx : axis === 1 ? cy : cz;
    if ((((c - cmin) * scale) | 0) < splitBin) {
      d = cx - lx0; lx0 += d & (d >> 31); d = lx1 - cx; lx1 -= d & (d >> 31);
      d = cy - ly0; ly0 += d & (d >> 31); d = ly1 - cy; ly1 -= d & (d >> 31);
      d = cz - lz0; lz0 += d & (d >> 31); d = lz1 - cz; lz1 -= d & (d >> 31);
      i++;
    } else {
      d = cx - rx0; rx0 += d & (d >> 31); d = rx1 - cx; rx1 -= d & (d >> 31);
      d = cy - ry0; ry0 += d & (d >> 31); d = ry1 - cy; ry1 -= d & (d >> 31);
      d = cz - rz0; rz0 += d & (d >> 31); d = rz1 - cz; rz1 -= d & (d >> 31);
      const q = j * 6;
      const id = idx[i]; idx[i] = idx[j]; idx[j] = id;
      qb[p] = qb[q]; qb[p + 1] = qb[q + 1]; qb[p + 2] = qb[q + 2];
      qb[p + 3] = qb[q + 3]; qb[p + 4] = qb[q + 4]; qb[p + 5] = qb[q + 5];
      qb[q] = x0; qb[q + 1] = y0; qb[q + 2] = z0; qb[q + 3] = x1; qb[q + 4] = y1; qb[q + 5] = z1;
      if (weights !== null) { const w = weights[i]; weights[i] = weights[j]; weights[j] = w; }
      j--;
    }
  }
  cb[0] = lx0; cb[1] = ly0; cb[2] = lz0; cb[3] = lx1; cb[4] = ly1; cb[5] = lz1;
  cb[6] = rx0; cb[7] = ry0; cb[8] = rz0; cb[9] = rx1; cb[10] = ry1; cb[11] = rz1;
  return i;
}
