// Binned SAH for large BVH nodes (Wald 2007): every primitive's box goes into one of `bins` slots per axis
// by its centroid; a sweep over the slots prices each candidate plane. Primitives are addressed by position
// (the builder keeps `boxes` in the same order as the index array), so these loops stream through memory.

/** Most bins per axis. */
export const MAX_BINS = 32;

/** Reused per-build state: bins, the right-to-left sweep, and the winning plane. */
export class BinScratch {
  readonly binBox = new Float64Array(3 * MAX_BINS * 6); // per axis and bin: min xyz, max xyz
  readonly binCnt = new Int32Array(3 * MAX_BINS);
  readonly rightArea = new Float64Array(MAX_BINS);
  readonly rightCnt = new Int32Array(MAX_BINS);
  /** Bin index = floor((centroid - cb.min) * scale); 0 on axes where the centroids coincide. */
  readonly scale = new Float64Array(3);
  bins = 0;
  bestAxis = -1;
  bestBin = 0;
  /** Sum over both children of count * half-area; Infinity when no plane separates the centroids. */
  bestCost = Infinity;
}

/**
 * Bins boxes[start, end) against centroid bounds cb[0..6) (in centroid-times-two units) and finds the
 * cheapest plane. Nodes below `allAxesMin` primitives are binned on their widest centroid axis only.
 */
export function findBinnedSplit(
  boxes: Float32Array, start: number, end: number, bins: number, cb: Float64Array, allAxesMin: number, s: BinScratch,
): void {
  s.bins = bins;
  s.bestAxis = -1;
  s.bestBin = 0;
  s.bestCost = Infinity;
  for (let a = 0; a < 3; a++) {
    const ext = cb[a + 3] - cb[a];
    s.scale[a] = ext > 0 ? (bins * (1 - 1e-6)) / ext : 0;
  }
  if (end - start >= allAxesMin) {
    binPrimitives(boxes, start, end, bins, cb, s.scale, s.binBox, s.binCnt);
  } else {
    const ex = cb[3] - cb[0], ey = cb[4] - cb[1], ez = cb[5] - cb[2];
    const a = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
    for (let b = 0; b < 3; b++) if (b !== a) s.scale[b] = 0;
    binOneAxis(boxes, start, end, bins, a, cb[a], s.scale[a], s.binBox, s.binCnt);
  }
  for (let a = 0; a < 3; a++) if (s.scale[a] !== 0) evaluateAxis(a, s);
}

/** Prices the bins-1 planes of one axis: right-to-left prefix areas, then left-to-right costs. */
function evaluateAxis(a: number, s: BinScratch): void {
  const { binBox, binCnt, rightArea, rightCnt, bins } = s;
  const base = a * bins;
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity, cnt = 0;
  for (let k = bins - 1; k > 0; k--) {
    const b = (base + k) * 6;
    if (binBox[b] < x0) x0 = binBox[b];
    if (binBox[b + 1] < y0) y0 = binBox[b + 1];
    if (binBox[b + 2] < z0) z0 = binBox[b + 2];
    if (binBox[b + 3] > x1) x1 = binBox[b + 3];
    if (binBox[b + 4] > y1) y1 = binBox[b + 4];
    if (binBox[b + 5] > z1) z1 = binBox[b + 5];
    cnt += binCnt[base + k];
    rightCnt[k] = cnt;
    const ex = x1 - x0, ey = y1 - y0, ez = z1 - z0;
    rightArea[k] = cnt > 0 ? ex * ey + ey * ez + ez * ex : 0;
  }
  x0 = Infinity; y0 = Infinity; z0 = Infinity; x1 = -Infinity; y1 = -Infinity; z1 = -Infinity; cnt = 0;
  for (let k = 0; k < bins - 1; k++) {
    const b = (base + k) * 6;
    if (binBox[b] < x0) x0 = binBox[b];
    if (binBox[b + 1] < y0) y0 = binBox[b + 1];
    if (binBox[b + 2] < z0) z0 = binBox[b + 2];
    if (binBox[b + 3] > x1) x1 = binBox[b + 3];
    if (binBox[b + 4] > y1) y1 = binBox[b + 4];
    if (binBox[b + 5] > z1) z1 = binBox[b + 5];
    cnt += binCnt[base + k];
    if (cnt === 0 || rightCnt[k + 1] === 0) continue;
    const ex = x1 - x0, ey = y1 - y0, ez = z1 - z0;
    const cost = cnt * (ex * ey + ey * ez + ez * ex) + rightCnt[k + 1] * rightArea[k + 1];
    if (cost < s.bestCost) { s.bestCost = cost; s.bestAxis = a; s.bestBin = k + 1; }
  }
}

