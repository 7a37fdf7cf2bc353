import { describe, expect, it } from 'vitest';
import { PlaneGeometry, SphereGeometry, TorusKnotGeometry } from 'three';
import { MeshBVH, SAH } from 'three-mesh-bvh';
import { BvhInputError, buildBvh, bvhSahCost, type Bvh } from '../../src/scene/bvh.ts';
import { reorderPositions, traceBruteForce, traceBvh, traceWideBvh, type Ray } from '../../src/scene/bvh-traverse.ts';
import { mulberry32 } from '../support/random.ts';
import { checkBvh, concat, geometryPositions, randomRays, randomSoup } from './bvh-fixtures.ts';

function valid(bvh: Bvh, positions: Float32Array, maxLeafSize = 8): void {
  const r = checkBvh(bvh, positions, maxLeafSize);
  if (typeof r === 'string') throw new Error(r);
}

/** Closest hits through the BVH agree with brute force (same triangle, or the same t on a tie). */
function agreesWithBruteForce(bvh: Bvh, positions: Float32Array, rays: Ray[]): { hits: number } {
  const bvhPos = reorderPositions(positions, bvh.triangleOrder);
  let hits = 0;
  for (const [i, ray] of rays.entries()) {
    const want = traceBruteForce(positions, ray);
    const ctx = `ray ${i} ${JSON.stringify(ray)}`;
    for (const trace of [traceBvh, traceWideBvh]) {
      const got = trace(bvh, bvhPos, ray);
      const gotAny = trace(bvh, bvhPos, ray, true);
      expect(got === null, `${trace.name} ${ctx}`).toBe(want === null);
      expect(gotAny === null, `${trace.name} ${ctx}`).toBe(want === null);
      if (!want || !got) continue;
      if (bvh.triangleOrder[got.triangle] !== want.triangle) expect(got.t, ctx).toBe(want.t);
      else expect([got.t, got.u, got.v], ctx).toEqual([want.t, want.u, want.v]);
      expect(gotAny!.t).toBeGreaterThan(ray.tmin);
      expect(gotAny!.t).toBeLessThan(ray.tmax);
    }
    if (want) hits++;
  }
  return { hits };
}

describe('buildBvh structure', () => {
  it.each([1, 2, 3, 7, 100, 3000])('is valid for a random soup of %i triangles', (n) => {
    const pos = randomSoup(mulberry32(n), n);
    const bvh = buildBvh(pos);
    valid(bvh, pos);
    expect(bvh.sahCost).toBeCloseTo(bvhSahCost(bvh.nodes, bvh.nodeCount), 10);
  });

  it.each([1, 2, 4, 16])('honours maxLeafSize %i', (maxLeafSize) => {
    const pos = randomSoup(mulberry32(7), 2000, 0.2, 0.4); // heavily overlapping: SAH wants big leaves
    const bvh = buildBvh(pos, { maxLeafSize });
    valid(bvh, pos, maxLeafSize);
  });

  it('keeps a single triangle as a root leaf', () => {
    const pos = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]);
    const bvh = buildBvh(pos);
    expect(bvh.nodeCount).toBe(1);
    const u = new Uint32Array(bvh.nodes);
    expect([u[3], u[7]]).toEqual([0, 1]); // leaf: first slot 0, one triangle
    expect(Array.from(new Float32Array(bvh.nodes).slice(0, 7))).toEqual([0, 0, 0, 0, 1, 1, 0]);
    expect(bvh.sahCost).toBe(1);
  });

  it('handles identical, coplanar and zero-area triangles', () => {
    const rng = mulberry32(3);
    const same = new Float32Array(1000 * 9).map((_, i) => [0, 0, 0, 1, 0, 0, 0, 1, 0][i % 9]);
    const flat = randomSoup(rng, 500).map((v, i) => (i % 3 === 2 ? 0 : v));
    const points = new Float32Array(300 * 9).map((_, i) => Math.floor(i / 9) % 7);
    for (const pos of [same, flat, points, concat(same, flat, points)]) valid(buildBvh(pos, { maxLeafSize: 4 }), pos, 4);
  });

  it('stays within the depth limit on geometry that drives SAH deep', () => {
    // Triangles shrinking geometrically towards the origin: SAH peels one off per level.
    const n = 400;
    const pos = new Float32Array(n * 9);
    for (let i = 0; i < n; i++) {
      const s = Math.pow(0.8, i);
      pos.set([s, 0, 0, s * 1.1, 0, 0, s, s * 0.1, 0], i * 9);
    }
    const stats = checkBvh(buildBvh(pos), pos, 8);
    if (typeof stats === 'string') throw new Error(stats);
    expect(stats.depth).toBeLessThanOrEqual(60);
  });

  it('builds a tree at least as good as three-mesh-bvh SAH', () => {
    const geo = new TorusKnotGeometry(1, 0.3, 200, 50); // 20k triangles: takes the clustered top-level path
    const pos = geometryPositions(geo);
    const ours = buildBvh(pos);
    valid(ours, pos);
    const theirs = new MeshBVH(geo.clone(), { strategy: SAH, targetLeafSize: 1 });
    let root = -1, sum = 0;
    theirs.traverse((_d, isLeaf, b, _o, count) => {
      const dx = b[3] - b[0], dy = b[4] - b[1], dz = b[5] - b[2];
      const area = dx * dy + dy * dz + dz * dx;
      if (root < 0) root = area;
      sum += isLeaf ? area * (count ?? 0) : area;
      return false;
    });
    expect(ours.sahCost).toBeLessThan(1.01 * (sum / root));
  });
});

