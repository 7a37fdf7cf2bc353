// The adapter's peak FMA throughput, measured by a microbenchmark (shaders/bench/fma-peak.wgsl): the denominator
// of the denoiser's efficiency ratio. One FMA counts as 2 FLOPs. f32 always; f16 when the adapter has shader-f16.
// Run alone: node bin/run-ts.js bench/fma-peak.ts [--quick]
import type { GpuContext } from '../src/gpu/context.ts';
import fmaPeakWgsl from '../shaders/bench/fma-peak.wgsl?raw';
import f32Prefix from '../shaders/bench/fma-f32.wgsl?raw';
import f16Prefix from '../shaders/bench/fma-f16.wgsl?raw';
import { isBenchMain } from './is-main.ts';

/** FMAs per invocation per loop trip in fma-peak.wgsl: 8 vec4 accumulators x 4 unrolled steps x 4 lanes. */
const FMAS_PER_TRIP = 8 * 4 * 4;
const WORKGROUP_SIZE = 64;
/** a <- a * m + c: exact in f16 and f32, moves every chain towards 1 (see the shader). */
const MULTIPLIER = 1 - 2 ** -10;
const ADDEND = 2 ** -10;
/** Invocation whose result the host replays to check that every trip ran. */
const CHECKED_INVOCATION = 5;

export interface FmaPeakOptions {
  /** Aim for dispatches of about this long (ms). Default 150. */
  targetMs?: number;
  /** Timed dispatches; the best counts (the best resists other load on a shared machine). Default 5. */
  runs?: number;
  /** Workgroups of 64 invocations; default 4096 (262144 invocations: enough to fill a large GPU). */
  workgroups?: number;
}

export interface FmaRun {
  type: 'f32' | 'f16';
  /** Best of the runs. */
  gflops: number;
  /** Duration of the best run (ms), by `timing`. */
  bestMs: number;
  /** 'timestamp': GPU timestamp queries around the pass; 'wall': submit to onSubmittedWorkDone. */
  timing: 'timestamp' | 'wall';
  /** Every run's duration by `timing` (ms), and by wall clock. */
  runsMs: number[];
  wallMs: number[];
  invocations: number;
  iterations: number;
  flopsPerDispatch: number;
}

export interface FmaPeakResult {
  adapter: string;
  /** f32 peak, GFLOP/s (the figure to compare f32 kernels with). */
  gflops: number;
  f32: FmaRun;
  /** Null when the adapter lacks shader-f16. */
  f16: FmaRun | null;
}

export async function measureFmaPeak(gpu: GpuContext, options: FmaPeakOptions = {}): Promise<FmaPeakResult> {
  const f32 = await measureType(gpu, 'f32', options);
  const f16 = gpu.features.has('shader-f16') ? await measureType(gpu, 'f16', options) : null;
  return { adapter: gpu.adapter.name, gflops: f32.gflops, f32, f16 };
}

interface Timed {
  wallMs: number;
  /** Null without timestamp queries, or when the timestamps are implausible. */
  gpuMs: number | null;
}