/** Boxes of the two children of the winning plane: out[0..6) left, out[6..12) right (min xyz, max xyz). */
export function binnedChildBoxes(s: BinScratch, out: Float64Array): void {
  const base = s.bestAxis * s.bins;
  unionBins(s.binBox, base, base + s.bestBin, out, 0);
  unionBins(s.binBox, base + s.bestBin, base + s.bins, out, 6);
}

/** Accumulates each primitive's box into its bin on all three axes (the build's hot loop). */
function binPrimitives(
  boxes: Float32Array, start: number, end: number, bins: number,
  cb: Float64Array, scale: Float64Array, binBox: Float64Array, binCnt: Int32Array,
): void {
  for (let k = 0; k < 3 * bins; k++) {
    const b = k * 6;
    binBox[b] = Infinity; binBox[b + 1] = Infinity; binBox[b + 2] = Infinity;
    binBox[b + 3] = -Infinity; binBox[b + 4] = -Infinity; binBox[b + 5] = -Infinity;
    binCnt[k] = 0;
  }
  const cx = cb[0], cy = cb[1], cz = cb[2];
  const sx = scale[0], sy = scale[1], sz = scale[2];
  for (let i = start; i < end; i++) {
    const p = i * 6;
    const x0 = boxes[p], y0 = boxes[p + 1], z0 = boxes[p + 2];
    const x1 = boxes[p + 3], y1 = boxes[p + 4], z1 = boxes[p + 5];
    let k = ((x0 + x1 - cx) * sx) | 0;
    binCnt[k]++;
    let b = k * 6;
    if (x0 < binBox[b]) binBox[b] = x0;
    if (y0 < binBox[b + 1]) binBox[b + 1] = y0;
    if (z0 < binBox[b + 2]) binBox[b + 2] = z0;
    if (x1 > binBox[b + 3]) binBox[b + 3] = x1;
    if (y1 > binBox[b + 4]) binBox[b + 4] = y1;
    if (z1 > binBox[b + 5]) binBox[b + 5] = z1;
    k = bins + (((y0 + y1 - cy) * sy) | 0);
    binCnt[k]++;
    b = k * 6;
    if (x0 < binBox[b]) binBox[b] = x0;
    if (y0 < binBox[b + 1]) binBox[b + 1] = y0;
    if (z0 < binBox[b + 2]) binBox[b + 2] = z0;
    if (x1 > binBox[b + 3]) binBox[b + 3] = x1;
    if (y1 > binBox[b + 4]) binBox[b + 4] = y1;
    if (z1 > binBox[b + 5]) binBox[b + 5] = z1;
    k = 2 * bins + (((z0 + z1 - cz) * sz) | 0);
    binCnt[k]++;
    b = k * 6;
    if (x0 < binBox[b]) binBox[b] = x0;
    if (y0 < binBox[b + 1]) binBox[b + 1] = y0;
    if (z0 < binBox[b + 2]) binBox[b + 2] = z0;
    if (x1 > binBox[b + 3]) binBox[b + 3] = x1;
    if (y1 > binBox[b + 4]) binBox[b + 4] = y1;
    if (z1 > binBox[b + 5]) binBox[b + 5] = z1;
  }
}

/** binPrimitives restricted to one axis (small nodes, where the other two rarely win). */
function binOneAxis(
  boxes: Float32Array, start: number, end: number, bins: number,
  axis: number, cmin: number, scale: number, binBox: Float64Array, binCnt: Int32Array,
): void {
  const base = axis * bins;
  for (let k = base; k < base + bins; k++) {
    const b = k * 6;
    binBox[b] = Infinity; binBox[b + 1] = Infinity; binBox[b + 2] = Infinity;
    binBox[b + 3] = -Infinity; binBox[b + 4] = -Infinity; binBox[b + 5] = -Infinity;
    binCnt[k] = 0;
  }
  for (let i = start; i < end; i++) {
    const p = i * 6;
    const x0 = boxes[p], y0 = boxes[p + 1], z0 = boxes[p + 2];
    const x1 = boxes[p + 3], y1 = boxes[p + 4], z1 = boxes[p + 5];
    const k = base + (((boxes[p + axis] + boxes[p + 3 + axis] - cmin) * scale) | 0);
    binCnt[k]++;
    const b = k * 6;
    if (x0 < binBox[b]) binBox[b] = x0;
    if (y0 < binBox[b + 1]) binBox[b + 1] = y0;
    if (z0 < binBox[b + 2]) binBox[b + 2] = z0;
    if (x1 > binBox[b + 3]) binBox[b + 3] = x1;
    if (y1 > binBox[b + 4]) binBox[b + 4] = y1;
    if (z1 > binBox[b + 5]) binBox[b + 5] = z1;
  }
}

