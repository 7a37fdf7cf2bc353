// The app's online training, side by side in one run, for the same wall time each: its settings (ONLINE_SETTINGS:
// two 32x32 crops per Adam step, a new 8-spp pair of the view every 8 steps) with its StepBudget (as many steps per
// train frame as fit FRAME_BUDGET_MS at the measured time per step, src/app/online-schedule.ts) and with one step per
// train frame, and the app's settings before both (a new 1-spp pair and one step per train frame). Each trains a
// fresh OnlineTrainer from the shipped weights at the app's learning rate for trained weights, train frame after
// train frame with nothing else between (the app also renders between them: this is the training side alone).
// Printed per row: train frames, steps, steps/s, steps per frame, the share of the time spent on steps (the rest
// renders, reads back and prepares the pairs: per pair too, beside the CPU preparation alone, and how long the train
// frames waited for their pairs, which the prefetch row's background renders are to hide), and the PSNR of
// fixed 4- and 16-spp frames of the view denoised with the weights reached, against a cached reference.
// `--windows 128,64` adds rows with the app's settings and one step per train frame whose pairs are rendered in a
// window of that size at a random place (OnlineTrainer's `window` option) instead of the whole view: cheaper pairs,
// so more steps in the same time. `--steps-per-pair 16,32` adds rows with the app's settings and one step per train
// frame but a new pair every that many steps (each pair trained on longer, less time rendering). `--seed N` is the
// trainers' seed (default 1), to see the rows' spread.
// `node bin/run-ts.js bench/online.ts [--scene cornell-box] [--size 256] [--seconds 30] [--ref-spp 256] [--windows LIST]
// [--steps-per-pair LIST] [--seed 1]` (npm run bench:online)
import { parseArgs } from 'node:util';
import { FRAME_BUDGET_MS } from '../src/app/budget.ts';
import { loadN2nWeights } from '../src/cli/compare-files.ts';
import { LEARNING_RATE, ONLINE_SETTINGS, StepBudget } from '../src/app/online-schedule.ts';
import { Denoiser } from '../src/denoise/denoiser.ts';
import { builtinSpec } from '../src/denoise/specs.ts';
import type { NetworkWeights } from '../src/denoise/weights.ts';
import type { GpuContext } from '../src/gpu/context.ts';
import type { N2nModel } from '../src/harness/denoisers/n2n.ts';
import { ensureReference, REFERENCE_SEED } from '../src/harness/reference-cache.ts';
import type { ImageF32 } from '../src/image/image.ts';
import { psnr } from '../src/metrics/psnr.ts';
import { createNodeGpuContext } from '../src/node/gpu.ts';
import { FileReferenceStore } from '../src/node/reference-store.ts';
import { loadScene } from '../src/node/load-scene.ts';
import { PathTracer, type FrameData } from '../src/render/path-tracer.ts';
import { compileScene, type CompiledScene } from '../src/scene/compile.ts';
import { makePair } from '../src/train/data.ts';
import { OnlineTrainer } from '../src/train/online.ts';
import { isBenchMain } from './is-main.ts';

const MODEL: N2nModel = 'n2n-fast';
const FRAME_SPPS = [4, 16];
const FRAME_SEED = 99;
/** The app's online settings before pairs of more samples (a new 1-spp pair every train frame). */
const ONE_SPP_PAIRS = { ...ONLINE_SETTINGS, sppPerRender: 1, stepsPerPair: 1 };

export interface OnlinePolicyResult {
  policy: string;
  frames: number;
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  /** Mean and last steps per train frame. */
  meanStepsPerFrame: number;
  lastStepsPerFrame: number;
  /** Share of the wall time spent in Adam steps (the rest renders the pairs). */
  stepShare: number;
  /** PSNR of the fixed frames (FRAME_SPPS) denoised with the weights reached. */
  psnr: number[];
  /** Pairs rendered, and the wall time outside the steps per pair (rendering, reading back and preparing it), ms. */
  pairs: number;
  msPerPair: number;
  /**
   * Wall time per pair that train frames spent getting their new pair (OnlineFrameResult.pairMs), ms: the whole
   * pair without prefetch, the wait for the background one with it (0: it was always ready in time).
   */
  waitMsPerPair: number;
}

export interface OnlineBenchResult {
  adapter: string;
  scene: string;
  size: number;
  seconds: number;
  /** The trainers' seed. */
  seed: number;
  referenceSpp: number;
  /** CPU time of preparing one pair of the view's size from two read-back frames (makePair), ms (fastest of 5). */
  prepareMs: number;
  noisyPsnr: number[];
  startPsnr: number[];
  rows: OnlinePolicyResult[];
}

