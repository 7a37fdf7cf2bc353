// Reference cache: keys, exact continuation, merging, convergence, on-disk atomicity and corrupt entries.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as THREE from 'three';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findScene } from '../../scenes/index.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import {
  convergence, ensureReference, mergeMeanVariance, referenceKey, ReferenceCacheError, sceneContentHash,
  type ReferenceMeta, type ReferenceSettings, type ReferenceStore,
} from '../../src/harness/reference-cache.ts';
import { Hash64 } from '../../src/harness/hash.ts';
import type { MeanVariance } from '../../src/harness/ztest.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { writeImageFile } from '../../src/node/image-files.ts';
import { FileReferenceStore } from '../../src/node/reference-store.ts';
import { compileScene, type CompiledScene } from '../../src/scene/compile.ts';
import { mulberry32 } from '../support/random.ts';
import { compileBuiltin, renderCompiled } from '../support/render.ts';

let gpu: GpuContext;
let cornell: CompiledScene;
const root = mkdtempSync(join(tmpdir(), 'tracelab-refcache-'));
const settings: ReferenceSettings = { width: 12, height: 10, maxDepth: 3, seed: 99 };

beforeAll(async () => {
  gpu = await createNodeGpuContext();
  cornell = await compileBuiltin('cornell-box');
});
afterAll(() => {
  gpu?.destroy();
  rmSync(root, { recursive: true, force: true });
});

/** |a - b| within float32 rounding of film sums: relative to the values' scale (variance: mean^2 + var). */
function expectClose(a: MeanVariance, b: MeanVariance): void {
  expect(a.spp).toBe(b.spp);
  for (let i = 0; i < a.mean.length; i++) {
    const m = b.mean[i];
    expect(Math.abs(a.mean[i] - m), `mean ${i}`).toBeLessThanOrEqual(2e-6 * Math.abs(m) + 1e-7);
    const scale = m * m + b.variance[i];
    expect(Math.abs(a.variance[i] - b.variance[i]), `variance ${i}`).toBeLessThanOrEqual(2e-5 * scale + 1e-9);
  }
}

describe('reference keys', () => {
  it('Hash64: deterministic, framed, alignment-independent, sensitive to one bit', () => {
    const bytes = new Uint8Array(Array.from({ length: 23 }, (_, i) => i * 37));
    const h = (f: (x: Hash64) => void): string => { const x = new Hash64(); f(x); return x.hex(); };
    expect(h((x) => x.bytes(bytes))).toBe(h((x) => x.bytes(bytes.slice())));
    expect(h((x) => x.bytes(bytes))).toMatch(/^[0-9a-f]{16}$/);
    const unaligned = new Uint8Array(24);
    unaligned.set(bytes, 1);
    expect(h((x) => x.bytes(unaligned.subarray(1)))).toBe(h((x) => x.bytes(bytes)));
    expect(h((x) => x.bytes(bytes.subarray(0, 10)).bytes(bytes.subarray(10)))).not.toBe(h((x) => x.bytes(bytes)));
    const flipped = bytes.slice();
    flipped[22] ^= 1;
    expect(h((x) => x.bytes(flipped))).not.toBe(h((x) => x.bytes(bytes)));
    expect(h((x) => x.numbers(1))).not.toBe(h((x) => x.numbers(1 + 2 ** -40)));
    expect(h((x) => x.string('ab').string('c'))).not.toBe(h((x) => x.string('a').string('bc')));
  });

  it('scene content hash is stable and changes with materials and camera', async () => {
    const entry = findScene('cornell-box')!;
    const again = compileScene(await entry.build(), { name: 'other name' });
    expect(sceneContentHash(again)).toBe(sceneContentHash(cornell)); // content, not name
    const recoloured = await entry.build();
    let changed = false;
    recoloured.scene.traverse((o) => {
      const m = (o as THREE.Mesh).material as THREE.MeshLambertMaterial | undefined;
      if (!changed && m?.name === 'red') { m.color.setRGB(0.62, 0.065, 0.05); changed = true; }
    });
    expect(changed).toBe(true);
    expect(sceneContentHash(compileScene(recoloured))).not.toBe(sceneContentHash(cornell));
    const moved = await entry.build();
    moved.camera.position.x += 1e-4;
    expect(sceneContentHash(compileScene(moved))).not.toBe(sceneContentHash(cornell));
  });

  it('key changes with every setting', () => {
    const k = referenceKey('cornell-box', 'abc', settings);
    expect(referenceKey('cornell-box', 'abc', { ...settings })).toBe(k);
    expect(k).toMatch(/^cornell-box-[0-9a-f]{16}$/);
    const variants: ReferenceSettings[] = [
      { ...settings, width: 13 }, { ...settings, height: 11 }, { ...settings, maxDepth: 4 }, { ...settings, seed: 100 },
    ];
    for (const v of variants) expect(referenceKey('cornell-box', 'abc', v)).not.toBe(k);
    expect(referenceKey('cornell-box', 'abd', settings)).not.toBe(k);
    expect(referenceKey('../evil name', 'abc', settings)).toMatch(/^evil_name-[0-9a-f]{16}$/);
  });
});

