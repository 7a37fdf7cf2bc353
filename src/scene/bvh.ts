// Bounding volume hierarchy over a triangle soup: a SAH build (bvh-build.ts: clustered binned SAH at the top,
// per-primitive binned SAH, sweeps and optimal treelets below) into a flat binary tree of 32-byte nodes (the
// CPU form: bvh-traverse.ts, tests), which bvh-wide.ts collapses into the 4-wide quantized records that
// shaders/pathtrace/bvh.wgsl traverses. Binary node layout:
//   offset  0: bmin vec3f      offset 12: left_or_first u32
//   offset 16: bmax vec3f      offset 28: count u32
// Interior: count == 0, children at left_or_first and left_or_first + 1. Leaf: count > 0 triangles starting
// at left_or_first in BVH order. Node 0 is the root.
import { BVH_MAX_DEPTH, BVH_NODE_BYTES, buildSahTree } from './bvh-build.ts';
import { BvhInputError } from './bvh-errors.ts';
import { BVH_LEAF_MAX_TRIANGLES, BVH_MAX_TRIANGLES, buildWideBvh, type WideBvh } from './bvh-wide.ts';

export { BVH_MAX_DEPTH, BVH_NODE_BYTES };

export interface Bvh {
  /** nodeCount * 32 bytes in the layout above. */
  nodes: ArrayBuffer;
  nodeCount: number;
  /** BVH-ordered slot i holds original triangle index triangleOrder[i]. */
  triangleOrder: Uint32Array;
  /** SAH cost (traversal 1, intersection 1, areas relative to the root's) for comparing trees. */
  sahCost: number;
  /** The GPU form: 64-byte quantized 4-wide records (BvhNode in structs.wgsl). */
  wide: WideBvh;
}

export interface BvhOptions {
  /** Most triangles in one leaf (default 8, at most 32); SAH usually stops earlier. */
  maxLeafSize?: number;
}

export { BvhInputError };

export const DEFAULT_MAX_LEAF_SIZE = 8;

/** Builds a BVH over `positions` (9 floats per triangle: v0, v1, v2, in original order). */
export function buildBvh(positions: Float32Array, options: BvhOptions = {}): Bvh {
  const maxLeafSize = options.maxLeafSize ?? DEFAULT_MAX_LEAF_SIZE;
  if (!Number.isInteger(maxLeafSize) || maxLeafSize < 1 || maxLeafSize > BVH_LEAF_MAX_TRIANGLES) {
    throw new BvhInputError(`buildBvh: maxLeafSize must be an integer from 1 to ${BVH_LEAF_MAX_TRIANGLES}, got ${maxLeafSize}`);
  }
  if (positions.length === 0) throw new BvhInputError('buildBvh: no triangles (empty positions array)');
  if (positions.length % 9 !== 0) {
    throw new BvhInputError(`buildBvh: positions length ${positions.length} is not a multiple of 9 (3 vertices x xyz)`);
  }
  const count = positions.length / 9;
  if (count > BVH_MAX_TRIANGLES) throw new BvhInputError(`buildBvh: ${count} triangles; the GPU form holds at most ${BVH_MAX_TRIANGLES}`);
  const boxes = triangleBoxes(positions, count);
  const built = buildSahTree(boxes, count, maxLeafSize);
  return {
    nodes: built.nodes,
    nodeCount: built.nodeCount,
    triangleOrder: built.order,
    sahCost: bvhSahCost(built.nodes, built.nodeCount),
    wide: buildWideBvh(built.nodes, built.nodeCount),
  };
}

/** Per-triangle boxes (min xyz, max xyz); throws on the first triangle with a NaN or infinite coordinate. */
function triangleBoxes(positions: Float32Array, count: number): Float32Array {
  const boxes = new Float32Array(count * 6);
  for (let t = 0; t < count; t++) {
    const p = t * 9;
    const ax = positions[p], ay = positions[p + 1], az = positions[p + 2];
    const bx = positions[p + 3], by = positions[p + 4], bz = positions[p + 5];
    const cx = positions[p + 6], cy = positions[p + 7], cz = positions[p + 8];
    // x - x is NaN exactly for NaN and +-Infinity: one cheap test for all nine coordinates.
    if ((ax - ax) + (ay - ay) + (az - az) + (bx - bx) + (by - by) + (bz - bz) + (cx - cx) + (cy - cy) + (cz - cz) !== 0) {
      throw new BvhInputError(
        `buildBvh: triangle ${t} has a non-finite vertex coordinate ` +
        `(${[ax, ay, az, bx, by, bz, cx, cy, cz].join(', ')})`,
      );
    }
    const o = t * 6;
    boxes[o] = ax < bx ? (ax < cx ? ax : cx) : (bx < cx ? bx : cx);
    boxes[o + 1] = ay < by ? (ay < cy ? ay : cy) : (by < cy ? by : cy);
    boxes[o + 2] = az < bz ? (az < cz ? az : cz) : (bz < cz ? bz : cz);
    boxes[o + 3] = ax > bx ? (ax > cx ? ax : cx) : (bx > cx ? bx : cx);
    boxes[o + 4] = ay > by ? (ay > cy ? ay : cy) : (by > cy ? by : cy);
    boxes[o + 5] = az > bz ? (az > cz ? az : cz) : (bz > cz ? bz : cz);
  }
  return boxes;
}

/**
 * SAH cost of a flat tree: sum over interior nodes of area/rootArea plus sum over leaves of
 * count * area/rootArea. If the root has zero area (every triangle on one point) each node counts as area 1.
 */
export function bvhSahCost(nodes: ArrayBuffer, nodeCount: number): number {
  const f = new Float32Array(nodes, 0, nodeCount * 8);
  const u = new Uint32Array(nodes, 0, nodeCount * 8);
  const area = (o: number): number => {
    const dx = f[o + 4] - f[o], dy = f[o + 5] - f[o + 1], dz = f[o + 6] - f[o + 2];
    return dx * dy + dy * dz + dz * dx;
  };
  const rootArea = area(0);
  let sum = 0;
  for (let i = 0; i < nodeCount; i++) {
    const o = i * 8;
    const a = rootArea > 0 ? area(o) : 1;
    sum += u[o + 7] === 0 ? a : a * u[o + 7];
  }
  return sum / (rootArea > 0 ? rootArea : 1);
}
