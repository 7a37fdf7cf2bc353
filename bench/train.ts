// Training throughput: steps/s of the WGSL training step (forward, loss, backward, Adam) for each network spec,
// and the achieved GFLOP/s against the adapter's f32 FMA peak. FLOPs per step are counted as 3 x the forward
// pass (forward, input gradients, weight gradients: each 2 FLOPs per MAC), the usual estimate; the conv
// gradients of the first layer's input are skipped by the runtime, so this slightly overstates the work.
// Each spec is timed twice: on one fixed batch (the GPU step with its upload), and as the training loop feeds it,
// each step's batch cut by sampleBatch from 256x256 pairs on the CPU first; the CPU's time per batch is printed
// too, so a gap between the two rates shows how much of a run is host-side batch preparation. The sampled rate is
// timed with the loop's queue bound (at most 2 steps in flight) and, for comparison, draining the queue every 4 steps,
// and with the batches sampled ahead on worker threads (BatchPool), as `tracelab train` does on a GPU.
// Each spec runs with every strip height of the conv kernels given (`--rows`, default 4 and 8: rows of pixels per
// invocation, TrainKernels' stripRows), side by side in one run. Before timing anything, one step of a tiny
// network at each strip height is checked against the float64 reference (output and every gradient), so that a
// fast figure from kernels that compute the wrong thing on this adapter cannot pass unnoticed (exit code 1).
// `--profile` adds where one step's time goes: every pass submitted alone (so each also pays a submit and a wait),
// summed per kernel, and the slowest passes.
// `node bin/run-ts.js bench/train.ts [--quick] [--batch B] [--crop C] [--spec n2n-fast] [--rows 4,8] [--profile]`
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BatchPool, batchWorkerSetup, DEFAULT_BATCH_THREADS, runBatchWorker } from '../src/node/batch-pool.ts';
import { builtinSpec, type BuiltinSpecName } from '../src/denoise/specs.ts';
import { macsPerPixel } from '../src/denoise/spec.ts';
import type { GpuContext } from '../src/gpu/context.ts';
import { createNodeGpuContext } from '../src/node/gpu.ts';
import { makePair, sampleBatch, type PairPrep, type TrainingPair } from '../src/train/data.ts';
import { isStripRows, STRIP_ROWS, TrainKernels, type StripRows } from '../src/train/kernels.ts';
import { stepVsReference, TINY_SPEC, tinyWeights } from '../tests/train/support.ts';
import { NetworkTrainer, type Batch } from '../src/train/trainer.ts';
import { mulberry32 } from '../tests/support/random.ts';
import { measureFmaPeak } from './fma-peak.ts';
import { isBenchMain } from './is-main.ts';

export interface TrainBenchRow {
  spec: string;
  /** TrainKernels' stripRows. */
  stripRows: StripRows;
  batch: number;
  crop: number;
  stepsPerSecond: number;
  gflops: number;
  /** Steps/s when every step's batch comes from sampleBatch (as in `tracelab train`: at most 2 steps in flight). */
  sampledStepsPerSecond: number;
  /** The same with the queue drained every 4 steps (the training loop before throttle()), for comparison. */
  sampledDrainStepsPerSecond: number;
  /** CPU time of one sampleBatch call alone, ms. */
  sampleMs: number;
  /** Steps/s with the batches sampled ahead on DEFAULT_BATCH_THREADS worker threads (BatchPool), as `tracelab train` on a GPU. */
  pooledStepsPerSecond: number;
}

/** Synthetic 256x256 noisy pairs for sampleBatch, prepared as the training run prepares rendered ones. */
function syntheticPairs(prep: PairPrep, count: number): TrainingPair[] {
  const rnd = mulberry32(11);
  const n = 256 * 256 * 3;
  return Array.from({ length: count }, (_, i) => {
    const [a, b, albedo, normal] = [0, 1, 2, 3].map(() => Float32Array.from({ length: n }, () => rnd()));
    return makePair(`synthetic-${i}`, 256, 256, 4, a, b, albedo, normal, false, prep);
  });
}

export interface KernelCheck {
  stripRows: StripRows;
  /** Largest |GPU - float64| output value. */
  outputError: number;
  /** Largest |GPU - float64| gradient over the layer's largest |gradient|, over all layers' weights and biases. */
  gradientError: number;
  ok: boolean;
}

