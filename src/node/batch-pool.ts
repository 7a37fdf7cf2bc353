// Training batches sampled on worker threads. On a GPU the training loop is bound by the host: a step of
// n2n-fast-demod (8 crops of 128x128) runs in ~3.4 ms on an H200, while sampleBatch copies its 6 MB of crops in
// ~2.4 ms (memory-bound; a copy loop is slower than TypedArray.set) before the upload and the encoding, so the GPU
// waits (bench/train.ts: 291 steps/s on a fixed batch, 169 with batches sampled on the main thread). Workers sample
// the next steps' batches while the main thread encodes: each batch is sampleBatch with the step's own RNG
// (stepRng), so the batches, and the run, are the very ones of sampling on the main thread.
// The pairs go to the workers once, in SharedArrayBuffers (a 1,200-view run holds ~5.7 GB of planes); a worker runs
// the program's entry script with `workerData.tracelabWorker` set to BATCH_WORKER (as the scene pool's do).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { builtinSpec, type BuiltinSpecName } from '../denoise/specs.ts';
import { sampleBatch, type TrainingPair } from '../train/data.ts';
import { stepRng, type BatchSource } from '../train/run.ts';
import type { Batch } from '../train/trainer.ts';

export const BATCH_WORKER = 'batch-sample';

/** Worker threads `tracelab train` samples with on a GPU: one samples a batch in about the time of a step; two keep ahead. */
export const DEFAULT_BATCH_THREADS = 2;

/** What a worker samples from: the spec, batch shape and seed of the run, and its pairs. */
export interface BatchWorkerSetup {
  spec: BuiltinSpecName;
  batch: number;
  crop: number;
  seed: number;
  pairs: TrainingPair[];
}
type Reply = { step: number; batch: Batch } | { step: number; error: string };

const PLANES = ['prepA', 'prepB', 'prepAlbedo', 'prepNormal', 'targetA', 'targetB'] as const;

/**
 * Moves the pair's planes into SharedArrayBuffers, in place (the same values; each old array is then garbage, so a
 * run's pairs are not held twice), and returns it.
 */
export function sharePair(p: TrainingPair): TrainingPair {
  for (const k of PLANES) {
    const src = p[k];
    if (src.buffer instanceof SharedArrayBuffer) continue;
    const dst = new Float32Array(new SharedArrayBuffer(src.byteLength));
    dst.set(src);
    p[k] = dst;
  }
  return p;
}

export class BatchPool implements BatchSource {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (b: Batch) => void; reject: (e: Error) => void }>();
  private readonly ready = new Map<number, Batch>();
  private readonly requested = new Set<number>();
  private nextRequest = -1;
  private failure: Error | null = null;
  private closed = false;

  /**
   * `threads` workers sampling the batches of steps from the one asked for up to `ahead` steps past it, never at
   * or past `endStep`. The pairs' planes are moved into shared memory (sharePair) first. A worker runs `worker.entry`
   * with `worker.argv` (default: this process's entry script), which must hand over to runBatchWorker.
   */
  constructor(readonly threads: number, setup: Omit<BatchWorkerSetup, 'pairs'> & { pairs: readonly TrainingPair[] }, private readonly endStep: number,
    private readonly ahead = 2 * threads, worker: { entry: string; argv?: string[] } = { entry: process.argv[1] }) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`BatchPool needs at least one thread, got ${threads}`);
    const shared: BatchWorkerSetup = { ...setup, pairs: setup.pairs.map(sharePair) };
    for (let i = 0; i < threads; i++) {
      const w = new Worker(worker.entry, { workerData: { tracelabWorker: BATCH_WORKER, setup: shared }, argv: worker.argv ?? [], stdout: false, stderr: false });
      w.on('message', (r: Reply) => this.reply(r));
      w.on('error', (e: Error) => this.fail(new Error(`batch worker failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closed) this.fail(new Error(`batch worker exited with code ${code}`));
      });
      this.workers.push(w);
    }
  }

  /** The batch of step `step` (0-based), sampled on a worker; the steps after it are asked for meanwhile. */
  batch(step: number): Promise<Batch> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('BatchPool is closed'));
    if (step < 0 || step >= this.endStep) return Promise.reject(new RangeError(`BatchPool: step ${step} is outside 0..${this.endStep - 1}`));
    // forget anything before this step (a run asks for its steps in order)
    for (const s of this.ready.keys()) if (s < step) this.ready.delete(s);
    const last = Math.min(this.endStep - 1, step + this.ahead);
    for (let s = Math.max(step, this.nextRequest + 1); s <= last; s++) this.request(s);
    this.nextRequest = Math.max(this.nextRequest, last);
    if (!this.requested.has(step) && !this.ready.has(step)) this.request(step);
    const b = this.ready.get(step);
    if (b) {
      this.ready.delete(step);
      return Promise.resolve(b);
    }
    return new Promise((resolve, reject) => this.waiting.set(step, { resolve, reject }));
  }

  private request(step: number): void {
    this.requested.add(step);
    this.workers[step % this.workers.length].postMessage(step);
  }

  private reply(r: Reply): void {
    this.requested.delete(r.step);
    if ('error' in r) {
      this.fail(new Error(`batch worker, step ${r.step}: ${r.error}`));
      return;
    }
    const w = this.waiting.get(r.step);
    if (w) {
      this.waiting.delete(r.step);
      w.resolve(r.batch);
    } else {
      this.ready.set(r.step, r.batch);
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  async destroy(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.values()) w.reject(new Error('BatchPool was destroyed'));
    this.waiting.clear();
    this.ready.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** This thread's setup when BatchPool started it as a worker (the entry script then calls runBatchWorker), else null. */
export function batchWorkerSetup(): BatchWorkerSetup | null {
  if (isMainThread) return null;
  const data = workerData as { tracelabWorker?: string; setup?: BatchWorkerSetup } | null;
  return data?.tracelabWorker === BATCH_WORKER && data.setup ? data.setup : null;
}

/** The worker's side: sample each step asked for and send its batch back (its buffers transferred, not copied). */
export function runBatchWorker(setup: BatchWorkerSetup): void {
  const port = parentPort;
  if (!port) throw new Error('runBatchWorker must run on a worker thread');
  const spec = builtinSpec(setup.spec);
  port.on('message', (step: number) => {
    let reply: Reply;
    try {
      reply = { step, batch: sampleBatch(spec, setup.pairs, setup.batch, setup.crop, stepRng(setup.seed, step)) };
    } catch (e) {
      reply = { step, error: (e as Error).message };
    }
    if ('batch' in reply) {
      const b = reply.batch;
      port.postMessage(reply, [b.input.buffer, b.target.buffer, ...(b.transforms ? [b.transforms.buffer] : [])] as ArrayBuffer[]);
    } else {
      port.postMessage(reply);
    }
  });
}
