// Test-time self-ensembles (src/denoise/dihedral.ts): the symmetries on the CPU, and the WebGPU runtime's fused
// ensemble (the symmetry applied in its input and output passes) against the CPU reference composed around the
// transformed images: f32 tolerance as in denoiser.test.ts (1e-4 in the colour transform's domain). A wrong flip,
// transposition or inverse gives errors of the outputs' spread (~0.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDenoiserBackend } from '../../src/denoise/backend.ts';
import { Denoiser } from '../../src/denoise/denoiser.ts';
import {
  ENSEMBLE_SIZES, ENSEMBLE_SYMMETRIES, transformedSize, transformPixels, untransformPixels, untransformRect,
} from '../../src/denoise/dihedral.ts';
import { GpuJsDenoiser } from '../../src/denoise/gpujs/denoiser.ts';
import { referenceEnsemble } from '../../src/denoise/reference.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { errorStats, filmFromImages, loadSpec, randomImages, readDenoised, testWeights } from './support.ts';

const F32_MAX = 1e-4;

describe('symmetries', () => {
  const w = 5, h = 3, c = 2;
  const data = Float32Array.from({ length: w * h * c }, (_, i) => i);
  const at = (d: Float32Array, width: number, x: number, y: number) => [d[(y * width + x) * c], d[(y * width + x) * c + 1]];

  it('are the 8 distinct symmetries of the rectangle, each undone by its inverse', () => {
    const seen = new Set<string>();
    for (let s = 0; s < 8; s++) {
      const j = transformedSize(w, h, s);
      expect([j.width, j.height]).toEqual(s & 4 ? [h, w] : [w, h]);
      const t = transformPixels(data, w, h, c, s);
      expect(Array.from(t).sort((a, b) => a - b)).toEqual(Array.from(data));
      expect(untransformPixels(t, w, h, c, s)).toEqual(data);
      seen.add(t.join(','));
    }
    expect(seen.size).toBe(8);
  });

  it('flip x, flip y and transpose as their bits say', () => {
    // J(x, y) = I(S(x, y)): flip within J's size, then swap for a transposition
    expect(at(transformPixels(data, w, h, c, 1), w, 0, 0)).toEqual(at(data, w, w - 1, 0));
    expect(at(transformPixels(data, w, h, c, 2), w, 1, 0)).toEqual(at(data, w, 1, h - 1));
    expect(at(transformPixels(data, w, h, c, 3), w, 0, 0)).toEqual(at(data, w, w - 1, h - 1));
    expect(at(transformPixels(data, w, h, c, 4), h, 2, 1)).toEqual(at(data, w, 1, 2));
    // transposed J is h wide: J(0, 0) under flip x + transpose is I(0, h - 1)
    expect(at(transformPixels(data, w, h, c, 5), h, 0, 0)).toEqual(at(data, w, 0, h - 1));
  });

  it('map a rectangle of J back to the pixels it shows', () => {
    const W = 11, H = 7;
    const ids = Float32Array.from({ length: W * H }, (_, i) => i);
    const r = { x: 2, y: 1, width: 4, height: 3 };
    for (let s = 0; s < 8; s++) {
      const j = transformedSize(W, H, s);
      const J = transformPixels(ids, W, H, 1, s);
      const inRect = new Set<number>();
      for (let y = r.y; y < r.y + r.height; y++) for (let x = r.x; x < r.x + r.width; x++) inRect.add(J[y * j.width + x]);
      const back = untransformRect(r, W, H, s);
      const shown = new Set<number>();
      for (let y = back.y; y < back.y + back.height; y++) for (let x = back.x; x < back.x + back.width; x++) shown.add(y * W + x);
      expect(shown).toEqual(inRect);
    }
  });

  it('2 adds the half turn, 4 every flip without transposing, 8 all', () => {
    expect(ENSEMBLE_SIZES.map((n) => ENSEMBLE_SYMMETRIES[n].length)).toEqual([1, 2, 4, 8]);
    expect(ENSEMBLE_SYMMETRIES[4].every((s) => (s & 4) === 0)).toBe(true);
  });
});

