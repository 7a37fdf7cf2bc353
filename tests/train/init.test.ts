// A config's `init` weights: the run's own spec, or a built-in spec with the same tensors; nothing else.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { encodeWeights, initWeights } from '../../src/denoise/weights.ts';
import { decodeInitWeights } from '../../src/train/init.ts';

describe('init weights', () => {
  const fast = builtinSpec('n2n-fast');
  const demod = builtinSpec('n2n-fast-demod');
  const bytes = encodeWeights(fast, initWeights(fast, 3));

  it('takes weights of the same spec, and transfers those of a built-in spec with identical tensors', () => {
    expect(decodeInitWeights(fast, bytes, 'a.bin').madeFor).toBe('n2n-fast');
    const moved = decodeInitWeights(demod, bytes, 'a.bin');
    expect(moved.madeFor).toBe('n2n-fast');
    expect(moved.weights['enc0.0'].weight).toEqual(initWeights(fast, 3)['enc0.0'].weight);
    // the shipped weights start n2n-fast-demod
    expect(decodeInitWeights(demod, new Uint8Array(readFileSync('denoiser/weights/n2n-fast.bin')), 'n2n-fast.bin').madeFor).toBe('n2n-fast');
  });

  it('rejects weights of a different architecture with the file named', () => {
    const paper = builtinSpec('n2n-paper');
    expect(() => decodeInitWeights(demod, encodeWeights(paper, initWeights(paper, 1)), 'p.bin')).toThrow(/p\.bin: weights were made for a different network/);
    expect(() => decodeInitWeights(demod, new Uint8Array(5), 'short.bin')).toThrow(/short\.bin: truncated/);
  });
});