describe('merging and convergence', () => {
  it('merging two blocks equals the statistics of all samples', () => {
    const rng = mulberry32(5);
    const samples = Array.from({ length: 3 }, () => Array.from({ length: 11 }, () => rng() * 10 - 2));
    const stats = (xs: number[][], from: number, to: number): MeanVariance => {
      const mean = new Float32Array(3), variance = new Float32Array(3);
      xs.forEach((s, c) => {
        const part = s.slice(from, to);
        const m = part.reduce((a, b) => a + b, 0) / part.length;
        mean[c] = m;
        variance[c] = part.length > 1 ? part.reduce((a, b) => a + (b - m) ** 2, 0) / (part.length - 1) : 0;
      });
      return { width: 1, height: 1, spp: to - from, mean, variance };
    };
    for (const split of [1, 4, 10]) {
      const merged = mergeMeanVariance(stats(samples, 0, split), stats(samples, split, 11));
      const all = stats(samples, 0, 11);
      expect(merged.spp).toBe(11);
      for (let c = 0; c < 3; c++) {
        expect(merged.mean[c]).toBeCloseTo(all.mean[c], 5);
        expect(merged.variance[c]).toBeCloseTo(all.variance[c], 4);
      }
    }
  });

  it('convergence: relative standard error with the relMSE floor', () => {
    // Pixel channels: mean 1, var/spp 0.04 -> 0.2/sqrt(1.01); mean 0 (black, var 0) -> 0; mean 0, var/spp 1e-4 -> 0.01/0.1.
    const c = convergence({ width: 1, height: 1, spp: 4, mean: new Float32Array([1, 0, 0]), variance: new Float32Array([0.16, 0, 4e-4]) });
    expect(c.meanRelativeStandardError).toBeCloseTo((0.2 / Math.sqrt(1.01) + 0 + 0.1) / 3, 6);
    expect(c.expectedRelMSE).toBeCloseTo((0.04 / 1.01 + 0 + 0.01) / 3, 6);
  });
});

