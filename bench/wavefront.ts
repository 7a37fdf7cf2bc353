// Megakernel vs wavefront path tracer, side by side: pixel samples/s (one sample = one camera path) per scene
// and size, median over interleaved rounds (the machine may be shared: every variant sees the same load).
// Run: node bin/run-ts.js bench/wavefront.ts [--rounds N] [--quick]
import { loadavg } from 'node:os';
import { findScene } from '../scenes/index.ts';
import type { GpuContext } from '../src/gpu/context.ts';
import { createNodeGpuContext } from '../src/node/gpu.ts';
import { PathTracer } from '../src/render/path-tracer.ts';
import { WavefrontTracer, type WavefrontOptions } from '../src/render/wavefront/wavefront-tracer.ts';
import { compileScene, type CompiledScene } from '../src/scene/compile.ts';
import { MegakernelVariant, type MegakernelKnobs } from './megakernel-knobs.ts';
import { isBenchMain } from './is-main.ts';

export interface BenchCase {
  scene: string;
  width: number;
  height: number;
  maxDepth: number;
  /** Samples per pixel per timed measurement. */
  spp: number;
}

export interface VariantResult {
  variant: string;
  /** Pixel samples per second (wall clock) of each round, and their median. */
  rounds: number[];
  median: number;
  /**
   * Median pixel samples per CPU-second of this process (lavapipe runs its threads in-process): less
   * sensitive to other processes on a shared machine than wall-clock time.
   */
  medianPerCpuSecond: number;
}

export interface CaseResult extends BenchCase {
  variants: VariantResult[];
}

export interface WavefrontBenchResult {
  adapter: string;
  cases: CaseResult[];
}

export const DEFAULT_CASES: readonly BenchCase[] = [
  { scene: 'cornell-box', width: 256, height: 256, maxDepth: 8, spp: 8 },
  { scene: 'cornell-box', width: 512, height: 512, maxDepth: 8, spp: 2 },
  { scene: 'bunny-field', width: 512, height: 512, maxDepth: 8, spp: 2 },
];

interface Runner {
  name: string;
  accumulate(spp: number): Promise<void>;
  /** The film (PathTracer's layout: plane 0 holds radiance sums and sample counts). */
  film(): GPUBuffer;
  destroy(): void;
}

type VariantFactory = (gpu: GpuContext, scene: CompiledScene, c: BenchCase) => Promise<Runner>;

const pathTracer = (name: string, pathsPerSubmit?: (c: BenchCase) => number): [string, VariantFactory] => [
  name,
  async (gpu, scene, c) => {
    // Leave pathsPerSubmit out unless given: an explicit undefined would override PathTracer's default.
    const perSubmit = pathsPerSubmit ? { pathsPerSubmit: pathsPerSubmit(c) } : {};
    const pt = await PathTracer.create(gpu, scene, { width: c.width, height: c.height, maxDepth: c.maxDepth, ...perSubmit });
    pt.reset(1);
    return { name, accumulate: (spp) => pt.accumulate(spp), film: () => pt.frame().film, destroy: () => pt.destroy() };
  },
];

const knobs = (name: string, k: (c: BenchCase) => Pick<MegakernelKnobs, 'wgX' | 'wgY' | 'samplesPerDispatch'>): [string, VariantFactory] => [
  name,
  async (gpu, scene, c) => {
    const mk = await MegakernelVariant.create(gpu, scene, { width: c.width, height: c.height, maxDepth: c.maxDepth, ...k(c) });
    return { name, accumulate: (spp) => mk.accumulate(spp), film: () => mk.film, destroy: () => mk.destroy() };
  },
];

const wavefront = (name: string, extra: Omit<WavefrontOptions, 'width' | 'height'>): [string, VariantFactory] => [
  name,
  async (gpu, scene, c) => {
    const wf = await WavefrontTracer.create(gpu, scene, { width: c.width, height: c.height, maxDepth: c.maxDepth, ...extra });
    wf.reset(1);
    return { name, accumulate: (spp) => wf.accumulate(spp), film: () => wf.frame().film, destroy: () => wf.destroy() };
  },
];

/** PathTracer's default: 2^20 paths per submit, i.e. this many samples per dispatch. */
const defaultSpd = (c: BenchCase) => Math.max(1, Math.floor(2 ** 20 / (c.width * c.height)));

export const VARIANTS: ReadonlyArray<[string, VariantFactory]> = [
  pathTracer('megakernel (PathTracer defaults: 8x8, 2^20 paths/submit)'),
  pathTracer('megakernel 1 spp/submit (bench/pathtracer.ts)', (c) => c.width * c.height),
  knobs('megakernel WG 16x16', (c) => ({ wgX: 16, wgY: 16, samplesPerDispatch: defaultSpd(c) })),
  knobs('megakernel WG 64x1', (c) => ({ wgX: 64, wgY: 1, samplesPerDispatch: defaultSpd(c) })),
  knobs('megakernel WG 4x4', (c) => ({ wgX: 4, wgY: 4, samplesPerDispatch: defaultSpd(c) })),
  wavefront('wavefront (wave 2^18, 1 submit/wave)', {}),
  wavefront('wavefront fused extend+shade', { fusedExtend: true }),
  wavefront('wavefront wave 2^20', { waveSize: 1 << 20 }),
  wavefront('wavefront 1 submit/bounce', { bouncesPerSubmit: 1 }),
];

