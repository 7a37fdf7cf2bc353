// BatchPool: training batches sampled on worker threads are the batches sampleBatch gives on this thread with each
// step's RNG, whatever order the steps are asked in; a worker's error reaches the caller as an error naming the step;
// the pairs' planes move into shared memory in place.
import { afterEach, describe, expect, it } from 'vitest';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { BatchPool, sharePair } from '../../src/node/batch-pool.ts';
import { makePair, sampleBatch, type TrainingPair } from '../../src/train/data.ts';
import { stepRng } from '../../src/train/run.ts';

// the workers run the CLI's entry, which hands a batch worker over to runBatchWorker
const WORKER = { entry: new URL('../../bin/tracelab.js', import.meta.url).pathname };

function pairs(count: number, demodulate: boolean): TrainingPair[] {
  let s = 7;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const n = 48 * 40 * 3;
  return Array.from({ length: count }, (_, i) => {
    const [a, b, albedo, normal] = [0, 1, 2, 3].map(() => Float32Array.from({ length: n }, rnd));
    return makePair(`p${i}`, 48, 40, 4, a, b, albedo, normal, false, { demodulate, autoexposure: builtinSpec('n2n-fast').autoexposure });
  });
}

let pool: BatchPool | null = null;
afterEach(async () => {
  await pool?.destroy();
  pool = null;
});

describe('BatchPool', () => {
  it('gives each step the batch sampleBatch gives with that step\'s RNG, in order and out of order', async () => {
    const spec = builtinSpec('n2n-fast');
    const ps = pairs(5, false);
    const copies = ps.map((p) => ({ ...p, prepA: p.prepA.slice(), prepB: p.prepB.slice(), targetA: p.targetA.slice(), targetB: p.targetB.slice() }));
    pool = new BatchPool(2, { spec: 'n2n-fast', batch: 3, crop: 16, seed: 9, pairs: ps }, 10, 3, WORKER);
    // the planes now live in shared memory, with the same values
    expect(ps.every((p) => p.prepA.buffer instanceof SharedArrayBuffer && p.targetB.buffer instanceof SharedArrayBuffer)).toBe(true);
    expect(ps.every((p, i) => p.prepA.every((v, j) => v === copies[i].prepA[j]))).toBe(true);
    for (const step of [0, 1, 2, 3, 7, 4, 9]) {
      const b = await pool.batch(step);
      const want = sampleBatch(spec, copies, 3, 16, stepRng(9, step));
      expect(b.transforms, `step ${step}`).toEqual(want.transforms);
      expect(b.input).toEqual(want.input);
      expect(b.target).toEqual(want.target);
    }
    await expect(pool.batch(10)).rejects.toThrow(/step 10 is outside 0\.\.9/);
  }, 60_000);

  it('passes a worker\'s error on, naming the step', async () => {
    // pairs prepared with demodulation, a spec without it: sampleBatch refuses them
    pool = new BatchPool(1, { spec: 'n2n-fast', batch: 2, crop: 16, seed: 1, pairs: pairs(2, true) }, 4, 1, WORKER);
    await expect(pool.batch(0)).rejects.toThrow(/batch worker, step 0: sampleBatch: p\d was prepared with demodulation, spec 'n2n-fast' does not/);
  }, 60_000);

  it('leaves planes already in shared memory as they are', () => {
    const [p] = pairs(1, false);
    const shared = sharePair(p);
    const a = shared.prepA;
    expect(sharePair(shared).prepA).toBe(a);
  });
});
