// Emission separation (src/render/emission.ts): the first-hit emission a render accumulates beside its film
// (PathTracer option firstHitEmission) is bitwise a depth-0 render of the same samples, and taking it out leaves no
// emitter value in the frame (other samples' emission would); the anti-aliased emission converges to the light's
// coverage; the pure helpers' edge cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { addEmission, antialiasSeed, EMISSION_EDGE_TOLERANCE, emissionEdges, EmissionPass, EmissionTracker, subtractEmission } from '../../src/render/emission.ts';
import { PathTracer, type FrameData } from '../../src/render/path-tracer.ts';
import type { CompiledScene } from '../../src/scene/compile.ts';
import { seededRandom } from '../../scenes/util.ts';
import { compileBuiltin, everyNthPixel, expectChosenOnly } from '../support/render.ts';

describe('subtractEmission / addEmission', () => {
  it('subtracts per value, clamps rounding below zero, keeps non-finite colour and ignores non-finite emission', () => {
    const color = new Float32Array([5, 1, 0.5, NaN, Infinity, 2]);
    const emission = new Float32Array([4, 1.000001, 0, 1, 1, NaN]);
    const out = subtractEmission(color, emission);
    expect(out[0]).toBeCloseTo(1, 6);
    expect(out[1]).toBe(0);
    expect(out[2]).toBe(0.5);
    expect(out[3]).toBeNaN();
    expect(out[4]).toBe(Infinity);
    expect(out[5]).toBe(2);
    expect(color[0]).toBe(5); // the input is not modified
  });

  it('keeps a fourth channel as it is', () => {
    const out = subtractEmission(new Float32Array([3, 3, 3, 7]), new Float32Array([1, 2, 3]), 4);
    expect([...out]).toEqual([2, 1, 0, 7]);
  });

  it('adds the emission back, and rejects images of another size', () => {
    expect([...addEmission(new Float32Array([1, 2, 3]), new Float32Array([0.5, NaN, 1]))]).toEqual([1.5, 2, 4]);
    expect(() => addEmission(new Float32Array(6), new Float32Array(3))).toThrow(/does not match/);
    expect(() => subtractEmission(new Float32Array(8), new Float32Array(3), 4)).toThrow(/does not match/);
  });
});

