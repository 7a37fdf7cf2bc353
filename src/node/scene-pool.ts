// Procedural scenes compiled on worker threads, so that rendering the training data is not held up by building
// scenes one at a time on the main thread (building a scene's geometry and BVH takes ~0.1 s of CPU; rendering its
// pair on a GPU takes milliseconds). A worker runs the program's own entry script (the CLI, or its bundle) with
// `workerData.tracelabWorker` set, and the entry hands over to `runSceneWorker` before doing anything else.
// Compiling is deterministic: a scene from a worker is the very scene compileProceduralScene gives here.
import { availableParallelism } from 'node:os';
import { parentPort, Worker } from 'node:worker_threads';
import { compileProceduralScene } from '../../scenes/procedural.ts';
import type { CompiledScene } from '../scene/compile.ts';

export const SCENE_WORKER = 'scene-compile';

interface Job {
  id: number;
  seed: number;
}
type Reply = { id: number; scene: CompiledScene } | { id: number; error: string };

/** Default worker count: the machine's cores less one (the main thread renders), at most 8. */
export function defaultSceneThreads(): number {
  return Math.max(0, Math.min(8, availableParallelism() - 1));
}

export class ScenePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly pending = new Map<number, { resolve: (s: CompiledScene) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;
  private closed = false;

  /** `threads` workers running `entry` (default: this process's entry script). */
  constructor(readonly threads: number, entry: string = process.argv[1]) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`ScenePool needs at least one thread, got ${threads}`);
    for (let i = 0; i < threads; i++) {
      const w = new Worker(entry, { workerData: { tracelabWorker: SCENE_WORKER }, argv: [], stdout: false, stderr: false });
      w.on('message', (r: Reply) => this.reply(w, r));
      w.on('error', (e: Error) => this.fail(new Error(`scene worker failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closed) this.fail(new Error(`scene worker exited with code ${code}`));
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /** Compiles procedural scene `seed` on a worker. */
  compile(seed: number): Promise<CompiledScene> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('ScenePool is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.queue.push({ id, seed });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop() as Worker;
      w.postMessage(this.queue.shift() as Job);
    }
  }

  private reply(w: Worker, r: Reply): void {
    const p = this.pending.get(r.id);
    this.pending.delete(r.id);
    this.idle.push(w);
    if (p) {
      if ('error' in r) p.reject(new Error(r.error));
      else p.resolve(r.scene);
    }
    this.pump();
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.queue.length = 0;
  }

  async destroy(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error('ScenePool was destroyed'));
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The worker's side: compile each scene asked for and send it back (the typed arrays are structured-cloned). */
export function runSceneWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runSceneWorker must run on a worker thread');
  port.on('message', (job: Job) => {
    let reply: Reply;
    try {
      reply = { id: job.id, scene: compileProceduralScene(job.seed) };
    } catch (e) {
      reply = { id: job.id, error: `procedural scene ${job.seed}: ${(e as Error).message}` };
    }
    port.postMessage(reply);
  });
}
