// trace_closest / trace_any (shaders/pathtrace/bvh.wgsl) on the GPU against brute force on the CPU.
// The GPU works in float32 and the reference in float64, so a ray grazing an edge or two nearly equal hit
// distances may legitimately resolve either way: the reference therefore sorts every triangle into
// "certainly hit" (robust margins) and "possibly hit" (within tolerance), and the GPU must never miss a
// certain hit, never report an impossible one, and agree exactly on nearly every ray.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SphereGeometry, TorusKnotGeometry } from 'three';
import common from '../../shaders/pathtrace/common.wgsl?raw';
import structs from '../../shaders/pathtrace/structs.wgsl?raw';
import sceneBindings from '../../shaders/pathtrace/scene_bindings.wgsl?raw';
import bvhWgsl from '../../shaders/pathtrace/bvh.wgsl?raw';
import kernel from './bvh-gpu-kernel.wgsl?raw';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { buildBvh } from '../../src/scene/bvh.ts';
import type { Ray } from '../../src/scene/bvh-traverse.ts';
import { mulberry32 } from '../support/random.ts';
import { concat, geometryPositions, randomRays, randomSoup } from '../scene/bvh-fixtures.ts';

const RAYS = 16384;
const BARY_EPS = 2e-4; // barycentric margin that float32 rounding cannot flip
const tTol = (t: number): number => 1e-4 * Math.max(1, Math.abs(t));

interface Candidate {
  tri: number;
  t: number;
  u: number;
  v: number;
  robust: boolean;
  /** Not grazing (|det| is a fair fraction of its maximum): float32 barycentrics are then good to ~1e-4. */
  steep: boolean;
}

/** Every triangle the ray might hit in (tmin, tmax), flagged robust when float32 cannot disagree. */
function candidates(pos: Float32Array, ray: Ray): Candidate[] {
  const out: Candidate[] = [];
  const [ox, oy, oz] = ray.origin as number[], [dx, dy, dz] = ray.dir as number[];
  for (let tri = 0, n = pos.length / 9; tri < n; tri++) {
    const p = tri * 9;
    const ax = pos[p + 3] - pos[p], ay = pos[p + 4] - pos[p + 1], az = pos[p + 5] - pos[p + 2];
    const bx = pos[p + 6] - pos[p], by = pos[p + 7] - pos[p + 1], bz = pos[p + 8] - pos[p + 2];
    const px = dy * bz - dz * by, py = dz * bx - dx * bz, pz = dx * by - dy * bx;
    const det = ax * px + ay * py + az * pz;
    const scale = Math.sqrt((ax * ax + ay * ay + az * az) * (bx * bx + by * by + bz * bz));
    if (Math.abs(det) <= 1e-12 * scale) continue; // ray in the triangle's plane: never counted as a hit
    const sx = ox - pos[p], sy = oy - pos[p + 1], sz = oz - pos[p + 2];
    const u = (sx * px + sy * py + sz * pz) / det;
    if (u < -BARY_EPS || u > 1 + BARY_EPS) continue;
    const qx = sy * az - sz * ay, qy = sz * ax - sx * az, qz = sx * ay - sy * ax;
    const v = (dx * qx + dy * qy + dz * qz) / det;
    const t = (bx * qx + by * qy + bz * qz) / det;
    const margin = Math.min(u, v, 1 - u - v);
    if (margin < -BARY_EPS || t <= ray.tmin - tTol(t) || t >= ray.tmax + tTol(t)) continue;
    const robust = margin > BARY_EPS && Math.abs(det) > 1e-3 * scale && t > ray.tmin + tTol(t) && t < ray.tmax - tTol(t);
    out.push({ tri, t, u, v, robust, steep: Math.abs(det) > 0.05 * scale });
  }
  return out;
}

let gpu: GpuContext;
beforeAll(async () => { gpu = await createNodeGpuContext(); });
afterAll(() => gpu?.destroy());

