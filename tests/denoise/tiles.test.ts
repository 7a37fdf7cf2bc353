import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Denoiser } from '../../src/denoise/denoiser.ts';
import { defaultMargin, planTiles, receptiveRadius } from '../../src/denoise/tiles.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { filmFromImages, loadSpec, randomImages, testWeights } from './support.ts';

const fast = loadSpec('n2n-fast');

describe('planTiles', () => {
  it('cores partition the image, keep the margin inside, and every tile pads to the same size', () => {
    for (const [w, h, size, margin] of [[300, 170, 128, 40], [1000, 37, 256, 64], [129, 128, 128, 32]]) {
      const tiles = planTiles(w, h, size, margin, 8);
      const covered = new Uint8Array(w * h);
      for (const { rect, core } of tiles) {
        for (let y = core.y; y < core.y + core.height; y++) for (let x = core.x; x < core.x + core.width; x++) covered[y * w + x]++;
        expect(rect.x % 8).toBe(0);
        expect(rect.y % 8).toBe(0);
        // margins on every side that is not an image edge
        if (core.x > 0) expect(core.x - rect.x).toBeGreaterThanOrEqual(margin);
        if (core.y > 0) expect(core.y - rect.y).toBeGreaterThanOrEqual(margin);
        if (core.x + core.width < w) expect(rect.x + rect.width - core.x - core.width).toBeGreaterThanOrEqual(margin);
        if (core.y + core.height < h) expect(rect.y + rect.height - core.y - core.height).toBeGreaterThanOrEqual(margin);
        expect(Math.ceil(rect.width / 8) * 8).toBe(w > size ? size : Math.ceil(w / 8) * 8);
        expect(Math.ceil(rect.height / 8) * 8).toBe(h > size ? size : Math.ceil(h / 8) * 8);
      }
      expect(covered.every((c) => c === 1)).toBe(true);
    }
    expect(() => planTiles(100, 100, 64, 32, 8)).toThrow(/size > 2 \* margin/);
  });
  it('the margin covers the receptive field', () => {
    // convs at levels 0,1,2,3,2,1,0,0,0 reach 1+2+4+8+4+2+1+1+1 = 24; upsampling alignment 2+4+8 = 14
    expect(receptiveRadius(fast)).toBe(38);
    expect(defaultMargin(fast)).toBe(40);
    expect(receptiveRadius(loadSpec('n2n-paper'))).toBe(189);
  });
});

describe('tiled denoising', () => {
  let gpu: GpuContext;
  beforeAll(async () => {
    gpu = await createNodeGpuContext();
  });
  afterAll(() => gpu?.destroy());

  it('is seamless: forcing small tiles gives exactly the untiled result (images and film)', async () => {
    const weights = testWeights(fast, 2);
    const width = 150, height = 120;
    const images = randomImages(width, height, 4);
    const whole = await Denoiser.create(gpu, { spec: fast, weights, precision: 'f32' });
    const tiled = await Denoiser.create(gpu, { spec: fast, weights, precision: 'f32', tileSize: 112 });
    try {
      expect(whole.tilesFor(width, height)).toHaveLength(1);
      expect(tiled.tilesFor(width, height).length).toBeGreaterThanOrEqual(6);
      const a = await whole.denoise(images);
      const b = await tiled.denoise(images);
      const ra = await a.read(), rb = await b.read();
      expect(rb).toEqual(ra);
      // film input, read in place per tile
      const buffer = gpu.createBufferWithData('test film', filmFromImages(images, 1), GPUBufferUsage.STORAGE);
      const c = await tiled.denoise({ width, height, spp: 1, film: buffer });
      expect(await c.read()).toEqual(ra);
      for (const r of [a, b, c]) r.destroy();
      buffer.destroy();
      // a margin below the receptive field shows seams
      const loose = await Denoiser.create(gpu, { spec: fast, weights, precision: 'f32', tileSize: 112, tileMargin: 16 });
      const d = await loose.denoise(images);
      expect(await d.read()).not.toEqual(ra);
      d.destroy();
      loose.destroy();
    } finally {
      whole.destroy();
      tiled.destroy();
    }
  });
  it('tiles by itself when the tensors would exceed the memory budget', async () => {
    const dn = await Denoiser.create(gpu, { spec: fast, precision: 'f32', maxTensorBytes: 4 * 2 ** 20 });
    try {
      const tiles = dn.tilesFor(640, 480);
      expect(tiles.length).toBeGreaterThan(1);
      expect(() => dn.tilesFor(64, 64)).not.toThrow();
    } finally {
      dn.destroy();
    }
    const tiny = await Denoiser.create(gpu, { spec: fast, precision: 'f32', maxTensorBytes: 2 ** 16 });
    expect(() => tiny.tilesFor(640, 480)).toThrow(/tiling: tile size \d+ must be over twice the margin 40/);
    tiny.destroy();
  });
});
