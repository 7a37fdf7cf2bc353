// sampleBatch: each crop is the pair's pixels under one of the 8 dihedral transforms, inputs channels-first in
// the spec's input order, the target the other render (or the clean one); the random draws (pair, position,
// transform, swap) come in a fixed order, so a seed gives the same batches (runs resume onto the same data).
import { describe, expect, it } from 'vitest';
import { demodulated } from '../../src/denoise/reference.ts';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { prepAlbedo, prepColor, prepColorFast, prepNormal } from '../../src/denoise/transform.ts';
import { makePair, sampleBatch, swappable, transformBatch, type PairPrep, type TrainingPair } from '../../src/train/data.ts';
import { mulberry32 } from '../support/random.ts';

/** A pair made from random renders, with the renders (interleaved RGB) kept beside it for the definitions below. */
type TestPair = TrainingPair & { colorA: Float32Array; colorB: Float32Array; albedo: Float32Array; normal: Float32Array };

function randomPair(name: string, w: number, h: number, seed: number, clean: boolean, prep: PairPrep, targetSpp = 4): TestPair {
  const rnd = mulberry32(seed);
  const img = (scale: number, offset = 0) => Float32Array.from({ length: w * h * 3 }, () => offset + scale * rnd());
  const [colorA, colorB, albedo, normal] = [img(3), img(3), img(1), img(2, -1)];
  return { ...makePair(name, w, h, 4, colorA, colorB, albedo, normal, clean, prep, targetSpp), colorA, colorB, albedo, normal };
}

/** The crop by definition, one value at a time (the same draws as sampleBatch, in the same order). */
function referenceBatch(inputs: readonly string[], pairs: readonly TestPair[], batch: number, crop: number, rng: () => number) {
  const inC = inputs.length * 3;
  const input: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < batch; b++) {
    const p = pairs[Math.floor(rng() * pairs.length)];
    const x0 = Math.floor(rng() * (p.width - crop + 1));
    const y0 = Math.floor(rng() * (p.height - crop + 1));
    const t = Math.floor(rng() * 8);
    const swap = swappable(p) && rng() < 0.5;
    // Output pixel (u, v) reads source pixel (x0 + su, y0 + sv): transpose if t & 4, then flip x if t & 1, y if t & 2.
    const at = (src: Float32Array, c: number, u: number, v: number) => {
      let su = t & 4 ? v : u;
      let sv = t & 4 ? u : v;
      if (t & 1) su = crop - 1 - su;
      if (t & 2) sv = crop - 1 - sv;
      return src[((y0 + sv) * p.width + x0 + su) * 3 + c];
    };
    // From the renders (interleaved RGB): colours scaled by the pair's exposure, demodulated for a demodulating
    // spec, then each input's transform.
    const target = (c: Float32Array) => {
      const scaled = c.map((v) => v * p.exposure);
      return p.demodulated ? demodulated(scaled, p.albedo) : scaled;
    };
    const inColor = target(swap ? p.colorB : p.colorA);
    const sources = inputs.map((k) => (k === 'color' ? inColor.map(prepColorFast) : k === 'albedo' ? p.albedo.map(prepAlbedo) : p.normal.map(prepNormal)));
    for (let k = 0; k < inC; k++) {
      for (let v = 0; v < crop; v++) for (let u = 0; u < crop; u++) input.push(at(sources[Math.floor(k / 3)], k % 3, u, v));
    }
    const out = target(swap ? p.colorA : p.colorB);
    for (let c = 0; c < 3; c++) for (let v = 0; v < crop; v++) for (let u = 0; u < crop; u++) targets.push(at(out, c, u, v));
  }
  return { input: Float32Array.from(input), target: Float32Array.from(targets) };
}

