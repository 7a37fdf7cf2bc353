// Emission separation's cost (src/render/emission.ts): for a frame of `spp` samples, EmissionPass.render (a depth-0
// render of the frame's own samples and the anti-aliased emission with `rays` Sobol rays per pixel on the pixels
// near an edge of the emission, both read back)
// and the CPU subtraction and addition, against one path-traced frame of the same spp in the same run.
import { findScene } from '../scenes/index.ts';
import type { GpuContext } from '../src/gpu/context.ts';
import { addEmission, EmissionPass, subtractEmission } from '../src/render/emission.ts';
import { IntegratorPipeline, PathTracer } from '../src/render/path-tracer.ts';
import { compileScene } from '../src/scene/compile.ts';

export interface EmissionBenchResult {
  scene: string;
  size: string;
  spp: number;
  /** Median ms of one frame render + read-back (max depth 8). */
  frameMs: number;
  /** Per ray count: median ms of EmissionPass.render, and of subtract + add on the CPU. */
  rows: Array<{ rays: number; renderMs: number; cpuMs: number }>;
  /** Pixels rendered anti-aliased (near an edge of the first-hit emission), of width x height. */
  edgePixels: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runEmissionBench(
  gpu: GpuContext,
  opts: { scene?: string; width?: number; height?: number; spp?: number; rays?: number[]; repeats?: number } = {},
): Promise<EmissionBenchResult> {
  const { scene: name = 'cornell-box', width = 512, height = 512, spp = 4, rays = [16, 32], repeats = 3 } = opts;
  const scene = compileScene(await findScene(name)!.build(), { name });
  const pipeline = await IntegratorPipeline.create(gpu);
  const tracer = await PathTracer.create(gpu, scene, { width, height, maxDepth: 8, pipeline });
  let pass: EmissionPass | undefined;
  try {
    pass = await EmissionPass.create(gpu, scene, { width, height, pipeline });
    await tracer.render({ spp: 1, seed: 0 }); // warm-up
    await pass.render(1, 0, 1);
    const frameTimes: number[] = [];
    let color: Float32Array = new Float32Array(0);
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      await tracer.render({ spp, seed: r + 1 });
      color = (await tracer.readFrame()).color;
      frameTimes.push(performance.now() - t0);
    }
    const rows: EmissionBenchResult['rows'] = [];
    let edgePixels = 0;
    for (const n of rays) {
      const renderMs: number[] = [];
      const cpuMs: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const e = await pass.render(spp, r + 1, n);
        renderMs.push(e.ms);
        edgePixels = e.edges.reduce((a, v) => a + v, 0);
        const t0 = performance.now();
        addEmission(subtractEmission(color, e.matching), e.antialiased);
        cpuMs.push(performance.now() - t0);
      }
      rows.push({ rays: n, renderMs: median(renderMs), cpuMs: median(cpuMs) });
    }
    return { scene: name, size: `${width}x${height}`, spp, frameMs: median(frameTimes), rows, edgePixels };
  } finally {
    pass?.destroy();
    tracer.destroy();
  }
}

export function formatEmissionBench(r: EmissionBenchResult): string {
  const [w, h] = r.size.split('x').map(Number);
  const lines = [
    `${r.scene} ${r.size}, a ${r.spp}-spp frame (max depth 8, read back): ${r.frameMs.toFixed(0)} ms; ` +
      `${r.edgePixels} pixels (${((100 * r.edgePixels) / (w * h)).toFixed(1)}%) near an edge of the emission get the anti-aliasing rays`,
  ];
  for (const row of r.rows) {
    lines.push(
      `  separation with ${row.rays} Sobol rays: depth-0 renders + read-backs ${row.renderMs.toFixed(0)} ms ` +
        `(${(row.renderMs / r.frameMs).toFixed(2)}x the frame), subtract + add on the CPU ${row.cpuMs.toFixed(0)} ms`,
    );
  }
  return lines.join('\n');
}
