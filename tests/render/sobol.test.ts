// The per-pixel Owen-scrambled Sobol points of common.wgsl (sobol_owen2), run on the GPU: for one seed every aligned
// block of 2^k points is a (0, k, 2)-net (exactly one point in each of the 2^k boxes of every shape), which is what
// makes the 'sobol' camera jitter resolve edges with few rays; and over seeds each point is uniform on the square
// (Pearson's chi-square), which is what keeps any number of samples unbiased.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { pathtraceModules } from '../../src/render/shaders.ts';
import { pearsonChi2, sidakAlpha } from '../support/chi2.ts';

const SEEDS = 4096;
const POINTS = 256;

let gpu: GpuContext;
/** [seed][point] -> x, y as exact multiples of 2^-24. */
let xy: Float32Array;

beforeAll(async () => {
  gpu = await createNodeGpuContext();
  const code = `${pathtraceModules.common}
    @group(0) @binding(0) var<storage, read_write> out: array<vec2f>;
    @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
      let i = id.x;
      if (i >= ${SEEDS * POINTS}u) { return; }
      // seeds as the path tracer makes them: hashes of a pixel index
      out[i] = sobol_owen2(i % ${POINTS}u, pcg_hash(i / ${POINTS}u));
    }`;
  const pipeline = await gpu.computePipeline('sobol points', code);
  const out = gpu.device.createBuffer({ label: 'sobol out', size: SEEDS * POINTS * 8, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  try {
    const bg = gpu.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: out } }] });
    const enc = gpu.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups((SEEDS * POINTS) / 64);
    pass.end();
    gpu.device.queue.submit([enc.finish()]);
    xy = new Float32Array(await gpu.readBuffer(out));
  } finally {
    out.destroy();
  }
});
afterAll(() => gpu?.destroy());

const point = (seed: number, i: number): [number, number] => [xy[(seed * POINTS + i) * 2], xy[(seed * POINTS + i) * 2 + 1]];

describe('sobol_owen2 (common.wgsl)', () => {
  it('every value lies in [0, 1)', () => {
    expect(xy.length).toBe(SEEDS * POINTS * 2);
    expect(xy.filter((v) => !(v >= 0 && v < 1)).length).toBe(0);
  });

  it('each aligned block of 2^k points (k = 1..8) of a seed puts one point in each of the 2^k boxes of every shape', () => {
    let failures = 0;
    for (let seed = 0; seed < 64; seed++) {
      for (let k = 1; k <= 8; k++) {
        const n = 1 << k;
        for (let start = 0; start < POINTS; start += n) {
          for (let a = 0; a <= k; a++) {
            // boxes of 2^-a by 2^-(k-a)
            const seen = new Uint8Array(n);
            for (let i = start; i < start + n; i++) {
              const [x, y] = point(seed, i);
              seen[(Math.floor(x * (1 << a)) << (k - a)) + Math.floor(y * (1 << (k - a)))]++;
            }
            if (seen.some((c) => c !== 1)) failures++;
          }
        }
      }
    }
    expect(failures).toBe(0);
  });

  it('over seeds, each point is uniform on the square (8x8 cells, chi-square)', () => {
    const indices = [0, 1, 2, 7, 100, 255];
    const alpha = sidakAlpha(1e-3, indices.length);
    for (const i of indices) {
      const counts = new Array<number>(64).fill(0);
      for (let seed = 0; seed < SEEDS; seed++) {
        const [x, y] = point(seed, i);
        counts[Math.floor(x * 8) * 8 + Math.floor(y * 8)]++;
      }
      const r = pearsonChi2(counts, new Array<number>(64).fill(SEEDS / 64));
      expect(r.dof).toBe(63);
      expect(r.pValue, `point ${i}: chi-square ${r.statistic.toFixed(1)}`).toBeGreaterThan(alpha);
    }
  });

  it('different seeds give different points', () => {
    const first = new Set<number>();
    for (let seed = 0; seed < SEEDS; seed++) first.add(point(seed, 0)[0]);
    expect(first.size).toBeGreaterThan(SEEDS * 0.99);
  });
});