/** One training step of a tiny U-Net (2 x 20x24, HDR loss) on this adapter against the float64 reference. */
export async function checkTrainKernels(gpu: GpuContext, stripRows: StripRows): Promise<KernelCheck> {
  const kernels = await TrainKernels.create(gpu, { stripRows });
  const c = await stepVsReference(gpu, kernels, TINY_SPEC, tinyWeights(21), 'hdr', [2, 20, 24]);
  const gradientError = Math.max(...c.gradients.map((l) => l.error / l.scale));
  // the graph test's tolerances (tests/train/graph.test.ts); NaN (a layer without gradient) fails too
  return { stripRows, outputError: c.outputError, gradientError, ok: c.outputError < 2e-6 && gradientError < 1e-4 };
}

/** Per-pass wall times of one step (each pass submitted alone), summed by kernel, and the slowest passes. */
export interface StepProfile {
  byKernel: { kernel: string; ms: number }[];
  slowest: { label: string; workgroups: readonly number[]; ms: number }[];
  totalMs: number;
}

export async function runTrainBench(gpu: GpuContext, specs: string[], batch: number, crop: number, seconds: number,
  stripRows: readonly StripRows[] = STRIP_ROWS, profile = false): Promise<(TrainBenchRow & { profile?: StepProfile })[]> {
  const rows: (TrainBenchRow & { profile?: StepProfile })[] = [];
  for (const name of specs) for (const strip of stripRows) {
    const spec = builtinSpec(name as BuiltinSpecName);
    const kernels = await TrainKernels.create(gpu, { stripRows: strip });
    const trainer = await NetworkTrainer.create(gpu, { spec, loss: 'hdr', batch, crop }, kernels);
    try {
      const sizes = trainer.batchSizes;
      const rnd = mulberry32(5);
      const input = Float32Array.from({ length: sizes.input }, () => rnd() - 0.5);
      const target = Float32Array.from({ length: sizes.target }, () => rnd() * 2);
      await trainer.trainStep({ input, target }, 1e-4, true); // warm-up (pipelines, allocation)
      const timeSteps = async (batchOf: (step: number) => Batch | Promise<Batch>, drain = false): Promise<{ steps: number; s: number }> => {
        let steps = 0;
        const t0 = performance.now();
        while (performance.now() - t0 < seconds * 1000 || steps < 3) {
          await trainer.trainStep(await batchOf(steps), 1e-4, false);
          steps++;
          if (!drain) await trainer.throttle(2);
          else if (steps % 4 === 0) await trainer.sync();
        }
        await trainer.sync();
        return { steps, s: (performance.now() - t0) / 1000 };
      };
      const fixed = await timeSteps(() => ({ input, target }));
      const pairs = syntheticPairs(spec, 16);
      // as the training loop does: each batch refills the last one's arrays
      let last: Batch | undefined;
      const sampled = await timeSteps((step) => (last = sampleBatch(spec, pairs, batch, crop, mulberry32(step), last)));
      const drained = await timeSteps((step) => (last = sampleBatch(spec, pairs, batch, crop, mulberry32(step), last)), true);
      // as `tracelab train` does on a GPU: the batches sampled ahead on worker threads
      const pool = new BatchPool(DEFAULT_BATCH_THREADS, { spec: name as BuiltinSpecName, batch, crop, seed: 5, pairs }, Number.MAX_SAFE_INTEGER, undefined, batchWorker());
      let pooled: { steps: number; s: number };
      try {
        await pool.batch(0); // the workers' start-up
        pooled = await timeSteps((step) => pool.batch(step + 1));
      } finally {
        await pool.destroy();
      }
      const t1 = performance.now();
      for (let i = 0; i < 10; i++) last = sampleBatch(spec, pairs, batch, crop, mulberry32(i), last);
      const sampleMs = (performance.now() - t1) / 10;
      const flopsPerStep = 3 * 2 * macsPerPixel(spec) * batch * crop * crop;
      let stepProfile: StepProfile | undefined;
      if (profile) {
        const passes = await trainer.profileStep(3);
        const byKernel = new Map<string, number>();
        for (const p of passes) byKernel.set(p.kernel, (byKernel.get(p.kernel) ?? 0) + p.ms);
        stepProfile = {
          byKernel: [...byKernel].map(([kernel, ms]) => ({ kernel, ms })).sort((a, b) => b.ms - a.ms),
          slowest: [...passes].sort((a, b) => b.ms - a.ms).slice(0, 8).map(({ label, workgroups, ms }) => ({ label, workgroups, ms })),
          totalMs: passes.reduce((t, p) => t + p.ms, 0),
        };
      }
      rows.push({
        profile: stepProfile,
        spec: name, stripRows: strip, batch, crop, stepsPerSecond: fixed.steps / fixed.s, gflops: (flopsPerStep * fixed.steps) / fixed.s / 1e9,
        sampledStepsPerSecond: sampled.steps / sampled.s, sampledDrainStepsPerSecond: drained.steps / drained.s, sampleMs,
        pooledStepsPerSecond: pooled.steps / pooled.s,
      });
    } finally {
      trainer.destroy();
    }
  }
  return rows;
}