describe('ensureReference with a file store', () => {
  const dir = join(root, 'cache');
  const store = new FileReferenceStore(dir);

  it('renders on a miss, hits on the same or fewer spp, and continues 8 -> 16 exactly', async () => {
    const first = await ensureReference(gpu, { scene: cornell, settings, spp: 8, store });
    expect(first.status).toBe('rendered');
    expect(first.meta.spp).toBe(8);
    const hit = await ensureReference(gpu, { scene: cornell, settings, spp: 8, store });
    expect(hit.status).toBe('cached');
    expect(hit.addedSpp).toBe(0);
    const fewer = await ensureReference(gpu, { scene: cornell, settings, spp: 3, store });
    expect([fewer.status, fewer.data.spp]).toEqual(['cached', 8]);
    expectClose(hit.data, first.data); // float32 EXR round trip is lossless

    const more = await ensureReference(gpu, { scene: cornell, settings, spp: 16, store });
    expect([more.status, more.previousSpp, more.addedSpp, more.meta.spp]).toEqual(['continued', 8, 8, 16]);
    const straight = await renderCompiled(gpu, cornell, { ...settings, spp: 16 });
    expectClose(more.data, { width: 12, height: 10, spp: 16, mean: straight.color, variance: straight.variance });
    // The entry now holds only the 16-spp images.
    const files = readdirSync(store.location(more.key)).sort();
    expect(files).toHaveLength(3);
    expect(files.filter((f) => f.startsWith('mean-16-') || f.startsWith('variance-16-'))).toHaveLength(2);
    expect(more.meta.convergence.meanRelativeStandardError).toBeLessThan(first.meta.convergence.meanRelativeStandardError);
  });

  it('batches and checkpoints merge to the same result', async () => {
    const saves: number[] = [];
    const memory: ReferenceStore = {
      load: async () => null,
      save: async (m: ReferenceMeta) => { saves.push(m.spp); },
      location: (k) => k,
    };
    const r = await ensureReference(gpu, { scene: cornell, settings, spp: 16, store: memory, batchSpp: 3, checkpointSeconds: 0 });
    expect(saves).toEqual([3, 6, 9, 12, 15, 16]);
    const straight = await renderCompiled(gpu, cornell, { ...settings, spp: 16 });
    expectClose(r.data, { width: 12, height: 10, spp: 16, mean: straight.color, variance: straight.variance });
  });

  it('a directory without meta.json is a miss (an interrupted first write)', async () => {
    const s2 = { ...settings, seed: 7 };
    const key = referenceKey(cornell.name, sceneContentHash(cornell), s2);
    const stray = new FileReferenceStore(join(root, 'stray'));
    await writeImageFile(join(stray.location(key), 'mean-4-0badf00d.exr'), { width: 1, height: 1, channels: 3, data: new Float32Array(3) });
    expect(await stray.load(key)).toBeNull();
    expect((await ensureReference(gpu, { scene: cornell, settings: s2, spp: 2, store: stray })).status).toBe('rendered');
  });

  describe('corrupt entries give a clear error naming the file and --fresh; --fresh renders anew', () => {
    const cases: Array<[string, (entry: string, meta: Record<string, unknown>) => void, RegExp]> = [
      ['truncated meta.json', (e) => writeFileSync(join(e, 'meta.json'), '{"format": "tracelab-ref'), /meta\.json: corrupt .*not valid JSON/],
      ['meta.json with a bad spp', (e, m) => writeFileSync(join(e, 'meta.json'), JSON.stringify({ ...m, spp: -1 })), /spp must be a positive integer/],
      ['meta.json naming a path outside the entry', (e, m) => writeFileSync(join(e, 'meta.json'), JSON.stringify({ ...m, files: { mean: '../x.exr', variance: 'v.exr' } })), /files must name/],
      ['missing image', (e, m) => rmSync(join(e, (m.files as { mean: string }).mean)), /mean-8-.*\.exr: corrupt .*cannot read/],
      ['changed pixel data', (e, m) => {
        const p = join(e, (m.files as { variance: string }).variance);
        const bytes = readFileSync(p);
        // An uncompressed-size-preserving change: rewrite the file with one pixel altered.
        bytes[bytes.length - 5] ^= 0x40;
        writeFileSync(p, bytes);
      }, /variance-8-.*\.exr: corrupt/],
    ];
    for (const [what, damage, message] of cases) {
      it(what, async () => {
        const s = { ...settings, width: 6, height: 5 };
        const cache = new FileReferenceStore(join(root, what.replace(/\W+/g, '-')));
        const made = await ensureReference(gpu, { scene: cornell, settings: s, spp: 8, store: cache });
        const entry = cache.location(made.key);
        const meta = JSON.parse(readFileSync(join(entry, 'meta.json'), 'utf8')) as Record<string, unknown>;
        damage(entry, meta);
        const err = await ensureReference(gpu, { scene: cornell, settings: s, spp: 16, store: cache }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ReferenceCacheError);
        expect((err as Error).message).toMatch(message);
        expect((err as Error).message).toMatch(/--fresh/);
        expect((err as Error).message).not.toMatch(/\n/);
        const again = await ensureReference(gpu, { scene: cornell, settings: s, spp: 4, store: cache, fresh: true });
        expect([again.status, again.meta.spp]).toEqual(['rendered', 4]);
        expect((await ensureReference(gpu, { scene: cornell, settings: s, spp: 4, store: cache })).status).toBe('cached');
        expect(existsSync(join(entry, 'meta.json'))).toBe(true);
      });
    }
  });
});