/** Union of bins [from, to) into out[o..o+6). */
function unionBins(binBox: Float64Array, from: number, to: number, out: Float64Array, o: number): void {
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let k = from; k < to; k++) {
    const b = k * 6;
    if (binBox[b] < x0) x0 = binBox[b];
    if (binBox[b + 1] < y0) y0 = binBox[b + 1];
    if (binBox[b + 2] < z0) z0 = binBox[b + 2];
    if (binBox[b + 3] > x1) x1 = binBox[b + 3];
    if (binBox[b + 4] > y1) y1 = binBox[b + 4];
    if (binBox[b + 5] > z1) z1 = binBox[b + 5];
  }
  out[o] = x0; out[o + 1] = y0; out[o + 2] = z0; out[o + 3] = x1; out[o + 4] = y1; out[o + 5] = z1;
}

/**
 * In-place partition of idx[start, end) and the matching boxes by bin index on `axis` (same arithmetic as binPrimitives, so the
 * counts match). Reads the node's centroid bounds from cb[0..6) and writes the children's to cb[0..6) (left) and cb[6..12)
 * (right). Returns the first index of the right child.
 */
export function partitionBinned(
  boxes: Float32Array, idx: Uint32Array, start: number, end: number, s: BinScratch, cb: Float64Array,
): number {
  const axis = s.bestAxis, cmin = cb[axis], scale = s.scale[axis], splitBin = s.bestBin;
  let lx0 = Infinity, ly0 = Infinity, lz0 = Infinity, lx1 = -Infinity, ly1 = -Infinity, lz1 = -Infinity;
  let rx0 = Infinity, ry0 = Infinity, rz0 = Infinity, rx1 = -Infinity, ry1 = -Infinity, rz1 = -Infinity;
  let i = start, j = end - 1;
  while (i <= j) {
    const p = i * 6;
    const cx = boxes[p] + boxes[p + 3], cy = boxes[p + 1] + boxes[p + 4], cz = boxes[p + 2] + boxes[p + 5];
    const c = axis === 0 ? cx : axis === 1 ? cy : cz;
    if ((((c - cmin) * scale) | 0) < splitBin) {
      if (cx < lx0) lx0 = cx; if (cx > lx1) lx1 = cx;
      if (cy < ly0) ly0 = cy; if (cy > ly1) ly1 = cy;
      if (cz < lz0) lz0 = cz; if (cz > lz1) lz1 = cz;
      i++;
    } else {
      if (cx < rx0) rx0 = cx; if (cx > rx1) rx1 = cx;
      if (cy < ry0) ry0 = cy; if (cy > ry1) ry1 = cy;
      if (cz < rz0) rz0 = cz; if (cz > rz1) rz1 = cz;
      const q = j * 6;
      const id = idx[i]; idx[i] = idx[j]; idx[j] = id;
      let t = boxes[p]; boxes[p] = boxes[q]; boxes[q] = t;
      t = boxes[p + 1]; boxes[p + 1] = boxes[q + 1]; boxes[q + 1] = t;
      t = boxes[p + 2]; boxes[p + 2] = boxes[q + 2]; boxes[q + 2] = t;
      t = boxes[p + 3]; boxes[p + 3] = boxes[q + 3]; boxes[q + 3] = t;
      t = boxes[p + 4]; boxes[p + 4] = boxes[q + 4]; boxes[q + 4] = t;
      t = boxes[p + 5]; boxes[p + 5] = boxes[q + 5]; boxes[q + 5] = t;
      j--;
    }
  }
  cb[0] = lx0; cb[1] = ly0; cb[2] = lz0; cb[3] = lx1; cb[4] = ly1; cb[5] = lz1;
  cb[6] = rx0; cb[7] = ry0; cb[8] = rz0; cb[9] = rx1; cb[10] = ry1; cb[11] = rz1;
  return i;
}