describe('emissionEdges', () => {
  /** A w x h grey image with `v` at the given pixels and 0 elsewhere. */
  function image(w: number, h: number, lit: Array<[number, number]>, v = 5): Float32Array {
    const img = new Float32Array(w * h * 3);
    for (const [x, y] of lit) img.fill(v, (y * w + x) * 3, (y * w + x) * 3 + 3);
    return img;
  }
  const marked = (e: Uint8Array, w: number): string[] => [...e].flatMap((m, p) => (m ? [`${p % w},${p / w | 0}`] : []));

  it('marks the pixels with another value in their 3x3 neighbourhood: a 2x2 light and the ring around it', () => {
    const e = emissionEdges(image(6, 6, [[2, 2], [3, 2], [2, 3], [3, 3]]), 6, 6);
    const expected: string[] = [];
    for (let y = 1; y <= 4; y++) for (let x = 1; x <= 4; x++) expected.push(`${x},${y}`);
    expect(marked(e, 6)).toEqual(expected);
  });

  it('leaves the inside of a light and empty regions alone, and clips at the border', () => {
    const all: Array<[number, number]> = [];
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) all.push([x, y]);
    expect(marked(emissionEdges(image(5, 5, all), 5, 5), 5)).toEqual([]);
    expect(marked(emissionEdges(image(5, 5, []), 5, 5), 5)).toEqual([]);
    // a 3x3 light in the corner: its inner pixel (0,0)-(1,1) stays unmarked
    const corner: Array<[number, number]> = [];
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) corner.push([x, y]);
    expect(marked(emissionEdges(image(5, 5, corner), 5, 5), 5)).not.toContain('1,1');
    expect(marked(emissionEdges(image(5, 5, corner), 5, 5), 5)).toContain('2,2');
  });

  it('agrees with the definition (a 3x3 neighbourhood, clipped) on random images, strips and single pixels', () => {
    // the definition, written out pixel by pixel: emissionEdges compares each pair of neighbours once instead
    const reference = (img: Float32Array, w: number, h: number): Uint8Array => {
      const out = new Uint8Array(w * h);
      const far = (a: number, b: number) => Math.abs(a - b) > EMISSION_EDGE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const [xx, yy] = [x + dx, y + dy];
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const [p, q] = [(y * w + x) * 3, (yy * w + xx) * 3];
          if ([0, 1, 2].some((c) => far(img[p + c], img[q + c]))) out[y * w + x] = 1;
        }
      }
      return out;
    };
    const rng = seededRandom(17);
    let marked = 0;
    let total = 0;
    for (const [w, h] of [[1, 1], [1, 9], [9, 1], [2, 2], [13, 7], [32, 24]]) {
      for (let k = 0; k < 4; k++) {
        // a few values, repeated (equal neighbours are the common case), some nudged around the tolerance
        const img = new Float32Array(w * h * 3);
        for (let p = 0; p < w * h; p++) {
          const base = [0, 0, 5, 17][Math.floor(rng() * 4)];
          for (let c = 0; c < 3; c++) img[p * 3 + c] = base * (1 + (rng() < 0.1 ? (rng() - 0.5) * 4 * EMISSION_EDGE_TOLERANCE : 0));
        }
        const got = emissionEdges(img, w, h);
        expect([...got]).toEqual([...reference(img, w, h)]);
        marked += got.reduce((a, v) => a + v, 0);
        total += w * h;
      }
    }
    expect(marked).toBeGreaterThan(0.2 * total); // neither all marked nor none: the comparison means something
    expect(marked).toBeLessThan(total);
  });

  it('counts a difference only beyond the relative tolerance, in any channel', () => {
    const img = image(3, 1, [[0, 0], [1, 0], [2, 0]], 2);
    img[4] = 2 * (1 + 0.5 * EMISSION_EDGE_TOLERANCE); // pixel 1, green: within tolerance
    expect(marked(emissionEdges(img, 3, 1), 3)).toEqual([]);
    img[4] = 2 * (1 + 2 * EMISSION_EDGE_TOLERANCE);
    expect(marked(emissionEdges(img, 3, 1), 3)).toEqual(['0,0', '1,0', '2,0']);
    expect(() => emissionEdges(img, 2, 2)).toThrow(/not 2x2/);
  });
});

