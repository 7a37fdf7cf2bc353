// The comparison run (runCompare) on a tiny Cornell box, the results.json validator, and the time-to-quality maths
// on synthetic numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { encodeWeights, initWeights } from '../../src/denoise/weights.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { runCompare, type CompareOutput } from '../../src/harness/compare.ts';
import { checkResults, type CompareResults, type ResultRow } from '../../src/harness/compare-schema.ts';
import { renderOnlyTime, timeToQuality, timeToReach, TTQ_FORMULA, type QualityPoint } from '../../src/harness/compare-ttq.ts';
import { BASELINE_DENOISERS } from '../../src/harness/denoisers/index.ts';
import { N2nDenoiser } from '../../src/harness/denoisers/n2n.ts';
import { OnlineN2nDenoiser } from '../../src/harness/denoisers/online.ts';
import { denoiserInputFromFrame, type DenoiserPlugin, type SceneView } from '../../src/harness/denoisers/types.ts';
import type { ReferenceMeta, ReferenceStore } from '../../src/harness/reference-cache.ts';
import type { MeanVariance } from '../../src/harness/ztest.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { EmissionPass } from '../../src/render/emission.ts';
import { PathTracer } from '../../src/render/path-tracer.ts';
import { psnrFromMse, referenceNoiseMse } from '../../src/metrics/index.ts';
import { compileBuiltin, renderCompiled } from '../support/render.ts';

/** A ReferenceStore in memory, for tests. */
class MemoryStore implements ReferenceStore {
  readonly entries = new Map<string, { meta: ReferenceMeta; data: MeanVariance }>();
  async load(key: string) {
    return this.entries.get(key) ?? null;
  }
  async save(meta: ReferenceMeta, data: MeanVariance) {
    this.entries.set(meta.key, { meta, data });
  }
  location(key: string) {
    return `memory:${key}`;
  }
}

const point = (spp: number, psnr: number | null, renderMs: number, denoiseMs = 0): QualityPoint => ({
  spp, psnr, mse: psnr === null ? 0 : 10 ** (-psnr / 10), renderMs, totalMs: renderMs + denoiseMs,
});

describe('time to quality', () => {
  it('interpolates PSNR in log2(spp) and time in spp between the bracketing points', () => {
    // 26 dB at 4 spp, 32 dB at 16: 30 dB is 2/3 of the way in log2 spp, at 2^(2 + 4/3) spp
    const r = timeToReach([point(16, 32, 160, 100), point(1, 20, 10, 100), point(4, 26, 40, 100)], 30)!;
    expect(r.method).toBe('interpolated');
    expect(r.spp).toBeCloseTo(2 ** (10 / 3), 10);
    expect(r.ms).toBeCloseTo(140 + ((2 ** (10 / 3) - 4) / 12) * 120, 10);
  });

  it('uses the smallest spp when it already reaches the target, and says when nothing does', () => {
    expect(timeToReach([point(1, 31, 10, 5), point(4, 35, 40, 5)], 30)).toEqual({ spp: 1, ms: 15, method: 'measured' });
    expect(timeToReach([point(1, 20, 10), point(4, 25, 40)], 30)).toBeNull();
    // an infinite PSNR (identical images) reaches any target
    expect(timeToReach([point(1, 20, 10), point(4, null, 40)], 30)).toEqual({ spp: 4, ms: 40, method: 'interpolated' });
  });

  it('extrapolates rendering alone with MSE ~ 1/spp from the nearest measured spp', () => {
    // 16 spp at MSE 0.00625; 30 dB is MSE 0.001: 16 * 6.25 = 100 spp, at 10 ms per spp
    const below = renderOnlyTime([point(1, 10, 10), point(16, -10 * Math.log10(0.00625), 160)], 30)!;
    expect(below.method).toBe('extrapolated');
    expect(below.spp).toBeCloseTo(100, 8);
    expect(below.ms).toBeCloseTo(1000, 6);
    // already above the target at 4 spp (MSE 1e-4 = 40 dB): 4 * 1e-4 / 1e-3 = 0.4 spp
    const above = renderOnlyTime([point(4, 40, 40), point(16, 46, 160)], 30)!;
    expect(above).toMatchObject({ method: 'extrapolated' });
    expect(above.spp).toBeCloseTo(0.4, 8);
    expect(above.ms).toBeCloseTo(4, 8);
    const between = renderOnlyTime([point(16, 28, 160), point(64, 34, 640)], 30)!;
    expect(between.method).toBe('interpolated');
    expect(between.spp).toBeCloseTo(2 ** (4 + 2 / 3), 8);
    expect(renderOnlyTime([point(4, null, 40)], 30)).toBeNull();
  });

  it('tabulates speed-ups per scene for every denoiser but none', () => {
    const rows: ResultRow[] = [];
    const add = (denoiser: string, spp: number, psnr: number, renderMs: number, denoiseMs: number) =>
      rows.push({ scene: 's', spp, denoiser, psnr, mse: 10 ** (-psnr / 10), ssim: 0.5, relMSE: 0.1, smape: 0.1, renderMs, denoiseMs, totalMs: renderMs + denoiseMs });
    add('none', 1, 10, 10, 0);
    add('none', 16, -10 * Math.log10(0.00625), 160, 0);
    add('dn', 1, 20, 10, 100);
    add('dn', 16, 32, 160, 100);
    add('weak', 1, 12, 10, 1);
    add('weak', 16, 20, 160, 1);
    const t = timeToQuality(rows, ['s'], ['none', 'dn', 'weak'], 30);
    expect(t.formula).toBe(TTQ_FORMULA);
    expect(t.scenes[0].renderOnly?.ms).toBeCloseTo(1000, 6);
    const [dn, weak] = t.scenes[0].denoisers;
    // 20 -> 32 dB over 1 -> 16 spp: 30 dB at 2^(4 * 10/12) spp
    const spp = 2 ** (40 / 12);
    expect(dn.spp).toBeCloseTo(spp, 8);
    expect(dn.speedup).toBeCloseTo(1000 / (110 + ((spp - 1) / 15) * 150), 8);
    expect(weak).toEqual({ denoiser: 'weak', reached: false, spp: null, ms: null, method: null, speedup: null });
  });
});

