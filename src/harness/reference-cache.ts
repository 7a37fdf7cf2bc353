// High-spp reference images (mean + per-sample variance), cached by scene content, renderer version and
// settings, and continued rather than restarted when more samples are asked for. Storage is behind
// ReferenceStore (files in Node: src/node/reference-store.ts), so this module runs anywhere WebGPU does.
//
// Continuing is exact: samples are indexed from the cached spp with the same seed (PathTracer.reset(seed,
// firstSample)), so cache + new samples are the very samples one longer render would take, and the two halves'
// means and variances are merged with Chan et al.'s pairwise formula, which equals recomputing from the sums.
import type { GpuContext } from '../gpu/context.ts';
import { RELMSE_EPSILON } from '../metrics/hdr.ts';
import { psnrFromMse } from '../metrics/psnr.ts';
import { referenceNoiseMse } from '../metrics/reference-noise.ts';
import { PathTracer, type ProgressInfo } from '../render/path-tracer.ts';
import { RENDERER_VERSION } from '../render/version.ts';
import type { CompiledScene } from '../scene/compile.ts';
import { Hash64 } from './hash.ts';
import type { MeanVariance } from './ztest.ts';

/** Default seed of references: far from the small seeds test renders use, so their noise is independent. */
export const REFERENCE_SEED = 0x5eed_7ace;
export const REFERENCE_FORMAT = 'tracelab-reference';
export const REFERENCE_FORMAT_VERSION = 1;

export interface ReferenceSettings {
  width: number;
  height: number;
  maxDepth: number;
  seed: number;
}

/** What a cache entry's meta.json holds (written last, so its presence means the entry is complete). */
export interface ReferenceMeta {
  format: typeof REFERENCE_FORMAT;
  formatVersion: number;
  key: string;
  scene: string;
  sceneHash: string;
  rendererVersion: number;
  settings: ReferenceSettings;
  spp: number;
  /** Checksums (Hash64 of the float32 data) of the stored mean and variance, checked on load. */
  checksums: { mean: string; variance: string };
  convergence: Convergence;
  /** Total render time over all runs that added samples. */
  renderSeconds: number;
  adapter: string;
  updated: string;
}

export interface ReferenceStore {
  /** The entry under `key`, null when there is none; throws ReferenceCacheError when it exists but is unusable. */
  load(key: string): Promise<{ meta: ReferenceMeta; data: MeanVariance } | null>;
  /** Stores atomically: a reader sees the old entry or the new one, never a mix. */
  save(meta: ReferenceMeta, data: MeanVariance): Promise<void>;
  /** Where `key` lives, for messages (a directory in Node). */
  location(key: string): string;
}

export class ReferenceCacheError extends Error {
  override name = 'ReferenceCacheError';
}

/** Hash of everything in a compiled scene that the renderer reads (not its name, warnings or timings). */
export function sceneContentHash(scene: CompiledScene): string {
  const h = new Hash64();
  h.numbers(scene.triangleCount).bytes(scene.triPos).bytes(scene.triShading);
  h.numbers(scene.bvh.nodeCount).bytes(scene.bvh.nodes);
  h.bytes(scene.materials).numbers(scene.lights.count, scene.lights.totalPower).bytes(scene.lights.entries);
  const env = scene.environment;
  h.numbers(env.kind, ...env.color, env.width, env.height, env.marginalOffset, env.conditionalOffset).bytes(env.data);
  const c = scene.camera;
  h.numbers(...c.origin, ...c.forward, ...c.right, ...c.up, c.fovY, c.lensRadius, c.focusDistance);
  return h.hex();
}

/** File-name-safe scene name for the readable part of a key. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 48) || 'scene';
}

/** Cache key: readable scene name + a hash of scene content, renderer version and settings. */
export function referenceKey(sceneName: string, sceneHash: string, s: ReferenceSettings): string {
  const h = new Hash64().string(REFERENCE_FORMAT).string(sceneHash).numbers(RENDERER_VERSION, s.width, s.height, s.maxDepth, s.seed);
  return `${safeName(sceneName)}-${h.hex()}`;
}

export function dataChecksum(data: Float32Array): string {
  return new Hash64().bytes(data).hex();
}

export interface Convergence {
  /**
   * Mean over pixels and channels of sqrt(variance / spp) / sqrt(mean^2 + CONVERGENCE_EPSILON): the standard
   * error of the reference relative to its value, with a floor of sqrt(eps) = 0.1 under the denominator so dark
   * pixels do not dominate (the same floor relMSE uses).
   */
  meanRelativeStandardError: number;
  /**
   * Mean of (variance / spp) / (mean^2 + eps): the relMSE the reference itself has against the true image,
   * i.e. the floor below which relMSE differences measured against this reference are noise.
   */
  expectedRelMSE: number;
}

export const CONVERGENCE_EPSILON = RELMSE_EPSILON;

export function convergence(ref: MeanVariance): Convergence {
  let rse = 0;
  let rel = 0;
  const n = ref.mean.length;
  for (let i = 0; i < n; i++) {
    const m = ref.mean[i];
    const r = ref.variance[i] / ref.spp / (m * m + CONVERGENCE_EPSILON);
    rel += r;
    rse += Math.sqrt(r);
  }
  return { meanRelativeStandardError: n ? rse / n : 0, expectedRelMSE: n ? rel / n : 0 };
}

/** `{ psnrCeiling }`: the PSNR a reference's own noise allows anything scored against it; {} for a noiseless one. */
export function psnrCeiling(ref: MeanVariance): { psnrCeiling?: number } {
  const c = psnrFromMse(referenceNoiseMse(ref.mean, ref.variance, ref.spp));
  return Number.isFinite(c) ? { psnrCeiling: c } : {};
}

