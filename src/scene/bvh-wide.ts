// The GPU form of the BVH: the binary tree of bvh.ts collapsed into records of up to four children whose
// boxes are quantized to 8 bits per coordinate on a per-record grid (after Ylitie et al. 2017, "Efficient
// Incoherent Ray Traversal on GPUs Through Compressed Wide BVHs"). A record visit loads 14 words instead of
// the 2 x 6 box floats + 2 words per binary step, and half as many steps are taken; on a CPU-SIMD driver
// (lavapipe), where every divergent load is a per-lane scalar loop, those words are most of the cost.
// Record layout, 64 bytes (BvhNode in shaders/pathtrace/structs.wgsl):
//   u32[0..2]   origin xyz (f32): the record's box min, origin of its grid
//   u32[3]      grid step per axis 2^e as biased exponents e + 127: bits 0-7 x, 8-15 y, 16-23 z
//   u32[4..6]   child box min on the grid, x / y / z words, byte k = child k
//   u32[7]      zero
//   u32[8..10]  child box max on the grid, likewise
//   u32[11]     zero
//   u32[12..15] child refs: record index, or BVH_REF_LEAF | (count - 1) << 26 | first triangle, or BVH_REF_NONE
// A grid coordinate q stands for origin + q * 2^e in exact arithmetic, and the builder picks q so every such box
// contains its child's exact box; the traversal's slab test accounts for its own rounding (see bvh.wgsl).
// Record 0 is the root. Children of a record are allocated consecutively, depth first.
import { BvhInputError } from './bvh-errors.ts';

export const BVH_WIDE_RECORD_BYTES = 64;
const WORDS = 16;
export const BVH_REF_LEAF = 0x80000000;
export const BVH_REF_NONE = 0xffffffff;
/** Leaf ref fields: 26 bits of first triangle, 5 bits of count - 1. */
export const BVH_LEAF_MAX_TRIANGLES = 32;
export const BVH_MAX_TRIANGLES = (1 << 26) - 1;
/** Entries of the traversal stack in bvh.wgsl (BVH_STACK_SIZE); the collapse never needs more. */
export const BVH_WIDE_STACK = 64;

export interface WideBvh {
  /** recordCount * 64 bytes in the layout above. */
  records: ArrayBuffer;
  recordCount: number;
}

/** Collapses the flat binary tree (`nodes`, layout of bvh.ts) into quantized 4-wide records. */
export function buildWideBvh(nodes: ArrayBuffer, nodeCount: number): WideBvh {
  const nf = new Float32Array(nodes, 0, nodeCount * 8);
  const nu = new Uint32Array(nodes, 0, nodeCount * 8);
  // Height of each binary subtree (children always follow their parent; saturating at 255): what a 2-wide
  // collapse below it could push at most, used to keep the whole traversal within BVH_WIDE_STACK entries.
  const height = new Uint8Array(nodeCount);
  for (let i = nodeCount - 1; i >= 0; i--) {
    if (nu[i * 8 + 7] === 0) {
      const l = nu[i * 8 + 3];
      height[i] = Math.min(255, 1 + Math.max(height[l], height[l + 1]));
    }
  }
  if (height[0] > BVH_WIDE_STACK) throw new BvhInputError(`buildWideBvh: tree height ${height[0]} exceeds the traversal stack (${BVH_WIDE_STACK})`);
  const interior = nu[7] === 0 ? (nodeCount - 1) / 2 : 1;
  const out = new ArrayBuffer(interior * BVH_WIDE_RECORD_BYTES);
  const of = new Float32Array(out);
  const ou = new Uint32Array(out);
  let recordCount = 1;
  // Pending records, depth first: record index, binary node, stack entries in use when it is visited.
  const todo = new Int32Array(3 * (interior + 1));
  let pending = 1;
  const kids = new Int32Array(4);
  while (pending > 0) {
    pending--;
    const record = todo[3 * pending], node = todo[3 * pending + 1], depth = todo[3 * pending + 2];
    let kidCount = 1;
    if (nu[node * 8 + 7] > 0) kids[0] = node; // a single-leaf tree: the root record holds that leaf
    else kidCount = collapse(nu, nf, height, node, depth, kids);
    const pushed = depth + kidCount - 1;
    const o = record * WORDS;
    writeGrid(nf, node, of, ou, o);
    quantizeChildren(nf, kids, kidCount, of, ou, o);
    for (let k = 0; k < 4; k++) {
      if (k >= kidCount) { ou[o + 12 + k] = BVH_REF_NONE; continue; }
      const kid = kids[k];
      const count = nu[kid * 8 + 7];
      if (count > 0) {
        const first = nu[kid * 8 + 3];
        if (count > BVH_LEAF_MAX_TRIANGLES) throw new BvhInputError(`buildWideBvh: leaf of ${count} triangles; at most ${BVH_LEAF_MAX_TRIANGLES} fit a leaf ref`);
        if (first + count > BVH_MAX_TRIANGLES) throw new BvhInputError(`buildWideBvh: more than ${BVH_MAX_TRIANGLES} triangles`);
        ou[o + 12 + k] = BVH_REF_LEAF | ((count - 1) << 26) | first; // typed-array stores wrap to u32
      } else {
        ou[o + 12 + k] = recordCount;
        todo[3 * pending] = recordCount++;
        todo[3 * pending + 1] = kid;
        todo[3 * pending + 2] = pushed;
        pending++;
      }
    }
  }
  return { records: out.slice(0, recordCount * BVH_WIDE_RECORD_BYTES), recordCount };
}