/** A small valid results object, to mutate. */
function synthetic(): CompareResults {
  const rows: ResultRow[] = [];
  for (const spp of [1, 4]) {
    for (const denoiser of ['none', 'atrous']) {
      rows.push({ scene: 'cornell-box', spp, denoiser, psnr: 20 + spp, mse: 10 ** (-(20 + spp) / 10), ssim: 0.5, relMSE: 0.2, smape: 0.1, renderMs: spp, denoiseMs: 1, totalMs: spp + 1 });
    }
  }
  return {
    format: 'tracelab-compare', version: 1, tool: { name: 'tracelab', rendererVersion: 1 }, adapter: 'test', date: '2026-01-01T00:00:00.000Z',
    settings: {
      scenes: ['cornell-box'], spp: [1, 4], denoisers: ['none', 'atrous'], width: 16, height: 16, maxDepth: 8, seed: 1, repeats: 1, referenceSpp: 64,
      targetPsnr: 22, metricTonemap: { operator: 'reinhard', exposure: 0 }, weights: {}, timing: 'wall',
    },
    references: [{ scene: 'cornell-box', key: 'k', spp: 64, seed: 5, meanRelativeStandardError: 0.1, expectedRelMSE: 0.01, status: 'rendered' }],
    results: rows,
    timeToQuality: timeToQuality(rows, ['cornell-box'], ['none', 'atrous'], 22),
  };
}