describe('BVH traversal (binary, and the CPU reference of bvh.wgsl)', () => {
  it.each([
    ['random soup', () => randomSoup(mulberry32(11), 2000)],
    ['closed meshes', () => concat(geometryPositions(new SphereGeometry(1, 24, 16)),
      geometryPositions(new TorusKnotGeometry(1.2, 0.3, 64, 8)))],
    ['coplanar grid', () => geometryPositions(new PlaneGeometry(4, 4, 20, 20))],
    ['identical triangles', () => new Float32Array(200 * 9).map((_, i) => [0, 0, 0, 1, 0, 0, 0, 1, 0][i % 9])],
    ['single triangle', () => new Float32Array([-1, -1, 0, 1, -1, 0, 0, 1, 0])],
  ])('agrees with brute force: %s', (_name, make) => {
    const pos = make();
    const bvh = buildBvh(pos);
    valid(bvh, pos);
    const rays = randomRays(mulberry32(pos.length), pos, 3000);
    const { hits } = agreesWithBruteForce(bvh, pos, rays);
    expect(hits).toBeGreaterThan(rays.length / 4); // the test is not vacuous
  });
});

describe('buildBvh input errors', () => {
  it('rejects empty input', () => {
    expect(() => buildBvh(new Float32Array(0))).toThrow(BvhInputError);
    expect(() => buildBvh(new Float32Array(0))).toThrow(/no triangles/);
  });
  it('rejects a length that is not whole triangles', () => {
    expect(() => buildBvh(new Float32Array(10))).toThrow(/multiple of 9/);
  });
  it.each([NaN, Infinity, -Infinity])('names the first triangle with a %s coordinate', (bad) => {
    const pos = randomSoup(mulberry32(1), 50);
    pos[17 * 9 + 4] = bad;
    pos[30 * 9] = bad;
    expect(() => buildBvh(pos)).toThrow(/triangle 17 /);
  });
  it('rejects a bad maxLeafSize', () => {
    expect(() => buildBvh(randomSoup(mulberry32(1), 5), { maxLeafSize: 0 })).toThrow(/maxLeafSize/);
    // Leaf refs of the GPU form hold at most 32 triangles.
    expect(() => buildBvh(randomSoup(mulberry32(1), 5), { maxLeafSize: 33 })).toThrow(/maxLeafSize must be an integer from 1 to 32/);
  });
});