async function denoisedPsnr(gpu: GpuContext, weights: NetworkWeights, frames: FrameData[], reference: ImageF32): Promise<number[]> {
  const denoiser = await Denoiser.create(gpu, { spec: builtinSpec(MODEL), weights });
  try {
    const out: number[] = [];
    for (const frame of frames) {
      const image = await denoiser.denoise({ width: frame.width, height: frame.height, color: frame.color, albedo: frame.albedo, normal: frame.normal });
      const data = await image.read();
      image.destroy();
      out.push(psnr({ width: frame.width, height: frame.height, channels: 3, data }, reference));
    }
    return out;
  } finally {
    denoiser.destroy();
  }
}

async function trainFor(
  gpu: GpuContext, scene: CompiledScene, size: number, weights: NetworkWeights, seconds: number, seed: number,
  policy: { name: string; settings: typeof ONLINE_SETTINGS & { prefetch?: boolean; window?: number }; steps: () => number; record: (steps: number, ms: number) => void },
): Promise<{ row: Omit<OnlinePolicyResult, 'psnr'>; weights: NetworkWeights }> {
  const trainer = await OnlineTrainer.create(gpu, scene, {
    spec: builtinSpec(MODEL), weights, width: size, height: size, ...policy.settings, learningRate: LEARNING_RATE.trained, seed,
  });
  try {
    await trainer.trainFrame(1); // warm-up: pipelines and the first pair
    const start = trainer.step;
    let frames = 0;
    let stepMs = 0;
    let last = 0;
    let pairs = 0;
    let pairMs = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      const r = await trainer.trainFrame(policy.steps());
      policy.record(r.steps, r.stepMs);
      frames++;
      stepMs += r.stepMs;
      last = r.steps;
      if (r.rendered) pairs++;
      pairMs += r.pairMs;
    }
    const elapsed = (performance.now() - t0) / 1000;
    const steps = trainer.step - start;
    return {
      row: {
        policy: policy.name, frames, steps, seconds: elapsed, stepsPerSecond: steps / elapsed,
        meanStepsPerFrame: steps / frames, lastStepsPerFrame: last, stepShare: stepMs / 1000 / elapsed,
        pairs, msPerPair: pairs ? (elapsed * 1000 - stepMs) / pairs : 0, waitMsPerPair: pairs ? pairMs / pairs : 0,
      },
      weights: await trainer.weights(),
    };
  } finally {
    trainer.destroy();
  }
}

export async function runOnlineBench(
  gpu: GpuContext,
  opts: {
    scene?: string; size?: number; seconds?: number; referenceSpp?: number; cache?: string; windows?: number[]; stepsPerPair?: number[]; seed?: number;
  } = {},
): Promise<OnlineBenchResult> {
  const { scene: name = 'cornell-box', size = 256, seconds = 30, referenceSpp = 256, windows = [], stepsPerPair = [], seed = 1 } = opts;
  const loaded = await loadScene(name);
  const scene = compileScene(loaded.built, { name: loaded.name, environment: loaded.environment });
  const { weights } = await loadN2nWeights(MODEL, undefined);
  const ref = await ensureReference(gpu, {
    scene, settings: { width: size, height: size, maxDepth: 8, seed: REFERENCE_SEED }, spp: referenceSpp, store: new FileReferenceStore(opts.cache),
  });
  const reference: ImageF32 = { width: size, height: size, channels: 3, data: ref.data.mean };
  const tracer = await PathTracer.create(gpu, scene, { width: size, height: size });
  const frames: FrameData[] = [];
  try {
    for (const spp of FRAME_SPPS) {
      await tracer.render({ spp, seed: FRAME_SEED });
      frames.push(await tracer.readFrame());
    }
  } finally {
    tracer.destroy();
  }
  const noisyPsnr = frames.map((f) => psnr({ width: size, height: size, channels: 3, data: f.color }, reference));
  const spec = builtinSpec(MODEL);
  let prepareMs = Infinity;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    makePair('prepare', size, size, FRAME_SPPS[0], frames[0].color, frames[1].color, frames[0].albedo, frames[0].normal, false, spec);
    prepareMs = Math.min(prepareMs, performance.now() - t);
  }
  const startPsnr = await denoisedPsnr(gpu, weights, frames, reference);
  const rows: OnlinePolicyResult[] = [];
  const budget = new StepBudget(FRAME_BUDGET_MS);
  const one = { steps: () => 1, record: () => undefined };
  const pairs = `${ONLINE_SETTINGS.sppPerRender}-spp pair every ${ONLINE_SETTINGS.stepsPerPair} steps`;
  const policies = [
    { name: '1-spp pair and one step per train frame (before)', settings: ONE_SPP_PAIRS, ...one },
    { name: `${pairs}, one step per train frame`, settings: ONLINE_SETTINGS, ...one },
    { name: `${pairs}, StepBudget ${FRAME_BUDGET_MS} ms (the app)`, settings: ONLINE_SETTINGS, steps: () => budget.next(), record: (s: number, ms: number) => budget.record(s, ms) },
    { name: `${pairs}, one step per train frame, the next pair rendered in the background (prefetch)`, settings: { ...ONLINE_SETTINGS, prefetch: true }, ...one },
    ...windows.map((window) => ({ name: `${pairs}, one step per train frame, pairs in a ${window}x${window} window`, settings: { ...ONLINE_SETTINGS, window }, ...one })),
    ...stepsPerPair.map((n) => ({
      name: `${ONLINE_SETTINGS.sppPerRender}-spp pair every ${n} steps, one step per train frame`, settings: { ...ONLINE_SETTINGS, stepsPerPair: n }, ...one,
    })),
  ];
  for (const policy of policies) {
    const { row, weights: reached } = await trainFor(gpu, scene, size, weights, seconds, seed, policy);
    rows.push({ ...row, psnr: await denoisedPsnr(gpu, reached, frames, reference) });
  }
  return { adapter: gpu.adapter.name, scene: name, size, seconds, seed, referenceSpp: ref.meta.spp, prepareMs, noisyPsnr, startPsnr, rows };
}