describe('checkResults', () => {
  it('accepts a valid object and returns it unchanged', () => {
    const r = synthetic();
    expect(checkResults(JSON.parse(JSON.stringify(r)))).toEqual(r);
  });

  // mutations reach into the parsed JSON freely
  type Mutation = [string, (r: Record<string, any>) => void, RegExp];
  it.each<Mutation>([
    ['not an object', (r) => Object.keys(r).forEach((k) => delete r[k]), /^format: must be "tracelab-compare"/],
    ['another version', (r) => (r.version = 2), /^version: must be 1, got 2/],
    ['a bad date', (r) => (r.date = 'yesterday'), /^date: must be an ISO 8601 date/],
    ['spp out of order', (r) => (r.settings.spp = [4, 1]), /^settings\.spp: must be strictly ascending/],
    ['no "none"', (r) => (r.settings.denoisers = ['atrous']), /^settings\.denoisers: must include "none"/],
    ['a missing row', (r) => r.results.pop(), /^results: has 3 rows, expected .* = 4/],
    ['a duplicate row', (r) => (r.results[3] = { ...r.results[2] }), /^results: has two rows for the same scene, spp and denoiser/],
    ['a PSNR string', (r) => (r.results[0].psnr = '20'), /^results\[0\]\.psnr: must be a finite number/],
    ['SSIM above 1', (r) => (r.results[1].ssim = 1.5), /^results\[1\]\.ssim: must be in \[-1, 1\]/],
    ['an unknown denoiser', (r) => (r.results[1].denoiser = 'oidn'), /^results\[1\]\.denoiser: 'oidn' is not in settings\.denoisers/],
    ['totals that do not add up', (r) => (r.results[2].totalMs = 99), /^results\[2\]\.totalMs: must equal renderMs \+ denoiseMs/],
    ['negative time', (r) => (r.results[2].renderMs = -1), /^results\[2\]\.renderMs: must be in \[0, Infinity\]/],
    ['a missing time-to-quality table', (r) => (r.timeToQuality = null), /^timeToQuality: is missing although settings\.targetPsnr is set/],
    ['a reached entry without spp', (r) => (r.timeToQuality.scenes[0].denoisers[0].spp = null), /denoisers\[0\]: spp, ms and method must be set exactly when reached/],
    ['references not per scene', (r) => (r.references = []), /^references: must have one entry per scene/],
    ['a PSNR ceiling string', (r) => (r.references[0].psnrCeiling = '30'), /^references\[0\]\.psnrCeiling: must be a finite number/],
  ])('rejects %s', (_, mutate, pattern) => {
    const r = JSON.parse(JSON.stringify(synthetic()));
    mutate(r);
    expect(() => checkResults(r)).toThrow(pattern);
  });
});

