// The comparison run behind `tracelab compare` (and `tracelab demo`): for each scene, a cached reference; for each
// spp, one render with a fixed seed, timed; each denoiser on it, timed; every result scored against the reference.
// Browser-safe: storage comes in as a ReferenceStore, denoisers as factories, and files are the caller's business.
import type { GpuContext } from '../gpu/context.ts';
import type { ImageF32 } from '../image/image.ts';
import { METRIC_TONEMAP } from '../metrics/common.ts';
import { computeMetrics } from '../metrics/compute.ts';
import { addEmission, EmissionPass, subtractEmission, type EmissionImages } from '../render/emission.ts';
import { PathTracer } from '../render/path-tracer.ts';
import { RENDERER_VERSION } from '../render/version.ts';
import type { CompiledScene } from '../scene/compile.ts';
import { RESULTS_FORMAT, RESULTS_VERSION, type CompareResults, type ReferenceInfo, type ResultRow } from './compare-schema.ts';
import { timeToQuality } from './compare-ttq.ts';
import { NoDenoiser } from './denoisers/index.ts';
import { denoiserInputFromFrame, type DenoiserInput, type DenoiserPlugin } from './denoisers/types.ts';
import { ensureReference, psnrCeiling, REFERENCE_SEED, type ReferenceStore } from './reference-cache.ts';

/** What renderMs and denoiseMs measure, for results.json and the report. */
export function compareTiming(repeats: number, emissionSpp = 0): string {
  return 'renderMs: wall time of PathTracer.render(spp) on a warmed-up tracer, waiting for the GPU to finish (reading the ' +
    'frame back is not counted); denoiseMs: wall time of the denoiser plugin on the frame read back (its upload, GPU work ' +
    'and read-back included), after one untimed warm-up call per denoiser; "none" copies the noisy image; prepareMs (online ' +
    'denoisers only): wall time of training on the scene before its frames, once per scene, counted in every totalMs of it. ' +
    (emissionSpp > 0 ? `With emission separation, denoiseMs also counts its edge search, its depth-0 render of ${emissionSpp} anti-aliasing rays per pixel on the edge pixels and the subtraction; renderMs includes the first-hit emission the render accumulates for it. ` : '') +
    (repeats > 1 ? `Each is the best of ${repeats} runs (the one least disturbed by other processes).` : 'Each is one run.');
}

export interface CompareDenoiser {
  name: string;
  create: (gpu: GpuContext) => Promise<DenoiserPlugin>;
}

export type CompareProgress =
  | { phase: 'reference'; scene: string; done: number; total: number; elapsedMs: number }
  | { phase: 'prepare'; scene: string; denoiser: string }
  | { phase: 'run'; scene: string; spp: number; denoiser: string | null; step: number; steps: number };

export interface CompareOptions {
  scenes: CompiledScene[];
  /** Test render spp (sorted and de-duplicated here). */
  spp: number[];
  /** Column order; "none" is added first when missing (rendering alone is the baseline). */
  denoisers: CompareDenoiser[];
  width: number;
  height: number;
  maxDepth?: number;
  referenceSpp: number;
  store: ReferenceStore;
  /** Seed of the test renders (default 1). */
  seed?: number;
  /** Time every render and denoiser call this many times and keep the fastest (default 1). */
  repeats?: number;
  targetPsnr?: number | null;
  /** Weights file per n2n model, recorded in the results. */
  weights?: Record<string, string>;
  /**
   * Emission separation (src/render/emission.ts) for every denoiser but "none": 0 or absent = off, else the
   * anti-aliased emission's primary rays per pixel.
   */
  emissionSpp?: number;
  onProgress?: (p: CompareProgress) => void;
}

/** The images behind one scene's rows: the reference and, per spp, each denoiser's output ("none" = noisy). */
export interface SceneImages {
  scene: string;
  reference: ImageF32;
  runs: { spp: number; images: Record<string, ImageF32> }[];
}

export interface CompareOutput {
  results: CompareResults;
  images: SceneImages[];
}

const NONE: CompareDenoiser = { name: 'none', create: async () => new NoDenoiser() };

/** Runs `f` `repeats` times; the last value and the shortest wall time. */
async function timed<T>(repeats: number, f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  let best = Infinity;
  let value: T | undefined;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    value = await f();
    best = Math.min(best, performance.now() - t0);
  }
  return { value: value as T, ms: best };
}