async function measureType(gpu: GpuContext, type: 'f32' | 'f16', options: FmaPeakOptions): Promise<FmaRun> {
  const targetMs = options.targetMs ?? 150;
  const runs = options.runs ?? 5;
  const workgroups = options.workgroups ?? 4096;
  if (!(targetMs > 0) || !(runs >= 1) || !Number.isInteger(workgroups) || workgroups < 1 || workgroups > 65535) {
    throw new RangeError(`bench/fma-peak: bad options ${JSON.stringify(options)}`);
  }
  const invocations = workgroups * WORKGROUP_SIZE;
  const device = gpu.device;
  const code = [type === 'f16' ? f16Prefix : f32Prefix, fmaPeakWgsl].join('\n');
  const pipeline = await gpu.computePipeline(`fma peak ${type}`, code, { WORKGROUP_SIZE });
  const params = device.createBuffer({ label: `fma peak ${type} params`, size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const result = device.createBuffer({ label: `fma peak ${type} result`, size: invocations * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const useTimestamps = gpu.features.has('timestamp-query');
  const querySet = useTimestamps ? device.createQuerySet({ label: `fma peak ${type} timestamps`, type: 'timestamp', count: 2 }) : null;
  const resolved = useTimestamps
    ? device.createBuffer({ label: `fma peak ${type} timestamps resolved`, size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC })
    : null;
  const bindGroup = device.createBindGroup({
    label: `fma peak ${type} bind group`,
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: params } }, { binding: 1, resource: { buffer: result } }],
  });

  const dispatch = async (iterations: number): Promise<Timed> => {
    const p = new ArrayBuffer(16);
    new Uint32Array(p, 0, 1)[0] = iterations;
    new Float32Array(p, 4, 2).set([MULTIPLIER, ADDEND]);
    device.queue.writeBuffer(params, 0, p);
    await device.queue.onSubmittedWorkDone(); // the timed submit starts on an idle queue
    const enc = device.createCommandEncoder({ label: `fma peak ${type}` });
    const pass = enc.beginComputePass({
      label: `fma peak ${type} pass`,
      timestampWrites: querySet ? { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } : undefined,
    });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(workgroups);
    pass.end();
    if (querySet && resolved) enc.resolveQuerySet(querySet, 0, 2, resolved, 0);
    const commands = enc.finish();
    const t0 = performance.now();
    device.queue.submit([commands]);
    await device.queue.onSubmittedWorkDone();
    const wallMs = performance.now() - t0;
    let gpuMs: number | null = null;
    if (resolved) {
      const [begin, end] = new BigUint64Array(await gpu.readBuffer(resolved));
      const ms = Number(end - begin) / 1e6;
      // Some drivers return zeros or wrapped values; trust timestamps only if they are within the wall time.
      if (end > begin && ms <= wallMs * 1.05 + 1) gpuMs = ms;
    }
    return { wallMs, gpuMs };
  };

  try {
    return await gpu.scoped(`fma peak ${type}`, async () => {
      // Calibrate the trip count: a warm-up dispatch (first-use costs), then grow until a dispatch is long
      // enough to time, scale to the target, and rescale once from a dispatch of about the target length.
      await dispatch(1);
      let iterations = 4;
      let t = await dispatch(iterations);
      while (t.wallMs < targetMs / 8 && iterations < 1 << 24) {
        iterations *= 4;
        t = await dispatch(iterations);
      }
      const scaled = (): number => Math.max(1, Math.round((iterations * targetMs) / (t.gpuMs ?? t.wallMs)));
      iterations = scaled();
      t = await dispatch(iterations);
      iterations = scaled();
      const timed: Timed[] = [];
      for (let r = 0; r < runs; r++) timed.push(await dispatch(iterations));
      checkResult(type, iterations, new Float32Array(await gpu.readBuffer(result, CHECKED_INVOCATION * 16, 16)));
      const timing = timed.every((x) => x.gpuMs !== null) ? 'timestamp' : 'wall';
      const runsMs = timed.map((x) => (timing === 'timestamp' ? x.gpuMs! : x.wallMs));
      const bestMs = Math.min(...runsMs);
      const flopsPerDispatch = 2 * FMAS_PER_TRIP * iterations * invocations;
      return {
        type,
        gflops: flopsPerDispatch / (bestMs * 1e6),
        bestMs,
        timing,
        runsMs,
        wallMs: timed.map((x) => x.wallMs),
        invocations,
        iterations,
        flopsPerDispatch,
      } satisfies FmaRun;
    });
  } finally {
    params.destroy();
    result.destroy();
    querySet?.destroy();
    resolved?.destroy();
  }
}

/** Rounds to the nearest f16 value (ties to even); inputs here are normal, positive and below 2. */
function roundF16(x: number): number {
  let e = Math.floor(Math.log2(x));
  if (2 ** e > x) e--;
  if (2 ** (e + 1) <= x) e++;
  const ulp = 2 ** (Math.max(e, -14) - 10);
  const q = x / ulp;
  const r = Math.round(q);
  return (r - q === 0.5 && r % 2 === 1 ? r - 1 : r) * ulp;
}

/**
 * Replays one invocation's chains on the CPU and compares with what the GPU stored, so a compiler that skipped
 * or shortened the loop (which would inflate the figure) is caught. The tolerance allows an adapter that
 * rounds the product before the add (not fused) or computes f16 in f32: such differences stay bounded because
 * every step contracts them by m.
 */
function checkResult(type: 'f32' | 'f16', iterations: number, got: Float32Array): void {
  const round = type === 'f16' ? roundF16 : Math.fround;
  const lane = (CHECKED_INVOCATION & 15) * 0.03125;
  const expected: number[] = [];
  for (let comp = 0; comp < 4; comp++) {
    const chains = Array.from({ length: 8 }, (_, k) => lane + comp * 0.015625 + k * 0.125);
    // a * m is exact in double for f16/f32 inputs, so round(a * m + c) is one correctly rounded FMA.
    for (let step = 0; step < 4 * iterations; step++) {
      let changed = false;
      for (let k = 0; k < 8; k++) {
        const next = round(chains[k] * MULTIPLIER + ADDEND);
        if (next !== chains[k]) changed = true;
        chains[k] = next;
      }
      if (!changed) break; // every chain has reached its fixed point
    }
    const add = (a: number, b: number) => round(a + b);
    const [a0, a1, a2, a3, a4, a5, a6, a7] = chains;
    expected.push(add(add(add(a0, a1), add(a2, a3)), add(add(a4, a5), add(a6, a7))));
  }
  const tolerance = type === 'f16' ? 2e-2 : 1e-3;
  for (let comp = 0; comp < 4; comp++) {
    if (!(Math.abs(got[comp] - expected[comp]) <= tolerance * expected[comp])) {
      throw new Error(
        `bench/fma-peak: ${type} kernel result ${got[comp]} differs from the replayed ${expected[comp]} ` +
          `(component ${comp}, ${iterations} trips): the loop did not run as written, so the figure would be wrong`,
      );
    }
  }
}

export function formatFmaRun(run: FmaRun): string {
  const wallBest = Math.min(...run.wallMs);
  return `${run.type}: ${run.gflops.toFixed(1)} GFLOP/s (best of ${run.runsMs.length}: ${run.bestMs.toFixed(1)} ms by ${run.timing}, ` +
    `${(run.flopsPerDispatch / (wallBest * 1e6)).toFixed(1)} GFLOP/s by wall clock; ` +
    `${run.invocations} invocations x ${run.iterations} trips x ${FMAS_PER_TRIP} FMAs)`;
}

if (isBenchMain(import.meta.url, 'fma-peak')) {
  const { createNodeGpuContext } = await import('../src/node/gpu.ts');
  const quick = process.argv.includes('--quick');
  const gpu = await createNodeGpuContext();
  try {
    console.log(`adapter: ${gpu.adapter.name}${gpu.adapter.isFallback ? ' (software)' : ''}`);
    const peak = await measureFmaPeak(gpu, quick ? { targetMs: 60, runs: 2 } : {});
    console.log(`FMA peak ${formatFmaRun(peak.f32)}`);
    console.log(peak.f16 ? `FMA peak ${formatFmaRun(peak.f16)}` : 'FMA peak f16: adapter has no shader-f16');
  } finally {
    gpu.destroy();
  }
}