describe('runCompare (GPU, cornell-box 32x32)', () => {
  let gpu: GpuContext;
  let out: CompareOutput;
  const store = new MemoryStore();
  const spec = builtinSpec('n2n-fast');
  beforeAll(async () => {
    gpu = await createNodeGpuContext();
    const scene = await compileBuiltin('cornell-box');
    out = await runCompare(gpu, {
      scenes: [scene], spp: [4, 1], width: 32, height: 32, referenceSpp: 64, store, targetPsnr: 22, repeats: 2, weights: { 'n2n-fast': 'test.bin' },
      denoisers: [
        { name: 'atrous', create: BASELINE_DENOISERS.atrous },
        { name: 'bilateral', create: BASELINE_DENOISERS.bilateral },
        // the plugin decodes TLNW bytes itself
        { name: 'n2n-fast', create: (g) => N2nDenoiser.create(g, { model: 'n2n-fast', weights: encodeWeights(spec, initWeights(spec, 3)) }) },
      ],
    });
  });
  afterAll(() => gpu?.destroy());

  it('produces complete, valid results with "none" added first', () => {
    const r = checkResults(JSON.parse(JSON.stringify(out.results)));
    expect(r.settings.denoisers).toEqual(['none', 'atrous', 'bilateral', 'n2n-fast']);
    expect(r.settings.spp).toEqual([1, 4]);
    expect(r.settings.repeats).toBe(2);
    expect(r.settings.timing).toMatch(/best of 2 runs/);
    expect(r.results).toHaveLength(8);
    expect(r.references[0]).toMatchObject({ scene: 'cornell-box', spp: 64, status: 'rendered' });
    // the reference's noise ceiling, from its own moments; results without one (older files) still check
    const data = store.entries.values().next().value!.data;
    expect(r.references[0].psnrCeiling).toBeCloseTo(psnrFromMse(referenceNoiseMse(data.mean, data.variance, data.spp)), 10);
    const { psnrCeiling: _, ...older } = r.references[0];
    expect(() => checkResults({ ...r, references: [older] })).not.toThrow();
    expect(r.adapter).toBe(gpu.adapter.name);
    expect(r.timeToQuality?.scenes[0].denoisers.map((d) => d.denoiser)).toEqual(['atrous', 'bilateral', 'n2n-fast']);
    for (const spp of [1, 4]) {
      const rows = r.results.filter((x) => x.spp === spp);
      expect(new Set(rows.map((x) => x.renderMs)).size).toBe(1); // one render per spp, shared by the denoisers
      for (const x of rows) expect(Number.isFinite(x.psnr)).toBe(true);
    }
  });

  it('scores as expected: more spp and the baselines both lower the error', () => {
    const psnr = (d: string, spp: number) => out.results.results.find((x) => x.denoiser === d && x.spp === spp)!.psnr!;
    // 1024 pixels: the noisy PSNR's own spread is a few tenths of a dB, these gaps are several dB (see report)
    expect(psnr('none', 4)).toBeGreaterThan(psnr('none', 1) + 1.5);
    expect(psnr('atrous', 1)).toBeGreaterThan(psnr('none', 1) + 1.5);
    expect(psnr('bilateral', 1)).toBeGreaterThan(psnr('none', 1) + 1.5);
    // the 4-spp render has 16x the 64-spp reference's noise variance: it scores well below the reference's ceiling
    expect(out.results.references[0].psnrCeiling!).toBeGreaterThan(psnr('none', 4) + 6);
  });

  it('renders with the fixed seed: the noisy image is the render of that seed, bit for bit', async () => {
    const scene = await compileBuiltin('cornell-box');
    const frame = await renderCompiled(gpu, scene, { width: 32, height: 32, spp: 4, seed: 1 });
    expect(out.images[0].runs[1].images.none.data).toEqual(frame.color);
    expect(out.images[0].reference.data).toEqual(store.entries.values().next().value!.data.mean);
  });

  it('with emission separation the denoisers (not "none") get the frame without its first-hit emission and the anti-aliased emission back', async () => {
    const scene = await compileBuiltin('cornell-box');
    // a denoiser that prepares per scene (online training) is told that its frames come separated
    const views: SceneView[] = [];
    const recorder = async (): Promise<DenoiserPlugin> => ({
      name: 'recorder', needsAux: false, prepareScene: async (v) => void views.push(v),
      denoise: async (input) => ({ ...input.color, data: new Float32Array(input.color.data) }), destroy: () => {},
    });
    const sep = await runCompare(gpu, {
      scenes: [scene], spp: [4], width: 32, height: 32, referenceSpp: 64, store, emissionSpp: 16,
      denoisers: [{ name: 'atrous', create: BASELINE_DENOISERS.atrous }, { name: 'recorder', create: recorder }],
    });
    await runCompare(gpu, { scenes: [scene], spp: [1], width: 32, height: 32, referenceSpp: 64, store, denoisers: [{ name: 'recorder', create: recorder }] });
    expect(views.map((v) => v.emissionSeparated)).toEqual([true, false]);
    const r = checkResults(JSON.parse(JSON.stringify(sep.results)));
    expect(r.settings.emissionSpp).toBe(16);
    expect(r.settings.timing).toMatch(/emission separation/);
    expect(out.results.settings.emissionSpp).toBeUndefined();
    const images = sep.images[0].runs[0].images;
    const before = out.images[0].runs[1].images; // the run above at 4 spp, without separation
    expect(images.none.data).toEqual(before.none.data); // the noisy render is untouched
    // the separated atrous output: the denoised remainder plus the emission, which atrous alone does not produce
    let differ = 0;
    for (let i = 0; i < images.atrous.data.length; i++) if (Math.abs(images.atrous.data[i] - before.atrous.data[i]) > 1e-3) differ++;
    expect(differ).toBeGreaterThan(0);
    // the anti-aliased emission (the same render: the test seed, 16 rays) is in the output, on top of a remainder >= 0
    const pass = await EmissionPass.create(gpu, scene, { width: 32, height: 32 });
    const tracer = await PathTracer.create(gpu, scene, { width: 32, height: 32, firstHitEmission: true });
    await tracer.render({ spp: 4, seed: 1 });
    const frame = await tracer.readFrame();
    tracer.destroy();
    const e = await pass.render(frame, 1, 16).finally(() => pass.destroy());
    expect(Math.max(...e.antialiased)).toBeGreaterThan(1);
    for (let i = 0; i < e.antialiased.length; i++) expect(images.atrous.data[i]).toBeGreaterThanOrEqual(e.antialiased[i] * (1 - 1e-6));
    expect(() => checkResults({ ...r, settings: { ...r.settings, emissionSpp: 0 } })).toThrow(/emissionSpp/);
    await expect(runCompare(gpu, { scenes: [scene], spp: [1], width: 32, height: 32, referenceSpp: 64, store, denoisers: [], emissionSpp: -1 })).rejects.toThrow(/emissionSpp/);
  });

  it('takes the reference from the cache the second time', async () => {
    const scene = await compileBuiltin('cornell-box');
    const again = await runCompare(gpu, { scenes: [scene], spp: [1], width: 32, height: 32, referenceSpp: 32, store, denoisers: [] });
    expect(again.results.references[0]).toMatchObject({ status: 'cached', spp: 64 });
    expect(again.results.settings.denoisers).toEqual(['none']);
  });

  it('an online denoiser trains on each scene first: timed once per scene, counted in totalMs', async () => {
    const scene = await compileBuiltin('cornell-box');
    const weights = encodeWeights(spec, initWeights(spec, 3));
    let plugin: OnlineN2nDenoiser | null = null;
    const res = await runCompare(gpu, {
      scenes: [scene], spp: [1, 4], width: 32, height: 32, referenceSpp: 64, store,
      denoisers: [
        { name: 'n2n-fast', create: (g) => N2nDenoiser.create(g, { model: 'n2n-fast', weights }) },
        { name: 'online-n2n-fast', create: async (g) => (plugin = OnlineN2nDenoiser.create(g, 'n2n-fast', weights, { steps: 3, stepsPerPair: 2, batch: 1, crop: 16 })) },
      ],
    });
    const r = checkResults(JSON.parse(JSON.stringify(res.results)));
    const online = r.results.filter((x) => x.denoiser === 'online-n2n-fast');
    expect(online).toHaveLength(2);
    expect(online[0].prepareMs).toBeGreaterThan(0);
    expect(online[1].prepareMs).toBe(online[0].prepareMs); // once per scene
    for (const x of online) expect(x.totalMs).toBeCloseTo(x.renderMs + x.denoiseMs + x.prepareMs!, 6);
    for (const x of r.results.filter((y) => y.denoiser !== 'online-n2n-fast')) expect(x.prepareMs).toBeUndefined();
    expect(plugin!.steps).toBe(0); // destroyed (its trainer released) with the run
    // the weights moved (3 steps asked, 2 per rendered pair: 4 taken), so the output differs from the pretrained network's
    const [a, b] = [res.images[0].runs[1].images['n2n-fast'].data, res.images[0].runs[1].images['online-n2n-fast'].data];
    let differ = 0;
    for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > 1e-4 * Math.max(1, Math.abs(a[i]))) differ++;
    expect(differ).toBeGreaterThan(a.length / 10);
    // a totalMs that leaves out prepareMs is rejected
    const bad = JSON.parse(JSON.stringify(res.results)) as CompareResults;
    const row = bad.results.find((x) => x.denoiser === 'online-n2n-fast')!;
    row.totalMs = row.renderMs + row.denoiseMs;
    expect(() => checkResults(bad)).toThrow(/totalMs.*must equal renderMs \+ denoiseMs \+ prepareMs/);
  });

  it('an online denoiser starts again from the pretrained weights for every scene, deterministically', async () => {
    const scene = await compileBuiltin('cornell-box');
    const frame = await renderCompiled(gpu, scene, { width: 32, height: 32, spp: 2, seed: 9 });
    const input = denoiserInputFromFrame(frame);
    const plugin = OnlineN2nDenoiser.create(gpu, 'n2n-fast', initWeights(spec, 3), { steps: 2, stepsPerPair: 2, batch: 1, crop: 16 });
    try {
      await expect(plugin.denoise(input)).rejects.toThrow(/online-n2n-fast: prepareScene\(\) must train on a scene before denoise\(\)/);
      const view = { scene, width: 32, height: 32, maxDepth: 8 };
      await plugin.prepareScene(view);
      expect(plugin.steps).toBe(2);
      const first = await plugin.denoise(input);
      await plugin.prepareScene(view);
      expect(plugin.steps).toBe(2); // not 4: the second scene's training starts over
      expect((await plugin.denoise(input)).data).toEqual(first.data);
      // told that its frames come separated, it trains on separated pairs: other weights, another output
      await plugin.prepareScene({ ...view, emissionSeparated: true });
      expect((await plugin.denoise(input)).data).not.toEqual(first.data);
    } finally {
      plugin.destroy();
    }
    expect(() => OnlineN2nDenoiser.create(gpu, 'n2n-fast', initWeights(spec, 3), { steps: 0 })).toThrow(/online-n2n-fast: steps must be a positive integer, got 0/);
    expect(() => OnlineN2nDenoiser.create(gpu, 'n2n-fast', initWeights(spec, 3), { learningRate: 2 })).toThrow(/learningRate must be in \(0, 1\)/);
    expect(() => OnlineN2nDenoiser.create(gpu, 'n2n-fast', initWeights(spec, 3), { seed: 1.5 })).toThrow(/online-n2n-fast: seed must be a non-negative integer, got 1.5/);
  });
});