const dbs = (xs: number[]): string => `${xs.map((x) => x.toFixed(2)).join(' / ')} dB`;

export function formatOnlineBench(r: OnlineBenchResult): string {
  const lines = [
    `online training (${MODEL} from the shipped weights, ${ONLINE_SETTINGS.batch} crops of ${ONLINE_SETTINGS.crop}x${ONLINE_SETTINGS.crop} per step), ` +
      `${r.scene} ${r.size}x${r.size}, ${r.seconds} s of training per row, seed ${r.seed}; adapter ${r.adapter}`,
    `the ${FRAME_SPPS.join(' / ')}-spp frames: noisy ${dbs(r.noisyPsnr)}, denoised with the shipped weights ${dbs(r.startPsnr)} (reference ${r.referenceSpp} spp)`,
    `a pair's preparation on the CPU (makePair, ${r.size}x${r.size}): ${r.prepareMs.toFixed(1)} ms`,
    `| training | train frames | steps | steps/s | steps per frame (mean / last) | time in steps | pairs (ms each outside the steps / waited for) | ${FRAME_SPPS.join(' / ')}-spp frames denoised after |`,
    '|---|---|---|---|---|---|---|---|',
    ...r.rows.map((x) =>
      `| ${x.policy} | ${x.frames} | ${x.steps} | ${x.stepsPerSecond.toFixed(2)} | ${x.meanStepsPerFrame.toFixed(1)} / ${x.lastStepsPerFrame} | ` +
      `${(100 * x.stepShare).toFixed(0)}% | ${x.pairs} (${x.msPerPair.toFixed(1)} / ${x.waitMsPerPair.toFixed(1)}) | ${dbs(x.psnr)} |`),
  ];
  return lines.join('\n');
}

if (isBenchMain(import.meta.url, 'online')) {
  const fail = (message: string): never => {
    console.error(`bench/online.ts: ${message}`);
    process.exit(2);
  };
  let values: Record<string, string | undefined> = {};
  try {
    const options = { scene: { type: 'string' }, size: { type: 'string' }, seconds: { type: 'string' }, 'ref-spp': { type: 'string' }, windows: { type: 'string' },
      'steps-per-pair': { type: 'string' }, seed: { type: 'string' } } as const;
    values = parseArgs({ options }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  const num = (v: string | undefined, name: string, min = 1): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    return Number.isInteger(n) && n >= min ? n : fail(`--${name} must be a whole number >= ${min}, got '${v}'`);
  };
  const opts = {
    scene: values.scene, size: num(values.size, 'size'), seconds: num(values.seconds, 'seconds'), referenceSpp: num(values['ref-spp'], 'ref-spp'),
    windows: values.windows?.split(',').map((w) => num(w.trim(), 'windows')!),
    stepsPerPair: values['steps-per-pair']?.split(',').map((w) => num(w.trim(), 'steps-per-pair')!), seed: num(values.seed, 'seed', 0),
  };
  const gpu = await createNodeGpuContext();
  try {
    console.log(formatOnlineBench(await runOnlineBench(gpu, opts)));
  } catch (e) {
    console.error(`bench/online.ts: ${(e as Error).message}`);
    process.exitCode = 1;
  } finally {
    gpu.destroy();
  }
}