export async function runCompare(gpu: GpuContext, o: CompareOptions): Promise<CompareOutput> {
  const spp = [...new Set(o.spp)].sort((a, b) => a - b);
  if (spp.length === 0 || spp.some((s) => !Number.isInteger(s) || s < 1)) throw new RangeError(`spp must be positive integers, got ${o.spp.join(',')}`);
  const sceneNames = o.scenes.map((s) => s.name);
  if (new Set(sceneNames).size !== sceneNames.length) throw new RangeError(`scene names must be unique, got ${sceneNames.join(', ')}`);
  const list = o.denoisers.some((d) => d.name === 'none') ? o.denoisers : [NONE, ...o.denoisers];
  const maxDepth = o.maxDepth ?? 8;
  const seed = o.seed ?? 1;
  const repeats = o.repeats ?? 1;
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`repeats must be a positive integer, got ${repeats}`);
  const emissionSpp = o.emissionSpp ?? 0;
  if (!Number.isInteger(emissionSpp) || emissionSpp < 0) throw new RangeError(`emissionSpp must be a whole number >= 0, got ${emissionSpp}`);
  const { width, height } = o;
  const rows: ResultRow[] = [];
  const references: ReferenceInfo[] = [];
  const images: SceneImages[] = [];
  const plugins: DenoiserPlugin[] = [];
  const steps = o.scenes.length * spp.length * (1 + list.length);
  let step = 0;
  try {
    for (const d of list) plugins.push(await d.create(gpu));
    const warm = new Set<DenoiserPlugin>();
    for (const scene of o.scenes) {
      const ref = await ensureReference(gpu, {
        scene,
        settings: { width, height, maxDepth, seed: REFERENCE_SEED },
        spp: o.referenceSpp,
        store: o.store,
        onProgress: (p) => o.onProgress?.({ phase: 'reference', scene: scene.name, ...p }),
      });
      references.push({
        scene: scene.name, key: ref.key, spp: ref.meta.spp, seed: REFERENCE_SEED, status: ref.status,
        meanRelativeStandardError: ref.meta.convergence.meanRelativeStandardError, expectedRelMSE: ref.meta.convergence.expectedRelMSE,
        ...psnrCeiling(ref.data),
      });
      const reference: ImageF32 = { width, height, channels: 3, data: ref.data.mean };
      const sceneImages: SceneImages = { scene: scene.name, reference, runs: [] };
      images.push(sceneImages);
      // Per-scene preparation (online training), timed once and counted in each of the scene's rows.
      const prepareMs = new Map<DenoiserPlugin, number>();
      for (const plugin of plugins) {
        if (!plugin.prepareScene) continue;
        o.onProgress?.({ phase: 'prepare', scene: scene.name, denoiser: plugin.name });
        const t0 = performance.now();
        await plugin.prepareScene({ scene, width, height, maxDepth, emissionSeparated: emissionSpp > 0 });
        prepareMs.set(plugin, performance.now() - t0);
      }
      const tracer = await PathTracer.create(gpu, scene, { width, height, maxDepth, firstHitEmission: emissionSpp > 0 });
      const emission = emissionSpp > 0 ? await EmissionPass.create(gpu, scene, { width, height }) : null;
      try {
        await tracer.render({ spp: 1, seed }); // warm-up: first dispatch costs are not the renderer's per-spp cost
        if (emission) await emission.render(await tracer.readFrame(), seed, 1);
        for (const s of spp) {
          o.onProgress?.({ phase: 'run', scene: scene.name, spp: s, denoiser: null, step: step++, steps });
          const render = await timed(repeats, () => tracer.render({ spp: s, seed })); // same seed: the same frame each time
          const frame = await tracer.readFrame();
          const input = denoiserInputFromFrame(frame);
          const run = { spp: s, images: {} as Record<string, ImageF32> };
          sceneImages.runs.push(run);
          // With emission separation the denoisers (not "none", the noisy render itself) see the frame without its
          // first-hit emission (which the render accumulates beside the film), and get the anti-aliased emission added
          // to their output; its edge search and render are timed with them.
          let separated: { emission: EmissionImages; input: DenoiserInput; ms: number } | null = null;
          if (emission) {
            const t = await timed(repeats, async () => {
              const e = await emission.render(frame, seed, emissionSpp);
              const color = subtractEmission(input.color.data, e.matching, input.color.channels === 4 ? 4 : 3);
              return { emission: e, input: { ...input, color: { ...input.color, data: color } } };
            });
            separated = { ...t.value, ms: t.ms };
          }
          for (const plugin of plugins) {
            o.onProgress?.({ phase: 'run', scene: scene.name, spp: s, denoiser: plugin.name, step: step++, steps });
            const sep = separated && plugin.name !== 'none' ? separated : null;
            const own = sep ? sep.input : input;
            const call = async () => {
              const out = await plugin.denoise(own);
              return sep ? { ...out, data: addEmission(out.data, sep.emission.antialiased) } : out;
            };
            if (!warm.has(plugin)) {
              await call();
              warm.add(plugin);
            }
            const out = await timed(repeats, call);
            const denoiseMs = out.ms + (sep ? sep.ms : 0);
            const m = computeMetrics(out.value, reference);
            run.images[plugin.name] = out.value;
            const prep = prepareMs.get(plugin);
            rows.push({
              scene: scene.name, spp: s, denoiser: plugin.name,
              psnr: Number.isFinite(m.psnr) ? m.psnr : null,
              mse: 10 ** (-m.psnr / 10),
              ssim: m.ssim, relMSE: m.relMSE, smape: m.smape,
              renderMs: render.ms, denoiseMs, ...(prep === undefined ? {} : { prepareMs: prep }), totalMs: render.ms + denoiseMs + (prep ?? 0),
            });
          }
        }
      } finally {
        tracer.destroy();
        emission?.destroy();
      }
    }
  } finally {
    for (const p of plugins) p.destroy();
  }
  const names = plugins.map((p) => p.name);
  const target = o.targetPsnr ?? null;
  const results: CompareResults = {
    format: RESULTS_FORMAT,
    version: RESULTS_VERSION,
    tool: { name: 'tracelab', rendererVersion: RENDERER_VERSION },
    adapter: gpu.adapter.name,
    date: new Date().toISOString(),
    settings: {
      scenes: sceneNames, spp, denoisers: names, width, height, maxDepth, seed, repeats, referenceSpp: o.referenceSpp, targetPsnr: target,
      metricTonemap: { ...METRIC_TONEMAP }, weights: { ...(o.weights ?? {}) }, timing: compareTiming(repeats, emissionSpp),
      ...(emissionSpp > 0 ? { emissionSpp } : {}),
    },
    references,
    results: rows,
    timeToQuality: target === null ? null : timeToQuality(rows, sceneNames, names, target),
  };
  return { results, images };
}