/** Running mean and sum of squared deviations (Chan et al.'s pairwise update), in float64. */
export class MomentAccumulator {
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  spp = 0;
  constructor(readonly width: number, readonly height: number) {
    this.mean = new Float64Array(width * height * 3);
    this.m2 = new Float64Array(width * height * 3);
  }

  /** Adds a block of `b.spp` samples given as its mean and per-sample (unbiased) variance. */
  add(b: MeanVariance): void {
    if (b.width !== this.width || b.height !== this.height) {
      throw new RangeError(`cannot merge a ${b.width}x${b.height} block into ${this.width}x${this.height}`);
    }
    if (b.spp <= 0) return;
    const na = this.spp;
    const n = na + b.spp;
    for (let i = 0; i < this.mean.length; i++) {
      const d = b.mean[i] - this.mean[i];
      this.mean[i] += (d * b.spp) / n;
      this.m2[i] += b.variance[i] * (b.spp - 1) + (d * d * na * b.spp) / n;
    }
    this.spp = n;
  }

  result(): MeanVariance {
    const variance = new Float32Array(this.m2.length);
    if (this.spp > 1) for (let i = 0; i < variance.length; i++) variance[i] = this.m2[i] / (this.spp - 1);
    return { width: this.width, height: this.height, spp: this.spp, mean: Float32Array.from(this.mean), variance };
  }
}

/** Merges two independent blocks of samples of the same pixels: equal to computing from all samples at once. */
export function mergeMeanVariance(a: MeanVariance, b: MeanVariance): MeanVariance {
  const acc = new MomentAccumulator(a.width, a.height);
  acc.add(a);
  acc.add(b);
  return acc.result();
}

export type ReferenceStatus = 'cached' | 'rendered' | 'continued';

export interface ReferenceResult {
  status: ReferenceStatus;
  key: string;
  meta: ReferenceMeta;
  data: MeanVariance;
  /** Samples the cache held before this call (0 when rendered from scratch). */
  previousSpp: number;
  /** Samples rendered by this call. */
  addedSpp: number;
  seconds: number;
}

export interface EnsureReferenceOptions {
  scene: CompiledScene;
  settings: ReferenceSettings;
  spp: number;
  store: ReferenceStore;
  /** Ignore (and replace) whatever the cache holds for this key, e.g. a corrupt entry. */
  fresh?: boolean;
  /** Samples per render batch; batches are merged in float64 (default 256). */
  batchSpp?: number;
  /** Save the partial result at most this often while rendering, so an interrupted render keeps its samples (default 60 s). */
  checkpointSeconds?: number;
  onProgress?: (p: ProgressInfo) => void;
}

/**
 * Returns a reference with at least `spp` samples: from the cache when it has enough (possibly more), else
 * rendered, continuing from the cached samples when there are any, and stored back.
 */
export async function ensureReference(gpu: GpuContext, o: EnsureReferenceOptions): Promise<ReferenceResult> {
  const { scene, settings, spp, store } = o;
  if (!Number.isInteger(spp) || spp < 1) throw new RangeError(`reference spp must be a positive integer, got ${spp}`);
  const sceneHash = sceneContentHash(scene);
  const key = referenceKey(scene.name, sceneHash, settings);
  const cached = o.fresh ? null : await store.load(key);
  if (cached && cached.meta.spp >= spp) {
    return { status: 'cached', key, meta: cached.meta, data: cached.data, previousSpp: cached.meta.spp, addedSpp: 0, seconds: 0 };
  }
  const previousSpp = cached?.meta.spp ?? 0;
  const acc = new MomentAccumulator(settings.width, settings.height);
  if (cached) acc.add(cached.data);
  const total = spp - previousSpp;
  const batch = Math.max(1, o.batchSpp ?? 256);
  const checkpointMs = (o.checkpointSeconds ?? 60) * 1000;
  const priorSeconds = cached?.meta.renderSeconds ?? 0;
  const meta = (data: MeanVariance, seconds: number): ReferenceMeta => ({
    format: REFERENCE_FORMAT,
    formatVersion: REFERENCE_FORMAT_VERSION,
    key,
    scene: scene.name,
    sceneHash,
    rendererVersion: RENDERER_VERSION,
    settings: { ...settings },
    spp: data.spp,
    checksums: { mean: dataChecksum(data.mean), variance: dataChecksum(data.variance) },
    convergence: convergence(data),
    renderSeconds: priorSeconds + seconds,
    adapter: gpu.adapter.name,
    updated: new Date().toISOString(),
  });

  const tracer = await PathTracer.create(gpu, scene, { width: settings.width, height: settings.height, maxDepth: settings.maxDepth });
  const t0 = performance.now();
  let lastSave = t0;
  try {
    let done = 0;
    while (done < total) {
      const n = Math.min(batch, total - done);
      tracer.reset(settings.seed, previousSpp + done);
      await tracer.accumulate(n, (p) => o.onProgress?.({ done: done + p.done, total, elapsedMs: performance.now() - t0 }));
      const f = await tracer.readFrame();
      acc.add({ width: f.width, height: f.height, spp: f.spp, mean: f.color, variance: f.variance });
      done += n;
      const now = performance.now();
      if (done < total && now - lastSave >= checkpointMs) {
        const partial = acc.result();
        await store.save(meta(partial, (now - t0) / 1000), partial);
        lastSave = now;
      }
    }
  } finally {
    tracer.destroy();
  }
  const seconds = (performance.now() - t0) / 1000;
  const data = acc.result();
  const finalMeta = meta(data, seconds);
  await store.save(finalMeta, data);
  return { status: cached ? 'continued' : 'rendered', key, meta: finalMeta, data, previousSpp, addedSpp: total, seconds };
}
