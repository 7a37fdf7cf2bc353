// Film decoding (src/render/film.ts) on a hand-made 2x1 film: per-pixel means divided by each pixel's own count,
// the unbiased per-sample variance, a pixel without samples decoding to zeros, and the radiance plane alone.
import { describe, expect, it } from 'vitest';
import { decodeFilm, decodeRadiance } from '../../src/render/film.ts';

// pixel 0: 2 samples of radiance (1, 2, 3) and (3, 2, 1); pixel 1: no samples
function film(): Float32Array {
  const n = 2;
  const raw = new Float32Array(16 * n);
  raw.set([4, 4, 4, 2], 0); // radiance sum + count
  raw.set([10, 8, 10, 0], 4 * n); // radiance^2 sum
  raw.set([1, 0.5, 0.25, 0], 8 * n); // albedo sum
  raw.set([0, 2, 0, 6], 12 * n); // normal sum + depth sum
  return raw;
}

describe('decodeFilm / decodeRadiance', () => {
  it('divides by each pixel\'s count and gives the unbiased variance; an empty pixel is zero', () => {
    const f = decodeFilm(film(), 2, 1, 2);
    expect([...f.color]).toEqual([2, 2, 2, 0, 0, 0]);
    expect([...f.variance]).toEqual([2, 0, 2, 0, 0, 0]); // (5 - 4) * 2 / 1, (4 - 4) * 2, ...
    expect([...f.albedo]).toEqual([0.5, 0.25, 0.125, 0, 0, 0]);
    expect([...f.normal]).toEqual([0, 1, 0, 0, 0, 0]);
    expect([...f.depth]).toEqual([3, 0]);
  });

  it('decodeRadiance reads the first plane alone and matches decodeFilm', () => {
    const raw = film();
    expect(decodeRadiance(raw.subarray(0, 8), 2, 1)).toEqual(decodeFilm(raw, 2, 1, 2).color);
    expect(() => decodeRadiance(raw.subarray(0, 7), 2, 1)).toThrow(/too small for 2x1/);
    expect(() => decodeFilm(raw.subarray(0, 31), 2, 1, 2)).toThrow(/too small for 2x1/);
  });
});