describe('sampleBatch', () => {
  for (const name of ['n2n-fast', 'n2n-fast-demod', 'n2n-paper'] as const) {
    it(`${name}: equals the crop by definition for every transform, noisy and clean pairs, non-square images`, () => {
      const spec = builtinSpec(name);
      const pairs = [
        randomPair('a', 13, 9, 1, false, spec), randomPair('b', 8, 11, 2, true, spec), randomPair('c', 10, 10, 3, false, spec),
        randomPair('d', 9, 9, 4, false, spec, 16),
      ];
      const transforms = new Set<number>();
      for (let seed = 0; seed < 40; seed++) {
        const got = transformBatch(sampleBatch(spec, pairs, 3, 8, mulberry32(seed)), spec.inputs.length * 3, 8);
        const want = referenceBatch(spec.inputs, pairs, 3, 8, mulberry32(seed));
        expect(got.input).toEqual(want.input);
        expect(got.target).toEqual(want.target);
        expect(got.transforms).toBeUndefined();
        // record which transforms were drawn (the 4th draw of each crop), to know all 8 were covered
        const rng = mulberry32(seed);
        for (let b = 0; b < 3; b++) {
          const p = pairs[Math.floor(rng() * pairs.length)];
          rng();
          rng();
          const t = Math.floor(rng() * 8);
          transforms.add(t);
          expect(sampleBatch(spec, pairs, 3, 8, mulberry32(seed)).transforms?.[b]).toBe(t);
          if (swappable(p)) rng();
        }
      }
      expect(transforms.size).toBe(8);
    });
  }

  it('a crop with the identity transform is the sub-image, and the clean target is never swapped in as input', () => {
    const spec = builtinSpec('n2n-fast');
    const p = randomPair('clean', 6, 6, 7, true, spec);
    const scaled = (v: number) => Math.fround(v * p.exposure);
    // crop = image: position 0; draws: pair, x, y, t -> pick a seed whose t is 0
    let seed = 0;
    for (; ; seed++) {
      const r = mulberry32(seed);
      r(); r(); r();
      if (Math.floor(r() * 8) === 0) break;
    }
    const batch = sampleBatch(spec, [p], 1, 6, mulberry32(seed));
    for (let i = 0; i < 36; i++) {
      for (let c = 0; c < 3; c++) {
        expect(batch.input[c * 36 + i]).toBe(Math.fround(prepColorFast(scaled(p.colorA[i * 3 + c]))));
        expect(batch.input[(3 + c) * 36 + i]).toBe(Math.fround(prepAlbedo(p.albedo[i * 3 + c])));
        expect(batch.input[(6 + c) * 36 + i]).toBe(Math.fround(prepNormal(p.normal[i * 3 + c])));
        expect(batch.target[c * 36 + i]).toBe(scaled(p.colorB[i * 3 + c]));
      }
    }
  });

  it('swaps input and target of equal renders only: never a target with more samples than its input', () => {
    const spec = builtinSpec('n2n-fast');
    const equal = randomPair('equal', 8, 8, 5, false, spec);
    const more = randomPair('more', 8, 8, 5, false, spec, 64);
    expect([swappable(equal), swappable(more), swappable(randomPair('clean', 8, 8, 5, true, spec))]).toEqual([true, false, false]);
    // the same renders in both pairs: which render each batch's input colour came from
    const from = (p: TestPair, seed: number) => {
      const colour = sampleBatch(spec, [p], 1, 8, mulberry32(seed)).input.subarray(0, 64);
      const a = new Set(p.prepA), b = new Set(p.prepB);
      return colour.every((v) => a.has(v)) ? 'A' : colour.every((v) => b.has(v)) ? 'B' : '?';
    };
    const seeds = Array.from({ length: 24 }, (_, i) => i);
    expect(new Set(seeds.map((s) => from(equal, s)))).toEqual(new Set(['A', 'B']));
    expect(new Set(seeds.map((s) => from(more, s)))).toEqual(new Set(['A']));
  });

  it('refilling a previous batch gives the same batch in the same arrays', () => {
    const spec = builtinSpec('n2n-fast-demod');
    const pairs = [randomPair('a', 20, 18, 4, false, spec), randomPair('b', 16, 16, 5, false, spec)];
    const first = sampleBatch(spec, pairs, 2, 8, mulberry32(1));
    const arrays = [first.input, first.target, first.transforms];
    const again = sampleBatch(spec, pairs, 2, 8, mulberry32(2), first);
    expect(again.input).toBe(arrays[0]);
    expect(again.target).toBe(arrays[1]);
    expect(again.transforms).toBe(arrays[2]);
    const fresh = sampleBatch(spec, pairs, 2, 8, mulberry32(2));
    expect(again.input).toEqual(fresh.input);
    expect(again.target).toEqual(fresh.target);
    expect(again.transforms).toEqual(fresh.transforms);
    // another size: new arrays
    expect(sampleBatch(spec, pairs, 3, 8, mulberry32(2), first).input).not.toBe(arrays[0]);
  });

  it('makePair: targets are networkColor\'s values, inputs prepColor of them to 2e-9, aux planes prepAlbedo / prepNormal, NaN / Inf / negatives included', () => {
    const w = 7, h = 5, n = w * h * 3;
    const rnd = mulberry32(99);
    const special = [NaN, Infinity, -Infinity, -2, 0, 1e-40, 3e38, 0.005];
    const img = (f: () => number) => Float32Array.from({ length: n }, (_, i) => (i < special.length ? special[i] : f()));
    const a = img(() => Math.exp(20 * (rnd() - 0.5)));
    const b = img(() => Math.exp(20 * (rnd() - 0.5)));
    const albedo = img(() => 1.2 * rnd() - 0.1);
    const normal = img(() => 2.4 * rnd() - 1.2);
    for (const prep of [{}, { demodulate: true }, { demodulate: true, autoexposure: 0.27 }] as PairPrep[]) {
      const p = makePair('p', w, h, 4, a, b, albedo, normal, false, prep);
      for (const [render, target, input] of [[a, p.targetA, p.prepA], [b, p.targetB, p.prepB]] as const) {
        const scaled = p.exposure === 1 ? render : render.map((v) => v * p.exposure);
        const want = prep.demodulate ? demodulated(scaled, albedo) : scaled;
        for (let i = 0; i < w * h; i++) {
          for (let c = 0; c < 3; c++) {
            const plane = c * w * h + i;
            expect(Object.is(target[plane], want[i * 3 + c]) || (Number.isNaN(target[plane]) && Number.isNaN(want[i * 3 + c]))).toBe(true);
            // prepColorFast's bound, plus half of float32's spacing below 0.5 (the plane's rounding)
            expect(Math.abs(input[plane] - prepColor(want[i * 3 + c]))).toBeLessThanOrEqual(2e-9 + 2 ** -26);
            expect(p.prepAlbedo[plane]).toBe(Math.fround(prepAlbedo(albedo[i * 3 + c])));
            expect(p.prepNormal[plane]).toBe(Math.fround(prepNormal(normal[i * 3 + c])));
          }
        }
      }
    }
  });
  it('makePair rejects renders whose sizes do not match the view', () => {
    const img = (n: number) => new Float32Array(n);
    expect(() => makePair('odd', 4, 3, 1, img(36), img(36), img(35), img(36), false)).toThrow(/odd's albedo has 35 values, 4x3 RGB needs 36/);
  });

  it('rejects an empty list and crops larger than a pair', () => {
    const spec = builtinSpec('n2n-fast');
    expect(() => sampleBatch(spec, [], 1, 8, mulberry32(1))).toThrow(/no training pairs/);
    expect(() => sampleBatch(spec, [randomPair('small', 6, 12, 1, false, spec)], 1, 8, mulberry32(1))).toThrow(/small is 6x12, smaller than the 8 crop/);
  });
});
