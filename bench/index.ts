// `npm run bench`: path tracer throughput, time to first frame, the adapter's FMA peak, denoiser throughput, the
// cost of emission separation, and BVH build, printed with the adapter.
// Options: --quick (shorter measurements; the denoiser at 512x512 with n2n-fast only).
import { createNodeGpuContext } from '../src/node/gpu.ts';
import { measureFirstFrame, measureThroughput } from './pathtracer.ts';
import { formatBvhBench, runBvhBench } from './bvh.ts';
import { formatEmissionBench, runEmissionBench } from './emission.ts';
import type { ConvStrip } from '../src/denoise/conv.ts';
import { runDenoiseBench } from './denoise.ts';
import { formatFmaRun, measureFmaPeak } from './fma-peak.ts';

const quick = process.argv.includes('--quick');
const seconds = quick ? 1 : 4;
const gpu = await createNodeGpuContext();
const fmt = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : `${(v / 1e3).toFixed(0)}k`);
try {
  console.log(`adapter: ${gpu.adapter.name}${gpu.adapter.isFallback ? ' (software)' : ''}`);
  console.log('\n== path tracer throughput (pixel samples/s; one sample = one camera path) ==');
  for (const [scene, w, h, depth] of [
    ['cornell-box', 512, 512, 8],
    ['cornell-box', 256, 256, 8],
    ['bunny-field', 512, 512, 8],
  ] as const) {
    const r = await measureThroughput(gpu, scene, w, h, depth, seconds);
    console.log(`${r.scene.padEnd(12)} ${r.size.padEnd(8)} max depth ${r.maxDepth}: ${fmt(r.samplesPerSecond)} samples/s (${r.spp} spp in ${r.seconds.toFixed(1)} s)`);
  }
  console.log('\n== time to first frame (512x512, 1 spp) ==');
  const ff = await measureFirstFrame(gpu, 'bunny-field', 512, 512);
  console.log(
    `${ff.scene} (${ff.triangles.toLocaleString('en')} triangles): total ${ff.totalMs.toFixed(0)} ms = scene build ${ff.buildMs.toFixed(0)} ms + ` +
      `gather ${ff.gatherMs.toFixed(0)} ms + BVH ${ff.bvhMs.toFixed(0)} ms + pipeline/upload ${ff.pipelineAndUploadMs.toFixed(0)} ms + first pass ${ff.firstPassMs.toFixed(0)} ms; ` +
      `a second tracer of the scene (sharing its GPU copy) ${ff.secondTracerMs.toFixed(0)} ms`,
  );
  console.log('\n== FMA peak (bench/fma-peak.ts; the denominator of the denoiser efficiency) ==');
  const peak = await measureFmaPeak(gpu, quick ? { targetMs: 60, runs: 2 } : {});
  console.log(formatFmaRun(peak.f32));
  console.log(peak.f16 ? formatFmaRun(peak.f16) : 'f16: adapter has no shader-f16');
  console.log('\n== denoiser (f32 tensors; ms per frame, MACs per pixel, achieved GFLOP/s, share of the f32 FMA peak) ==');
  await runDenoiseBench({
    gpu,
    peakGflops: peak.gflops,
    precision: 'f32',
    ...(quick ? { specs: ['n2n-fast'], sizes: [[512, 512]] as Array<[number, number]>, repeats: 1 } : { strips: ['8x16', '4x8'] as ConvStrip[] }),
  });
  console.log('\n== emission separation (src/render/emission.ts; what `demo` and `render --denoise` add to a denoise) ==');
  console.log(formatEmissionBench(await runEmissionBench(gpu, quick ? { rays: [16], repeats: 1 } : {})));
} finally {
  gpu.destroy();
}
console.log('\n== BVH build (1M triangles) ==');
console.log(formatBvhBench(await runBvhBench(quick ? { triangles: 250_000 } : {})));