describe('self-ensemble in the runtimes', () => {
  let gpu: GpuContext;
  beforeAll(async () => {
    gpu = await createNodeGpuContext();
  });
  afterAll(() => gpu?.destroy());

  // demodulation and autoexposure on: every part of the input and output passes the symmetry passes through
  const spec = loadSpec('n2n-fast-demod');
  const weights = testWeights(spec, 7);
  /** The reference: the CPU network composed around the transformed images, with the original's exposure (referenceEnsemble). */
  const reference = (images: ReturnType<typeof randomImages>, n: 1 | 2 | 4 | 8) => referenceEnsemble(spec, weights, images, n);

  it('matches the reference for every size on a non-square image that needs padding; size 1 is the plain call', async () => {
    const images = randomImages(37, 23, 11);
    const dn = await Denoiser.create(gpu, { spec, weights, precision: 'f32' });
    try {
      const plain = await readDenoised(dn, images);
      const one = await dn.denoise(images, { ensemble: 1 });
      expect(await one.read()).toEqual(plain);
      one.destroy();
      const results: Float32Array[] = [];
      for (const n of [2, 4, 8] as const) {
        const out = await dn.denoise(images, { ensemble: n });
        const rgb = await out.read();
        out.destroy();
        const e = errorStats(rgb, await reference(images, n));
        expect(e.refStd).toBeGreaterThan(0.05);
        expect(e.max).toBeLessThan(F32_MAX);
        results.push(rgb);
      }
      // the ensembles differ from the plain output and from each other (more than rounding)
      for (const r of results) expect(errorStats(r, plain).max).toBeGreaterThan(100 * F32_MAX);
      expect(errorStats(results[2], results[1]).max).toBeGreaterThan(100 * F32_MAX);
      await expect(dn.denoise(images, { ensemble: 3 as 2 })).rejects.toThrow(/^ensemble: 3 is not one of 1, 2, 4, 8$/);
      // after a failed call the denoiser still works
      expect(await readDenoised(dn, images)).toEqual(plain);
    } finally {
      dn.destroy();
    }
  });

  it('is seamless when tiled (each symmetry tiles its own image), from images and from a film', async () => {
    const width = 150, height = 120;
    const images = randomImages(width, height, 4);
    const whole = await Denoiser.create(gpu, { spec, weights, precision: 'f32' });
    const tiled = await Denoiser.create(gpu, { spec, weights, precision: 'f32', tileSize: 112 });
    const buffer = gpu.createBufferWithData('test film', filmFromImages(images, 1), GPUBufferUsage.STORAGE);
    try {
      expect(tiled.tilesFor(width, height).length).toBeGreaterThanOrEqual(6);
      const a = await whole.denoise(images, { ensemble: 8 });
      const b = await tiled.denoise(images, { ensemble: 8 });
      const ra = await a.read();
      expect(await b.read()).toEqual(ra);
      const c = await tiled.denoise({ width, height, spp: 1, film: buffer }, { ensemble: 8 });
      // the film's autoexposure comes from the GPU's float32 passes (denoiser.test.ts): equal to rounding
      expect(errorStats(await c.read(), ra).max).toBeLessThan(F32_MAX / 10);
      for (const r of [a, b, c]) r.destroy();
    } finally {
      buffer.destroy();
      whole.destroy();
      tiled.destroy();
    }
  });

  it('a film gives the same ensemble as the equivalent images (without autoexposure: exactly)', async () => {
    const width = 19, height = 13, spp = 4;
    const images = randomImages(width, height, 77);
    const plainSpec = { ...spec, autoexposure: undefined };
    const buffer = gpu.createBufferWithData('test film', filmFromImages(images, spp), GPUBufferUsage.STORAGE);
    const dn = await Denoiser.create(gpu, { spec: plainSpec, weights, precision: 'f32' });
    try {
      const a = await dn.denoise({ width, height, spp, film: buffer }, { ensemble: 8 });
      const b = await dn.denoise(images, { ensemble: 8 });
      expect(await a.read()).toEqual(await b.read());
      a.destroy();
      b.destroy();
    } finally {
      buffer.destroy();
      dn.destroy();
    }
  });

  it('the gpu.js runtime and the backend interface run the same ensemble', async () => {
    const images = randomImages(21, 14, 5);
    const ref = await reference(images, 4);
    const js = await GpuJsDenoiser.create({ spec, weights, mode: 'cpu' });
    try {
      expect(errorStats((await js.denoise(images, { ensemble: 4 })).data, ref).max).toBeLessThan(F32_MAX);
      await expect(js.denoise(images, { ensemble: 5 as 4 })).rejects.toThrow(/^ensemble: 5 is not one of 1, 2, 4, 8$/);
    } finally {
      await js.destroy();
    }
    const be = await createDenoiserBackend({ gpu, spec, weights, precision: 'f32' });
    try {
      expect(errorStats((await be.denoise(images, { ensemble: 4 })).data, ref).max).toBeLessThan(F32_MAX);
    } finally {
      await be.destroy();
    }
  });
});