/**
 * How BatchPool's workers start this script: bundled (the training kit), the script itself; as TypeScript, through
 * bin/run-ts.js (whose loaders a worker does not inherit).
 */
function batchWorker(): { entry: string; argv?: string[] } {
  const self = fileURLToPath(import.meta.url);
  return self.endsWith('.ts') ? { entry: fileURLToPath(new URL('../bin/run-ts.js', import.meta.url)), argv: [self] } : { entry: self };
}

const batchSetup = batchWorkerSetup();
if (batchSetup) runBatchWorker(batchSetup);
else if (isBenchMain(import.meta.url, 'train')) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, batch: { type: 'string' }, crop: { type: 'string' }, spec: { type: 'string' }, rows: { type: 'string' }, profile: { type: 'boolean' } } });
  const rowsText = (values.rows ?? STRIP_ROWS.join(',')).split(',').map(Number);
  if (!rowsText.every(isStripRows)) {
    console.error(`bench/train.ts: --rows takes ${STRIP_ROWS.join(' and/or ')} (comma-separated), got '${values.rows}'`);
    process.exit(2);
  }
  const rowsArg: StripRows[] = rowsText;
  const gpu = await createNodeGpuContext();
  try {
    const quick = values.quick ?? false;
    const batch = Number(values.batch ?? (quick ? 2 : 8));
    const crop = Number(values.crop ?? (quick ? 64 : 128));
    const specs = values.spec ? [values.spec] : ['n2n-fast', 'n2n-paper'];
    console.log(`adapter: ${gpu.adapter.name}`);
    const peak = await measureFmaPeak(gpu, { runs: quick ? 2 : 5 });
    const peakGflops = peak.f32.gflops;
    console.log(`FMA peak f32: ${peakGflops.toFixed(1)} GFLOP/s`);
    let failed = false;
    for (const r of rowsArg) {
      const c = await checkTrainKernels(gpu, r);
      console.log(`kernel check, rows ${r}: output error ${c.outputError.toExponential(2)}, gradient error ${c.gradientError.toExponential(2)} (relative): ${c.ok ? 'ok' : 'WRONG'}`);
      failed ||= !c.ok;
    }
    if (failed) {
      console.error('bench/train.ts: the training kernels disagree with the float64 reference on this adapter; not timing them');
      process.exitCode = 1;
    }
    for (const r of failed ? [] : await runTrainBench(gpu, specs, batch, crop, quick ? 2 : 8, rowsArg, values.profile ?? false)) {
      console.log(`${r.spec.padEnd(10)} rows ${r.stripRows} batch ${r.batch} x ${r.crop}x${r.crop}: ${r.stepsPerSecond.toFixed(2)} steps/s, ${r.gflops.toFixed(1)} GFLOP/s = ${((100 * r.gflops) / peakGflops).toFixed(1)}% of peak; ` +
        `with sampleBatch: ${r.sampledStepsPerSecond.toFixed(2)} steps/s (draining the queue every 4 steps: ${r.sampledDrainStepsPerSecond.toFixed(2)}; ` +
        `sampleBatch alone ${r.sampleMs.toFixed(1)} ms); sampled on ${DEFAULT_BATCH_THREADS} worker threads: ${r.pooledStepsPerSecond.toFixed(2)} steps/s`);
      const p = r.profile;
      if (p) {
        const pct = (ms: number) => `${ms.toFixed(2)} ms (${((100 * ms) / p.totalMs).toFixed(0)}%)`;
        console.log(`  passes one by one: ${p.totalMs.toFixed(1)} ms; by kernel: ${p.byKernel.map((k) => `${k.kernel} ${pct(k.ms)}`).join(', ')}`);
        console.log(`  slowest: ${p.slowest.map((x) => `${x.label} [${x.workgroups.join('x')}] ${pct(x.ms)}`).join('; ')}`);
      }
    }
  } finally {
    gpu.destroy();
  }
}