async function traceOnGpu(bvhNodes: ArrayBuffer, triPos: Float32Array, rays: Ray[]): Promise<{ hits: Float32Array; occluded: Uint32Array }> {
  const pipeline = await gpu.computePipeline('bvh test kernel', [common, structs, sceneBindings, bvhWgsl, kernel].join('\n'));
  const rayData = new Float32Array(rays.length * 8);
  rays.forEach((r, i) => rayData.set([r.origin[0], r.origin[1], r.origin[2], r.tmin, r.dir[0], r.dir[1], r.dir[2], r.tmax], i * 8));
  const S = GPUBufferUsage.STORAGE;
  const buffers = [
    gpu.createBufferWithData('bvh test: nodes', new Uint8Array(bvhNodes), S),
    gpu.createBufferWithData('bvh test: triangles', triPos, S),
    gpu.createBufferWithData('bvh test: rays', rayData, S),
    gpu.device.createBuffer({ label: 'bvh test: hits', size: rays.length * 16, usage: S | GPUBufferUsage.COPY_SRC }),
    gpu.device.createBuffer({ label: 'bvh test: occluded', size: rays.length * 4, usage: S | GPUBufferUsage.COPY_SRC }),
  ];
  try {
    await gpu.scoped('bvh test dispatch', () => {
      const group = (i: number, bufs: GPUBuffer[]): GPUBindGroup => gpu.device.createBindGroup({
        label: `bvh test group ${i}`,
        layout: pipeline.getBindGroupLayout(i),
        entries: bufs.map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const enc = gpu.device.createCommandEncoder({ label: 'bvh test' });
      const pass = enc.beginComputePass({ label: 'bvh test pass' });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group(0, buffers.slice(0, 2)));
      pass.setBindGroup(1, group(1, buffers.slice(2)));
      pass.dispatchWorkgroups(Math.ceil(rays.length / 64));
      pass.end();
      gpu.device.queue.submit([enc.finish()]);
    });
    return {
      hits: new Float32Array(await gpu.readBuffer(buffers[3])),
      occluded: new Uint32Array(await gpu.readBuffer(buffers[4])),
    };
  } finally {
    for (const b of buffers) b.destroy();
  }
}

describe('bvh.wgsl traversal', () => {
  // Away from the origin the grid origins and the ray origins are large and close: the slab test's rounding
  // (see bvh.wgsl) is then relative to them, not to the distances.
  it.each([
    ['near the origin', 0],
    ['offset by 64', 64],
  ])('matches brute force on a random soup plus closed meshes %s', async (_name, offset) => {
    const rng = mulberry32(2024);
    const sphere = new SphereGeometry(1, 32, 16).translate(0.5, 0, 0);
    const knot = new TorusKnotGeometry(1.2, 0.3, 64, 8).translate(-0.5, 0.3, 0);
    const pos = concat(randomSoup(rng, 2000), geometryPositions(sphere), geometryPositions(knot)).map((v) => v + offset);
    const bvh = buildBvh(pos);
    const triPos = new Float32Array(bvh.triangleOrder.length * 12);
    bvh.triangleOrder.forEach((t, i) => {
      for (let v = 0; v < 3; v++) triPos.set(pos.subarray(t * 9 + v * 3, t * 9 + v * 3 + 3), i * 12 + v * 4);
    });
    const rays = randomRays(rng, pos.map((v) => v - offset), RAYS).map((r) => ({ ...r, origin: Array.from(r.origin, (v) => Math.fround(v + offset)) }));
    const { hits, occluded } = await traceOnGpu(bvh.wide.records, triPos, rays);
    const slots = new Uint32Array(hits.buffer);

    let exact = 0, cpuHits = 0, cpuMisses = 0;
    const problems: string[] = [];
    for (const [i, ray] of rays.entries()) {
      const cands = candidates(pos, ray);
      const robust = cands.filter((c) => c.robust);
      const best = robust.reduce<Candidate | null>((b, c) => (b && b.t <= c.t ? b : c), null);
      if (best) cpuHits++; else if (cands.length === 0) cpuMisses++;
      const t = hits[i * 4], slot = slots[i * 4 + 3];
      const where = `ray ${i} ${JSON.stringify(ray)}`;
      if (t >= 3.4e38) {
        if (robust.length > 0) problems.push(`${where}: GPU missed triangle ${robust[0].tri}`);
        else if (cands.length === 0) exact++;
      } else {
        const tri = bvh.triangleOrder[slot];
        const mine = cands.find((c) => c.tri === tri && Math.abs(c.t - t) <= tTol(t));
        if (!mine) problems.push(`${where}: GPU hit triangle ${tri} at t=${t}, which the ray cannot hit`);
        else if (best && best.t < t - tTol(t)) problems.push(`${where}: GPU hit ${tri} at ${t}, but ${best.tri} is nearer at ${best.t}`);
        else if (mine.steep && (Math.abs(mine.u - hits[i * 4 + 1]) > 1e-3 || Math.abs(mine.v - hits[i * 4 + 2]) > 1e-3)) {
          problems.push(`${where}: barycentrics (${hits[i * 4 + 1]}, ${hits[i * 4 + 2]}) vs (${mine.u}, ${mine.v})`);
        }
        if (best && best.tri === tri) exact++;
      }
      if (occluded[i] === 1 && cands.length === 0) problems.push(`${where}: trace_any hit, nothing can be hit`);
      if (occluded[i] === 0 && robust.length > 0) problems.push(`${where}: trace_any missed triangle ${robust[0].tri}`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(cpuHits).toBeGreaterThan(RAYS * 0.4); // both outcomes are well represented
    expect(cpuMisses).toBeGreaterThan(RAYS * 0.1);
    expect(exact).toBeGreaterThan(RAYS * 0.99); // ambiguous (grazing / tied) rays are rare
  });
});
