// Path tracer throughput and time to first frame. Figures are printed with the adapter's name.
import { findScene } from '../scenes/index.ts';
import type { GpuContext } from '../src/gpu/context.ts';
import { IntegratorPipeline, PathTracer } from '../src/render/path-tracer.ts';
import { compileScene } from '../src/scene/compile.ts';

export interface ThroughputResult {
  scene: string;
  size: string;
  maxDepth: number;
  spp: number;
  seconds: number;
  samplesPerSecond: number;
}

export async function measureThroughput(gpu: GpuContext, sceneName: string, width: number, height: number, maxDepth: number, minSeconds = 3): Promise<ThroughputResult> {
  const entry = findScene(sceneName)!;
  const scene = compileScene(await entry.build(), { name: sceneName });
  // PathTracer's default batching (2^20 paths per submit): what the CLI and the app use.
  const pt = await PathTracer.create(gpu, scene, { width, height, maxDepth });
  const batch = Math.max(1, Math.floor((1 << 20) / (width * height)));
  try {
    await pt.render({ spp: 1, seed: 0 }); // warm-up: pipeline compilation and first-touch
    pt.reset(1);
    const t0 = performance.now();
    let spp = 0;
    while (performance.now() - t0 < minSeconds * 1000) {
      await pt.accumulate(batch);
      spp += batch;
    }
    const seconds = (performance.now() - t0) / 1000;
    return { scene: sceneName, size: `${width}x${height}`, maxDepth, spp, seconds, samplesPerSecond: (spp * width * height) / seconds };
  } finally {
    pt.destroy();
  }
}

export interface FirstFrameResult {
  scene: string;
  triangles: number;
  buildMs: number;
  gatherMs: number;
  bvhMs: number;
  pipelineAndUploadMs: number;
  firstPassMs: number;
  totalMs: number;
  /** PathTracer.create of a second tracer of the same scene while the first lives (it shares the scene's GPU copy). */
  secondTracerMs: number;
}

/**
 * Scene build + compile (gather + BVH) + pipeline + upload + one 1-spp pass, read back. The integrator's
 * shader compilation is started first and runs on the driver's threads while the scene compiles.
 */
export async function measureFirstFrame(gpu: GpuContext, sceneName: string, width: number, height: number): Promise<FirstFrameResult> {
  const t0 = performance.now();
  const pipeline = IntegratorPipeline.create(gpu);
  const built = await findScene(sceneName)!.build();
  const t1 = performance.now();
  const scene = compileScene(built, { name: sceneName });
  const t2 = performance.now();
  const pt = await PathTracer.create(gpu, scene, { width, height, maxDepth: 8, pipeline });
  const t3 = performance.now();
  await pt.render({ spp: 1, seed: 0 });
  await pt.readFrame();
  const t4 = performance.now();
  // another view of the scene (the app's preview, reference, anti-aliased emission, online training)
  const second = await PathTracer.create(gpu, scene, { width: width / 4, height: height / 4, maxDepth: 8, pipeline });
  await gpu.device.queue.onSubmittedWorkDone();
  const t5 = performance.now();
  second.destroy();
  pt.destroy();
  return {
    scene: sceneName,
    triangles: scene.triangleCount,
    buildMs: t1 - t0,
    gatherMs: scene.timings.gatherMs,
    bvhMs: scene.timings.bvhMs,
    pipelineAndUploadMs: t3 - t2,
    firstPassMs: t4 - t3,
    totalMs: t4 - t0,
    secondTracerMs: t5 - t4,
  };
}