const fmt = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : `${(v / 1e3).toFixed(0)}k`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function runCase(gpu: GpuContext, c: BenchCase, rounds: number, log: (s: string) => void): Promise<CaseResult> {
  const entry = findScene(c.scene);
  if (!entry) throw new Error(`bench/wavefront: no built-in scene '${c.scene}'`);
  const scene = compileScene(await entry.build(), { name: c.scene });
  const runners: Runner[] = [];
  try {
    for (const [, make] of VARIANTS) {
      const r = await make(gpu, scene, c);
      runners.push(r);
      await r.accumulate(1); // warm-up: pipeline compilation and first touch of the buffers
    }
    const times = runners.map(() => [] as number[]);
    const cpu = runners.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      // Interleaved, in a rotating order, so load from other processes falls on every variant alike.
      for (let j = 0; j < runners.length; j++) {
        const i = (j + round) % runners.length;
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await runners[i].accumulate(c.spp);
        const used = process.cpuUsage(c0);
        const samples = c.width * c.height * c.spp;
        times[i].push(samples / ((performance.now() - t0) / 1000));
        cpu[i].push(samples / ((used.user + used.system) / 1e6));
      }
    }
    // Guard against timing no work: every film must hold exactly the samples asked for, and agree in mean.
    const expected = 1 + rounds * c.spp;
    const means: number[] = [];
    for (const r of runners) {
      const film = new Float32Array(await gpu.readBuffer(r.film(), 0, c.width * c.height * 16));
      let count = 0;
      let sum = 0;
      for (let p = 0; p < c.width * c.height; p++) {
        sum += film[4 * p] + film[4 * p + 1] + film[4 * p + 2];
        count += film[4 * p + 3];
      }
      if (count !== expected * c.width * c.height) {
        throw new Error(`bench/wavefront: ${r.name} rendered ${count / (c.width * c.height)} spp, expected ${expected}`);
      }
      means.push(sum / (3 * count));
    }
    const spreadOfMeans = (Math.max(...means) - Math.min(...means)) / means[0];
    log(`\n${c.scene} ${c.width}x${c.height}: image mean ${means[0].toFixed(4)}, spread over variants ${(100 * spreadOfMeans).toFixed(2)}%`);
    const variants = runners.map((r, i) => ({ variant: r.name, rounds: times[i], median: median(times[i]), medianPerCpuSecond: median(cpu[i]) }));
    const base = variants[0];
    log(`${c.scene} ${c.width}x${c.height}, max depth ${c.maxDepth}, ${c.spp} spp per measurement, median of ${rounds}:`);
    for (const v of variants) {
      const spread = `${fmt(Math.min(...v.rounds))}..${fmt(Math.max(...v.rounds))}`;
      log(
        `  ${v.variant.padEnd(58)} ${fmt(v.median).padStart(7)} samples/s  x${(v.median / base.median).toFixed(2)}  (${spread.padEnd(11)})` +
          `  ${fmt(v.medianPerCpuSecond).padStart(7)} samples/CPU-s  x${(v.medianPerCpuSecond / base.medianPerCpuSecond).toFixed(2)}`,
      );
    }
    return { ...c, variants };
  } finally {
    for (const r of runners) r.destroy();
  }
}

export async function runWavefrontBench(
  opts: { cases?: readonly BenchCase[]; rounds?: number; log?: (s: string) => void } = {},
): Promise<WavefrontBenchResult> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const rounds = opts.rounds ?? 5;
  const gpu = await createNodeGpuContext();
  try {
    const adapter = `${gpu.adapter.name}${gpu.adapter.isFallback ? ' (software)' : ''}`;
    log(`adapter: ${adapter}`);
    log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    const cases: CaseResult[] = [];
    for (const c of opts.cases ?? DEFAULT_CASES) cases.push(await runCase(gpu, c, rounds, log));
    log(`\nload average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    return { adapter, cases };
  } finally {
    gpu.destroy();
  }
}

if (isBenchMain(import.meta.url, 'wavefront')) {
  const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
  const quick = process.argv.includes('--quick');
  const rounds = process.argv.includes('--rounds') ? Number(arg('--rounds')) : quick ? 1 : 5;
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`bench/wavefront: --rounds must be a positive integer, got ${arg('--rounds')}`);
  const cases = quick ? DEFAULT_CASES.map((c) => ({ ...c, spp: 1 })) : DEFAULT_CASES;
  await runWavefrontBench({ rounds, cases });
}
