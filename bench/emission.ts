// Emission separation's cost (src/render/emission.ts) for a frame of `spp` samples, side by side in one run: the
// frame's render + read-back without and with the first-hit emission accumulated beside the film (PathTracer option
// firstHitEmission, which separation needs), what that option replaces (a depth-0 render of the frame's own samples
// and its read-back, as separation did before), EmissionPass.render (the edge search and the anti-aliased emission
// with `rays` Sobol rays per pixel on the pixels near an edge of the emission, read back), and the CPU subtraction
// and addition.
import { findScene } from '../scenes/index.ts';
import type { GpuContext } from '../src/gpu/context.ts';
import { addEmission, EmissionPass, frameEmission, subtractEmission } from '../src/render/emission.ts';
import { IntegratorPipeline, PathTracer, type FrameData } from '../src/render/path-tracer.ts';
import { compileScene } from '../src/scene/compile.ts';

export interface EmissionBenchResult {
  scene: string;
  size: string;
  spp: number;
  /** Median ms of one frame render + read-back (max depth 8), without and with the first-hit emission. */
  frameMs: number;
  firstHitFrameMs: number;
  /** Median ms of a depth-0 render of the frame's samples + its read-back (what firstHitEmission replaces). */
  depth0Ms: number;
  /** Per ray count: median ms of EmissionPass.render, and of subtract + add on the CPU. */
  rows: Array<{ rays: number; renderMs: number; cpuMs: number }>;
  /** Pixels rendered anti-aliased (near an edge of the first-hit emission), of width x height. */
  edgePixels: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timedMs<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export async function runEmissionBench(
  gpu: GpuContext,
  opts: { scene?: string; width?: number; height?: number; spp?: number; rays?: number[]; repeats?: number } = {},
): Promise<EmissionBenchResult> {
  const { scene: name = 'cornell-box', width = 512, height = 512, spp = 4, rays = [16, 32], repeats = 5 } = opts;
  const scene = compileScene(await findScene(name)!.build(), { name });
  const pipeline = await IntegratorPipeline.create(gpu);
  const view = { width, height, pipeline };
  const owned: Array<{ destroy(): void }> = [];
  try {
    const plain = await PathTracer.create(gpu, scene, { ...view, maxDepth: 8 });
    owned.push(plain);
    const tracer = await PathTracer.create(gpu, scene, { ...view, maxDepth: 8, firstHitEmission: true });
    owned.push(tracer);
    const depth0 = await PathTracer.create(gpu, scene, { ...view, maxDepth: 0 });
    owned.push(depth0);
    const pass = await EmissionPass.create(gpu, scene, view);
    owned.push(pass);
    // warm-up: first dispatch costs are not the per-frame cost
    await plain.render({ spp: 1, seed: 0 });
    await depth0.render({ spp: 1, seed: 0 });
    await tracer.render({ spp: 1, seed: 0 });
    await pass.render(await tracer.readFrame(), 0, 1);
    const frameTimes: number[] = [];
    const firstHitTimes: number[] = [];
    const depth0Times: number[] = [];
    let frame: FrameData | null = null;
    for (let r = 0; r < repeats; r++) {
      // interleaved, so that a busy moment of a shared machine falls on all three alike
      frameTimes.push((await timedMs(async () => (await plain.render({ spp, seed: r + 1 }), plain.readFrame()))).ms);
      const withFirstHit = await timedMs(async () => (await tracer.render({ spp, seed: r + 1 }), tracer.readFrame()));
      firstHitTimes.push(withFirstHit.ms);
      frame = withFirstHit.value;
      depth0Times.push((await timedMs(async () => (await depth0.render({ spp, seed: r + 1 }), depth0.readColor()))).ms);
    }
    const rows: EmissionBenchResult['rows'] = [];
    let edgePixels = 0;
    for (const n of rays) {
      const renderMs: number[] = [];
      const cpuMs: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const e = await pass.render(frame!, repeats, n);
        renderMs.push(e.ms);
        edgePixels = e.edges.reduce((a, v) => a + v, 0);
        const t0 = performance.now();
        addEmission(subtractEmission(frame!.color, frameEmission(frame!)), e.antialiased);
        cpuMs.push(performance.now() - t0);
      }
      rows.push({ rays: n, renderMs: median(renderMs), cpuMs: median(cpuMs) });
    }
    return {
      scene: name, size: `${width}x${height}`, spp, frameMs: median(frameTimes), firstHitFrameMs: median(firstHitTimes),
      depth0Ms: median(depth0Times), rows, edgePixels,
    };
  } finally {
    for (const o of owned) o.destroy();
  }
}

export function formatEmissionBench(r: EmissionBenchResult): string {
  const [w, h] = r.size.split('x').map(Number);
  const lines = [
    `${r.scene} ${r.size}, a ${r.spp}-spp frame (max depth 8, read back): ${r.frameMs.toFixed(0)} ms; ` +
      `${r.firstHitFrameMs.toFixed(0)} ms with its first-hit emission (${(r.firstHitFrameMs / r.frameMs).toFixed(2)}x), ` +
      `which replaces a depth-0 render of its samples + read-back: ${r.depth0Ms.toFixed(0)} ms (${(r.depth0Ms / r.frameMs).toFixed(2)}x the frame)`,
    `  ${r.edgePixels} pixels (${((100 * r.edgePixels) / (w * h)).toFixed(1)}%) near an edge of the emission get the anti-aliasing rays`,
  ];
  for (const row of r.rows) {
    lines.push(
      `  separation with ${row.rays} Sobol rays: edge search + anti-aliased render + read-back ${row.renderMs.toFixed(0)} ms ` +
        `(${(row.renderMs / r.frameMs).toFixed(2)}x the frame), subtract + add on the CPU ${row.cpuMs.toFixed(0)} ms`,
    );
  }
  return lines.join('\n');
}