/**
 * Children of binary node `node` for one record, into `kids`; returns their count. Starts from its two
 * children and opens the interior child of largest surface area until there are four, as long as the pushes
 * stay within the stack: a record visited with `depth` entries in use pushes up to kids - 1 more, and below
 * each kid a 2-wide collapse needs at most its height.
 */
function collapse(nu: Uint32Array, nf: Float32Array, height: Uint8Array, node: number, depth: number, kids: Int32Array): number {
  const l = nu[node * 8 + 3];
  kids[0] = l;
  kids[1] = l + 1;
  let count = 2;
  while (count < 4) {
    let best = -1, bestArea = -1, maxHeight = 0;
    for (let k = 0; k < count; k++) {
      const c = kids[k];
      if (nu[c * 8 + 7] !== 0) continue;
      const o = c * 8;
      const dx = nf[o + 4] - nf[o], dy = nf[o + 5] - nf[o + 1], dz = nf[o + 6] - nf[o + 2];
      const area = dx * dy + dy * dz + dz * dx;
      if (area > bestArea) { bestArea = area; best = k; }
    }
    if (best < 0) break;
    const cl = nu[kids[best] * 8 + 3];
    for (let k = 0; k < count; k++) if (k !== best && height[kids[k]] > maxHeight) maxHeight = height[kids[k]];
    maxHeight = Math.max(maxHeight, height[cl], height[cl + 1]);
    if (depth + count + maxHeight > BVH_WIDE_STACK) break;
    kids[best] = cl;
    kids[count++] = cl + 1;
  }
  return count;
}

/** x <= a - b in exact arithmetic (a - b = s + err exactly: Knuth's TwoSum). */
function atMostDiff(x: number, a: number, b: number): boolean {
  const s = a - b, bb = s - a, err = (a - (s - bb)) + (-b - bb);
  return x < s || (x === s && err >= 0);
}

/** x >= a - b in exact arithmetic. */
function atLeastDiff(x: number, a: number, b: number): boolean {
  const s = a - b, bb = s - a, err = (a - (s - bb)) + (-b - bb);
  return x > s || (x === s && err <= 0);
}

/** 2^(i - 127) for the biased exponents 1..254. */
const STEP = Float64Array.from({ length: 256 }, (_, i) => 2 ** (i - 127));

const bits = new Float64Array(1);
const bitsHi = new Uint32Array(bits.buffer, 4, 1);

/** Origin and per-axis power-of-two steps such that origin + 255 steps reaches the box max. */
function writeGrid(nf: Float32Array, node: number, of: Float32Array, ou: Uint32Array, o: number): void {
  let exps = 0;
  for (let a = 0; a < 3; a++) {
    const lo = nf[node * 8 + a], hi = nf[node * 8 + 4 + a];
    of[o + a] = lo;
    // Smallest biased exponent (>= 1, so the step is a normal float) whose 255 steps cover the extent: from
    // the exponent of extent / 255 (2^(x - 1023) <= it < 2^(x - 1022)), then exactly.
    let e = 1;
    if (hi > lo) {
      bits[0] = (hi - lo) / 255;
      e = Math.min(254, Math.max(1, ((bitsHi[0] >>> 20) & 0x7ff) - 1023 + 127));
      while (e > 1 && atLeastDiff(255 * STEP[e - 1], hi, lo)) e--;
      while (!atLeastDiff(255 * STEP[e], hi, lo)) e++;
    }
    exps |= e << (8 * a);
  }
  ou[o + 3] = exps;
}

/** Grid boxes of the kids in the record at word offset o, each containing its kid's box exactly. */
function quantizeChildren(nf: Float32Array, kids: Int32Array, kidCount: number, of: Float32Array, ou: Uint32Array, o: number): void {
  const exps = ou[o + 3];
  for (let a = 0; a < 3; a++) {
    const origin = of[o + a];
    const step = STEP[(exps >>> (8 * a)) & 0xff], perStep = 1 / step; // powers of two: exact
    let loWord = 0, hiWord = 0;
    for (let k = 0; k < kidCount; k++) {
      const lo = nf[kids[k] * 8 + a], hi = nf[kids[k] * 8 + 4 + a];
      // q * step is exact (8 bits times a power of two); the comparisons with the differences are exact too.
      let qlo = Math.min(255, Math.max(0, Math.floor((lo - origin) * perStep)));
      while (qlo > 0 && !atMostDiff(qlo * step, lo, origin)) qlo--;
      let qhi = Math.min(255, Math.max(0, Math.ceil((hi - origin) * perStep)));
      while (qhi < 255 && !atLeastDiff(qhi * step, hi, origin)) qhi++;
      loWord |= qlo << (8 * k);
      hiWord |= qhi << (8 * k);
    }
    ou[o + 4 + a] = loWord;
    ou[o + 8 + a] = hiWord;
  }
}
