// BVH build benchmark: tracelab's binned SAH builder vs three-mesh-bvh (SAH and CENTER) on ~1M triangles.
// Build time and tree quality (SAH cost, same formula for every tree: traversal 1, intersection 1,
// areas relative to the root) are both reported. Run: node bin/run-ts.js bench/bvh.ts [triangles]
import { BufferGeometry, Float32BufferAttribute, SphereGeometry, TorusKnotGeometry, Uint32BufferAttribute } from 'three';
import { MeshBVH, CENTER, SAH } from 'three-mesh-bvh';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';
import { buildBvh, DEFAULT_MAX_LEAF_SIZE, type Bvh } from '../src/scene/bvh.ts';
import { isBenchMain } from './is-main.ts';

export interface BvhBenchRow {
  scene: string;
  builder: string;
  /** Best of the timed runs, milliseconds. */
  buildMs: number;
  /** First build of this scene (for the first scene of the run, including JIT warm-up), milliseconds. */
  coldMs: number;
  sahCost: number;
  nodeCount: number;
  maxLeafSize: number;
}

export interface BvhBenchResult {
  triangles: number;
  rows: BvhBenchRow[];
}

export interface BvhBenchOptions {
  /** Approximate triangle count per scene (default 1M). */
  triangles?: number;
  /** Timed runs of tracelab's builder (best reported, default 4); three-mesh-bvh builds run once each. */
  repeats?: number;
}

/** A dense torus knot: 2 * tubular * radial triangles. */
function torusKnot(triangles: number): BufferGeometry {
  const radial = 250;
  const tubular = Math.max(3, Math.round(triangles / (2 * radial)));
  return new TorusKnotGeometry(1, 0.3, tubular, radial);
}

/** Uneven density: a big coarse torus knot, a small very dense sphere inside it, and a fine ground sheet. */
function mixed(triangles: number): BufferGeometry {
  const knot = new TorusKnotGeometry(3, 0.8, Math.max(3, Math.round((triangles * 0.4) / 200)), 100);
  const sphereSeg = Math.max(4, Math.round(Math.sqrt((triangles * 0.4) / 2)));
  const sphere = new SphereGeometry(0.5, sphereSeg, sphereSeg);
  sphere.translate(0.3, 0.2, 0.1);
  const sheetSeg = Math.max(2, Math.round(Math.sqrt((triangles * 0.2) / 2)));
  const sheet = new SphereGeometry(40, sheetSeg, sheetSeg, 0, Math.PI * 2, 0, 0.3);
  sheet.translate(0, -45, 0);
  const parts = [knot, sphere, sheet].map((g) => g.toNonIndexed());
  const merged = mergeGeometries(parts);
  if (!merged) throw new Error('bench/bvh: merging the mixed scene failed');
  return merged;
}

/** Non-indexed positions, 9 floats per triangle. */
function soupPositions(geometry: BufferGeometry): Float32Array {
  const flat = geometry.index ? geometry.toNonIndexed() : geometry;
  return new Float32Array(flat.getAttribute('position').array);
}

/** Same SAH formula as bvhSahCost, over three-mesh-bvh's tree. */
function meshBvhSahCost(bvh: MeshBVH): { sahCost: number; nodeCount: number } {
  let rootArea = -1;
  let sum = 0;
  let nodeCount = 0;
  bvh.traverse((_depth, isLeaf, box, _offset, count) => {
    const dx = box[3] - box[0], dy = box[4] - box[1], dz = box[5] - box[2];
    const area = dx * dy + dy * dz + dz * dx;
    if (rootArea < 0) rootArea = area;
    sum += isLeaf ? area * (count ?? 0) : area;
    nodeCount++;
    return false;
  });
  return { sahCost: sum / rootArea, nodeCount };
}

