// PathTracer.accumulateRows / commitSamples: a sample rendered as bands of rows must leave exactly the film that
// accumulate() leaves (same seed and sample indices), whatever the bands; bad bands and commits are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { IntegratorPipeline, PathTracer } from '../../src/render/path-tracer.ts';
import type { CompiledScene } from '../../src/scene/compile.ts';
import { compileBuiltin } from '../support/render.ts';

// 19 rows: neither the bands nor the image are multiples of the 8-row workgroup.
const W = 13;
const H = 19;
const SEED = 7;

let gpu: GpuContext;
let scene: CompiledScene;
let pipeline: IntegratorPipeline;

beforeAll(async () => {
  gpu = await createNodeGpuContext();
  scene = await compileBuiltin('cornell-box');
  pipeline = await IntegratorPipeline.create(gpu);
});
afterAll(() => gpu?.destroy());

async function withTracer(fn: (pt: PathTracer) => Promise<void>): Promise<void> {
  const pt = await PathTracer.create(gpu, scene, { width: W, height: H, pipeline });
  try {
    pt.reset(SEED);
    await fn(pt);
  } finally {
    pt.destroy();
  }
}

const rawFilm = async (pt: PathTracer): Promise<Uint32Array> => new Uint32Array(await gpu.readBuffer(pt.frame().film));

describe('PathTracer.accumulateRows', () => {
  it('bands of any height give the film of accumulate(), bit for bit', async () => {
    let whole: Uint32Array | null = null;
    let oneSpp: Float32Array | null = null;
    await withTracer(async (pt) => {
      await pt.accumulate(1);
      oneSpp = (await pt.readFrame()).color;
      await pt.accumulate(3);
      whole = await rawFilm(pt);
    });
    await withTracer(async (pt) => {
      // sample 0: bands of 1, 5 (not a multiple of 8) and 13 rows, out of order
      await pt.accumulateRows(6, 13, 1);
      await pt.accumulateRows(0, 1, 1);
      expect(pt.partial).toBe(true);
      expect(pt.samples).toBe(0);
      // a partial film decodes by each pixel's own count: rendered rows are sample 0, the rest still empty
      const part = await pt.readFrame();
      expect(part.spp).toBe(0);
      for (let y = 0; y < H; y++) {
        const row = Array.from(part.color.subarray(y * W * 3, (y + 1) * W * 3));
        const want = y >= 1 && y < 6 ? new Array<number>(W * 3).fill(0) : Array.from(oneSpp!.subarray(y * W * 3, (y + 1) * W * 3));
        expect(row, `row ${y}`).toEqual(want);
      }
      await pt.accumulateRows(1, 5, 1);
      pt.commitSamples(1);
      expect([pt.samples, pt.partial]).toEqual([1, false]);
      // samples 1..3: rows 0..9 one sample at a time, rows 10..18 three in one band, and the single last row
      for (let i = 0; i < 3; i++) await pt.accumulateRows(0, 10, 1);
      await pt.accumulateRows(10, 8, 3);
      await pt.accumulateRows(18, 1, 3);
      pt.commitSamples(3);
      expect(pt.samples).toBe(4);
      expect(await rawFilm(pt)).toEqual(whole);
    });
  }, 30_000);

  it('the whole image as one band equals accumulate()', async () => {
    let whole: Uint32Array | null = null;
    await withTracer(async (pt) => {
      await pt.accumulate(2);
      whole = await rawFilm(pt);
    });
    await withTracer(async (pt) => {
      await pt.accumulateRows(0, H, 2);
      pt.commitSamples(2);
      expect(await rawFilm(pt)).toEqual(whole);
    });
  }, 30_000);

  it('refuses bad bands and commits, and accumulate() during a band-by-band sample', async () => {
    await withTracer(async (pt) => {
      for (const [start, count, n] of [[-1, 1, 1], [H, 1, 1], [0.5, 1, 1], [0, 0, 1], [0, H + 1, 1], [5, H - 4, 1], [0, 1.5, 1], [0, 1, 0], [0, 1, 1.5], [NaN, 1, 1]]) {
        await expect(pt.accumulateRows(start, count, n), `${start}, ${count}, ${n}`).rejects.toThrow(RangeError);
      }
      expect(pt.partial).toBe(false);
      await pt.accumulateRows(0, 4, 1);
      // rows 2..5 hold 1 and 0 uncommitted samples: their sample indices would differ
      await expect(pt.accumulateRows(2, 4, 1)).rejects.toThrow(/rows 2\.\.5 hold different numbers of uncommitted samples/);
      expect(() => pt.commitSamples(1)).toThrow(/row 4 holds 0 uncommitted samples/);
      expect(() => pt.commitSamples(0)).toThrow(RangeError);
      await expect(pt.accumulate(1)).rejects.toThrow(/band-by-band sample is under way/);
      await pt.accumulateRows(4, H - 4, 1);
      expect(() => pt.commitSamples(2)).toThrow(/row 0 holds 1 uncommitted samples/);
      pt.commitSamples(1);
      expect(pt.samples).toBe(1);
      await pt.accumulateRows(0, 3, 1);
      pt.reset(SEED); // drops the uncommitted rows with the film
      expect([pt.partial, pt.samples]).toEqual([false, 0]);
      await pt.accumulate(1);
      expect(pt.samples).toBe(1);
    });
  }, 30_000);
});
