// Tracers of one compiled scene on one device share its GPU copy (SceneBuffers.acquire / release): the copy lives
// while any of them does, renders stay exactly what they were, and the last release frees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { PathTracer } from '../../src/render/path-tracer.ts';
import { SceneBuffers } from '../../src/render/scene-buffers.ts';
import type { CompiledScene } from '../../src/scene/compile.ts';
import { compileEnvironment } from '../../src/scene/environment.ts';
import { compileBuiltin } from '../support/render.ts';

describe('SceneBuffers sharing', () => {
  let gpu: GpuContext;
  let scene: CompiledScene;
  beforeAll(async () => {
    gpu = await createNodeGpuContext();
    scene = await compileBuiltin('cornell-box');
  });
  afterAll(() => gpu?.destroy());

  /** The scene's shared copy and how many hold it, without keeping a hold. */
  function peek(s: CompiledScene): { copy: SceneBuffers; holders: number } {
    const copy = SceneBuffers.acquire(gpu, s);
    const holders = copy.holders - 1;
    copy.release();
    return { copy, holders };
  }

  it('tracers of the same compiled scene share one copy; it outlives all but the last of them', async () => {
    const a = await PathTracer.create(gpu, scene, { width: 16, height: 16, maxDepth: 3 });
    await a.render({ spp: 2, seed: 6 });
    const alone = await a.readColor();
    const b = await PathTracer.create(gpu, scene, { width: 24, height: 12, maxDepth: 0, jitter: 'sobol' });
    const c = await PathTracer.create(gpu, scene, { width: 16, height: 16, maxDepth: 3 });
    const { copy, holders } = peek(scene);
    expect(holders).toBe(3);
    a.destroy();
    b.destroy();
    expect(peek(scene)).toEqual({ copy, holders: 1 });
    expect(copy.isDestroyed).toBe(false);
    // the survivor renders exactly what the first tracer rendered
    await c.render({ spp: 2, seed: 6 });
    expect(await c.readColor()).toEqual(alone);
    c.destroy();
    expect(copy.isDestroyed).toBe(true);
    // a new tracer uploads the scene again
    const d = await PathTracer.create(gpu, scene, { width: 16, height: 16, maxDepth: 3 });
    try {
      const again = peek(scene);
      expect(again.copy).not.toBe(copy);
      expect(again.holders).toBe(1);
      await d.render({ spp: 2, seed: 6 });
      expect(await d.readColor()).toEqual(alone);
    } finally {
      d.destroy();
    }
  });

  it('another compiled scene (the same source compiled again) or another device gets its own copy', async () => {
    const other = await compileBuiltin('cornell-box');
    const gpu2 = await createNodeGpuContext();
    const a = await PathTracer.create(gpu, scene, { width: 8, height: 8 });
    const b = await PathTracer.create(gpu, other, { width: 8, height: 8 });
    const c = await PathTracer.create(gpu2, scene, { width: 8, height: 8 });
    try {
      expect(peek(scene).copy).not.toBe(peek(other).copy);
      expect([peek(scene).holders, peek(other).holders]).toEqual([1, 1]);
      const onSecond = SceneBuffers.acquire(gpu2, scene);
      expect(onSecond.holders).toBe(2);
      expect(onSecond).not.toBe(peek(scene).copy);
      onSecond.release();
    } finally {
      a.destroy();
      b.destroy();
      c.destroy();
      gpu2.destroy();
    }
  });

  it('a shared copy is freed by release only, an owned one by destroy', () => {
    const shared = SceneBuffers.acquire(gpu, scene);
    expect(() => shared.destroy()).toThrow(/freed by release/);
    shared.release();
    expect(() => shared.release()).toThrow(/released more often than acquired/);
    const owned = new SceneBuffers(gpu, scene);
    expect(owned.holders).toBe(0);
    owned.destroy();
    expect(owned.isDestroyed).toBe(true);
  });
});

describe('SceneBuffers size check', () => {
  it('names an environment map over the adapter\'s binding limit, and the largest 2:1 map that fits', async () => {
    const scene = await compileBuiltin('cornell-box');
    const w = 256;
    const h = 128;
    const map = compileEnvironment({ kind: 'map', width: w, height: h, channels: 3, data: new Float32Array(w * h * 3).fill(1), name: 'sky.hdr' });
    // only the limits are read before the check throws: no device is needed
    const gpu = { limits: { maxStorageBufferBindingSize: 2 ** 20 } } as unknown as GpuContext;
    const withMap = { ...scene, environment: map };
    expect(() => new SceneBuffers(gpu, withMap)).toThrow(
      /^cornell-box: environment map sky\.hdr \(256x128\) needs 1\.0 MiB, more than this adapter's storage binding limit of 1 MiB: use a map of at most 128x64$/,
    );
    // 128x64 does fit: 32 bytes a texel and a little for the CDFs
    const fits = compileEnvironment({ kind: 'map', width: 128, height: 64, channels: 3, data: new Float32Array(128 * 64 * 3).fill(1) });
    expect(fits.data.byteLength).toBeLessThanOrEqual(2 ** 20);
    expect(map.data.byteLength).toBeGreaterThan(2 ** 20);
  });
});