function timeMs(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

async function benchScene(scene: string, geometry: BufferGeometry, repeats: number): Promise<BvhBenchRow[]> {
  const rows: BvhBenchRow[] = [];
  const positions = soupPositions(geometry);
  let ours: Bvh | undefined;
  const coldMs = timeMs(() => { ours = buildBvh(positions); });
  let best = coldMs;
  for (let r = 1; r < repeats; r++) best = Math.min(best, timeMs(() => { ours = buildBvh(positions); }));
  rows.push({
    scene, builder: 'tracelab SAH', buildMs: best, coldMs, sahCost: ours!.sahCost, nodeCount: ours!.nodeCount,
    maxLeafSize: DEFAULT_MAX_LEAF_SIZE,
  });

  // Indexed geometry, as three-mesh-bvh is normally used; it reorders the index, so each build gets a copy.
  const indexed = geometry.index ? geometry : indexedCopy(geometry);
  const variants: { builder: string; strategy: number; targetLeafSize: number }[] = [
    { builder: 'three-mesh-bvh SAH', strategy: SAH, targetLeafSize: 10 },
    { builder: 'three-mesh-bvh SAH', strategy: SAH, targetLeafSize: 1 },
    { builder: 'three-mesh-bvh CENTER', strategy: CENTER, targetLeafSize: 10 },
  ];
  for (const v of variants) {
    const g = indexed.clone();
    let bvh: MeshBVH | null = null;
    const ms = timeMs(() => { bvh = new MeshBVH(g, { strategy: v.strategy, targetLeafSize: v.targetLeafSize, maxDepth: 64 }); });
    const q = meshBvhSahCost(bvh!);
    rows.push({ scene, builder: v.builder, buildMs: ms, coldMs: ms, sahCost: q.sahCost, nodeCount: q.nodeCount, maxLeafSize: v.targetLeafSize });
    g.dispose();
    await new Promise((r) => setTimeout(r, 0)); // let GC catch up between multi-second builds
  }
  return rows;
}

/** An index 0..n-1 over a non-indexed geometry (three-mesh-bvh then builds over the triangles as given). */
function indexedCopy(geometry: BufferGeometry): BufferGeometry {
  const g = new BufferGeometry();
  const pos = geometry.getAttribute('position');
  g.setAttribute('position', new Float32BufferAttribute(new Float32Array(pos.array), 3));
  const idx = new Uint32Array(pos.count);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  g.setIndex(new Uint32BufferAttribute(idx, 1));
  return g;
}

export async function runBvhBench(options: BvhBenchOptions = {}): Promise<BvhBenchResult> {
  const triangles = options.triangles ?? 1_000_000;
  const repeats = options.repeats ?? 4;
  const rows: BvhBenchRow[] = [];
  const knot = torusKnot(triangles);
  // Each three-mesh-bvh strategy is timed once: warm its code up first on a small mesh (tracelab's first
  // 1M build stays cold on purpose and is reported as such).
  for (const strategy of [SAH, CENTER]) new MeshBVH(new TorusKnotGeometry(1, 0.3, 200, 50), { strategy });
  rows.push(...(await benchScene('torus-knot', knot, repeats)));
  rows.push(...(await benchScene('mixed', mixed(triangles), repeats)));
  return { triangles, rows };
}

export function formatBvhBench(result: BvhBenchResult): string {
  const lines = [`BVH build, ~${result.triangles} triangles per scene (node ${process.version})`];
  lines.push('scene       builder                  leaf<=  build ms   cold ms   SAH cost     nodes');
  for (const r of result.rows) {
    lines.push(
      `${r.scene.padEnd(11)} ${r.builder.padEnd(24)} ${String(r.maxLeafSize).padStart(5)} ` +
      `${r.buildMs.toFixed(0).padStart(9)} ${r.coldMs.toFixed(0).padStart(9)} ${r.sahCost.toFixed(2).padStart(10)} ` +
      `${String(r.nodeCount).padStart(9)}`,
    );
  }
  lines.push('(three-mesh-bvh: one build each, so build = cold; "leaf<=" is its targetLeafSize)');
  return lines.join('\n');
}

if (isBenchMain(import.meta.url, 'bvh')) {
  const arg = Number(process.argv[2]);
  const result = await runBvhBench({ triangles: Number.isFinite(arg) && arg > 0 ? arg : undefined });
  console.log(formatBvhBench(result));
}