describe('EmissionPass (GPU, cornell-box 32x32)', () => {
  const SIZE = 32;
  let gpu: GpuContext;
  let scene: CompiledScene;
  let tracer: PathTracer;
  let pass: EmissionPass;
  beforeAll(async () => {
    gpu = await createNodeGpuContext();
    scene = await compileBuiltin('cornell-box');
    tracer = await PathTracer.create(gpu, scene, { width: SIZE, height: SIZE, maxDepth: 8, firstHitEmission: true });
    pass = await EmissionPass.create(gpu, scene, { width: SIZE, height: SIZE });
  });
  afterAll(() => {
    pass?.destroy();
    tracer?.destroy();
    gpu?.destroy();
  });

  /** Values where the remainder colour - emission is below zero beyond float rounding, and the emissive values. */
  function negatives(color: Float32Array, emission: Float32Array): { negative: number; emissive: number } {
    let negative = 0;
    let emissive = 0;
    for (let i = 0; i < emission.length; i++) {
      if (emission[i] > 0) emissive++;
      if (color[i] - emission[i] < -1e-4 * Math.max(1, emission[i])) negative++;
    }
    return { negative, emissive };
  }

  /** The frame of `spp` samples with `seed`, read back with its first-hit emission. */
  async function frameOf(spp: number, seed: number): Promise<FrameData> {
    await tracer.render({ spp, seed });
    return tracer.readFrame();
  }

  it('the frame\'s own samples: no remainder below zero; another seed\'s samples leave negative remainders at the light\'s edge', async () => {
    const frame = await frameOf(4, 11);
    expect(await tracer.readColor()).toEqual(frame.color); // the radiance plane alone
    const own = await pass.render(frame, 11, 4);
    expect(own.matching).toBe(frame.firstHitEmission);
    const mine = negatives(frame.color, own.matching);
    expect(mine.emissive).toBeGreaterThan(9); // the light is in view (a few pixels at 32x32)
    expect(mine.negative).toBe(0);
    const other = await frameOf(4, 12);
    expect(negatives(frame.color, other.firstHitEmission!).negative).toBeGreaterThan(0);
  });

  it('refuses a frame without its first-hit emission, or of another size', async () => {
    const plain = await PathTracer.create(gpu, scene, { width: SIZE, height: SIZE, maxDepth: 8 });
    try {
      await plain.render({ spp: 1, seed: 1 });
      const frame = await plain.readFrame();
      expect(frame.firstHitEmission).toBeUndefined();
      await expect(pass.render(frame, 1, 4)).rejects.toThrow(/firstHitEmission/);
      await expect(plain.readFirstHitEmission()).rejects.toThrow(/without firstHitEmission/);
      await expect(pass.render({ ...frame, width: 16, height: 64 }, 1, 4)).rejects.toThrow(/given a 16x64 frame/);
      await expect(pass.render({ ...frame, firstHitEmission: new Float32Array(6) }, 1, 4)).rejects.toThrow(/2 pixels is not 32x32/);
    } finally {
      plain.destroy();
    }
  });

  it('inside the light the emission is the light\'s radiance, and what is left there is the light\'s reflection only', async () => {
    const frame = await frameOf(4, 3);
    const e = await pass.render(frame, 3, 16);
    const le = Math.max(...e.matching);
    expect(le).toBeGreaterThan(1); // the Cornell light is far brighter than anything it lights
    const rest = subtractEmission(frame.color, e.matching);
    let inside = 0;
    for (let i = 0; i < e.matching.length; i++) {
      if (e.matching[i] !== le) continue;
      inside++;
      expect(e.antialiased[i]).toBeLessThanOrEqual(le * (1 + 1e-6));
      expect(rest[i]).toBeLessThan(0.5 * le);
    }
    expect(inside).toBeGreaterThan(0);
    expect(e.antialiasedSpp).toBe(16);
    expect(e.ms).toBeGreaterThan(0);
  });

  it('EmissionTracker follows a frame accumulated in steps: the same images as one render, starting again for a new camera', async () => {
    const tracker = await EmissionTracker.create(gpu, scene, { width: SIZE, height: SIZE, seed: 21, antialiasedSpp: 8 });
    try {
      // the view gains its samples in steps, as the app's does
      tracer.reset(21);
      await tracer.accumulate(3);
      await tracker.images(await tracer.readFrame());
      await tracer.accumulate(5);
      const frame = await tracer.readFrame();
      const eight = await tracker.images(frame);
      const once = await pass.render(await frameOf(8, 21), 21, 8);
      expect(eight.matching).toEqual(once.matching);
      expect(eight.antialiased).toEqual(once.antialiased);
      expect(negatives(frame.color, eight.matching).negative).toBe(0);
      tracker.setCamera(scene.camera);
      const again = await tracker.images(frame);
      expect(again.antialiased).not.toBe(eight.antialiased); // rendered again for the view
      expect(again.antialiased).toEqual(once.antialiased);
      await expect(tracker.images({ ...frame, firstHitEmission: undefined })).rejects.toThrow(/firstHitEmission/);
    } finally {
      tracker.destroy();
    }
  });

  it('EmissionTracker renders the edge pixels that more samples reveal: each once, as one render of them all would', async () => {
    const tracker = await EmissionTracker.create(gpu, scene, { width: SIZE, height: SIZE, seed: 5, antialiasedSpp: 8 });
    try {
      const first = await tracker.images(await frameOf(1, 5));
      const later = await tracker.images(await frameOf(16, 5));
      const once = await pass.render(await frameOf(16, 5), 5, 8);
      const count = (e: Uint8Array) => e.reduce((a, v) => a + v, 0);
      // 16 samples find edge pixels that the first one did not
      const revealed = [...once.edges].filter((e, p) => e && !first.edges[p]).length;
      expect(revealed).toBeGreaterThan(0);
      expect(count(later.edges)).toBe(count(first.edges) + revealed);
      for (let p = 0; p < SIZE * SIZE; p++) {
        const px = (img: Float32Array) => [...img.subarray(p * 3, p * 3 + 3)];
        if (once.edges[p]) expect(px(later.antialiased)).toEqual(px(once.antialiased)); // the anti-aliased value
        else if (first.edges[p]) expect(later.edges[p]).toBe(1); // kept from the first call
        else expect(px(later.antialiased)).toEqual(px(later.matching)); // the frame's own emission
      }
    } finally {
      tracker.destroy();
    }
  });

  it('renders the anti-aliasing rays on the emission\'s edges only: there the same values as a full render, elsewhere the frame\'s own', async () => {
    const e = await pass.render(await frameOf(4, 9), 9, 16);
    const edgeCount = e.edges.reduce((a, v) => a + v, 0);
    expect(edgeCount).toBeGreaterThan(0);
    expect(edgeCount).toBeLessThan(0.25 * SIZE * SIZE); // the light and its rim, not the room
    expect([...e.edges]).toEqual([...emissionEdges(e.matching, SIZE, SIZE)]);
    const full = await PathTracer.create(gpu, scene, { width: SIZE, height: SIZE, maxDepth: 0, jitter: 'sobol' });
    try {
      await full.render({ spp: 16, seed: antialiasSeed(9) });
      const all = await full.readColor();
      let edgeFractional = 0;
      for (let p = 0; p < SIZE * SIZE; p++) {
        const got = [...e.antialiased.subarray(p * 3, p * 3 + 3)];
        if (e.edges[p]) {
          expect(got).toEqual([...all.subarray(p * 3, p * 3 + 3)]);
          if (got[0] > 0 && got[0] < Math.max(...e.matching)) edgeFractional++;
        } else {
          expect(got).toEqual([...e.matching.subarray(p * 3, p * 3 + 3)]);
          // off the edges a full render agrees with the frame's own emission: every ray sees the same emitter or none
          expect(all.subarray(p * 3, p * 3 + 3)).toEqual(e.matching.subarray(p * 3, p * 3 + 3));
        }
      }
      expect(edgeFractional).toBeGreaterThan(0);
    } finally {
      full.destroy();
    }
  });

  it('PathTracer.restrictTo renders the chosen pixels only, each as in a full render; refused on a film with samples', async () => {
    const pt = await PathTracer.create(gpu, scene, { width: SIZE, height: SIZE, maxDepth: 2 });
    try {
      await pt.render({ spp: 2, seed: 4 });
      const whole = await pt.readFrame();
      expect(() => pt.restrictTo(new Uint8Array(SIZE * SIZE))).toThrow(/already holds samples/);
      pt.reset(4);
      expect(() => pt.restrictTo(new Uint8Array(5))).toThrow(/5 entries for a 32x32 image/);
      const chosen = everyNthPixel(SIZE, SIZE, 7);
      pt.restrictTo(chosen);
      await pt.accumulate(2);
      const part = await pt.readFrame();
      for (const plane of ['color', 'variance', 'albedo', 'normal'] as const) expectChosenOnly(part[plane], whole[plane], chosen);
      expect(() => pt.frame()).toThrow(/restricted render .* not as an image/);
      for (let p = 0; p < chosen.length; p++) expect(part.depth[p]).toBe(chosen[p] ? whole.depth[p] : 0);
      // reset lifts the restriction
      await pt.render({ spp: 2, seed: 4 });
      expect((await pt.readFrame()).color).toEqual(whole.color);
    } finally {
      pt.destroy();
    }
  });

  it('a restricted render finds each chosen pixel of an image of more than 2^16 pixels (the film keeps their indices in two halves)', async () => {
    const [w, h] = [300, 240];
    const pt = await PathTracer.create(gpu, scene, { width: w, height: h, maxDepth: 1 });
    try {
      await pt.render({ spp: 2, seed: 6 });
      const whole = await pt.readColor();
      const chosen = everyNthPixel(w, h, 997, 12);
      chosen[w * h - 1] = 1;
      pt.reset(6);
      pt.restrictTo(chosen);
      await pt.accumulate(2);
      const part = await pt.readColor();
      expect(part.some((v, i) => v > 0 && i / 3 > 65536)).toBe(true); // the lit floor
      expectChosenOnly(part, whole, chosen);
    } finally {
      pt.destroy();
    }
  });

  it('a restricted render counts only its chosen pixels per submission: the same values as a full render split sample by sample', async () => {
    // one sample of the whole image per submission; the 9 chosen pixels take all 12 samples in one
    const pt = await PathTracer.create(gpu, scene, { width: SIZE, height: SIZE, maxDepth: 2, pathsPerSubmit: SIZE * SIZE });
    try {
      await pt.render({ spp: 12, seed: 8 });
      const whole = await pt.readColor();
      const chosen = everyNthPixel(SIZE, SIZE, 113, 5);
      pt.reset(8);
      pt.restrictTo(chosen);
      await pt.accumulate(12);
      const part = await pt.readColor();
      expectChosenOnly(part, whole, chosen);
      // chosen pixels in a few rows only: the passes cover those rows, the rest of the image stays empty
      const band = new Uint8Array(SIZE * SIZE);
      for (let p = 10 * SIZE + 3; p < 13 * SIZE; p += 5) band[p] = 1;
      pt.reset(8);
      pt.restrictTo(band);
      await expect(pt.accumulateRows(0, 8, 1)).rejects.toThrow(/restricted render \(restrictTo\) takes whole samples/);
      await pt.accumulate(12);
      expectChosenOnly(await pt.readColor(), whole, band);
      // none chosen: nothing rendered, the samples still counted
      pt.reset(8);
      pt.restrictTo(new Uint8Array(SIZE * SIZE));
      await pt.accumulate(3);
      expect(pt.samples).toBe(3);
      expect(await pt.readColor()).toEqual(new Float32Array(SIZE * SIZE * 3));
      pt.reset(8);
      pt.restrictTo(chosen);
      await pt.accumulate(12);
      // readColor of some rows: those rows as they are, zeros elsewhere
      const rows = await pt.readColor({ start: 3, count: 10 });
      for (let i = 0; i < rows.length; i++) expect(rows[i]).toBe(i >= 3 * SIZE * 3 && i < 13 * SIZE * 3 ? part[i] : 0);
      expect(await pt.readColor({ start: 0, count: 0 })).toEqual(new Float32Array(SIZE * SIZE * 3));
      await expect(pt.readColor({ start: 30, count: 3 })).rejects.toThrow(/rows 30..32 are not within the 32 rows/);
    } finally {
      pt.destroy();
    }
  });

  it('a clamped frame (PathTracer clamp): its first-hit emission and the anti-aliased one put back are clamped as its samples are', async () => {
    const C = 2; // the Cornell light's radiance is several times that in every channel
    const clamped = await PathTracer.create(gpu, scene, { width: SIZE, height: SIZE, maxDepth: 8, clamp: C, firstHitEmission: true });
    const clampedPass = await EmissionPass.create(gpu, scene, { width: SIZE, height: SIZE, clamp: C });
    try {
      await clamped.render({ spp: 4, seed: 7 });
      const frame = await clamped.readFrame();
      const e = await clampedPass.render(frame, 7, 16);
      expect(Math.max(...e.matching)).toBeLessThanOrEqual(C * (1 + 1e-6));
      expect(Math.max(...e.antialiased)).toBeLessThanOrEqual(C * (1 + 1e-6));
      expect(e.antialiased.filter((v) => Math.abs(v - C) < 1e-5).length).toBeGreaterThan(9); // the light's inside
      expect(e.antialiased.filter((v) => v > 0.02 * C && v < 0.98 * C).length).toBeGreaterThan(0); // its edges
      expect(negatives(frame.color, e.matching).negative).toBe(0);
      // an unclamped anti-aliased emission would put the light's full radiance back on its edge pixels
      const unclamped = await pass.render(frame, 7, 16);
      expect(Math.max(...unclamped.antialiased)).toBeGreaterThan(2 * C);
    } finally {
      clampedPass.destroy();
      clamped.destroy();
    }
  });

  it('the anti-aliased emission is a mean over more rays: between 0 and the light\'s radiance, fractional on edge pixels', async () => {
    const frame = await frameOf(1, 5);
    const e = await pass.render(frame, 5, 64);
    const le = Math.max(...e.antialiased);
    const fractional = [...e.antialiased].filter((v) => v > 0.02 * le && v < 0.98 * le).length;
    expect(fractional).toBeGreaterThan(0);
    expect(Math.min(...e.antialiased)).toBeGreaterThanOrEqual(0);
    await expect(pass.render(frame, 5, 0)).rejects.toThrow(/whole number/);
  });
});
