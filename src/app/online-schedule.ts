// Online training's pure logic: when a train frame may run between render steps (a share of wall time, so the
// render and the page keep going), its steps per second, and the loss / PSNR series the plot draws. No DOM, no GPU.

/**
 * The app's online training: small enough for a software adapter (SwiftShader): one step on two 32x32 crops per
 * train frame; on a GPU the steps per frame grow to what fits the frame budget (StepBudget). Pairs of 8 spp, a new
 * one every 8 steps (the same rendering per step as a 1-spp pair per step), submitted a sample at a time: trained on
 * 1-spp pairs, the network learned to denoise 1-spp frames and did worse than the shipped weights on the view's
 * frames of more samples (bench/online.ts; denoiser/README.md, "Online per-scene training").
 */
export const ONLINE_SETTINGS = { crop: 32, batch: 2, stepsPerFrame: 1, sppPerRender: 8, stepsPerPair: 8, samplesPerSubmit: 1, keepPairs: 8, slicesPerStep: 6 };
/** Fine-tuning trained weights wants a small rate; learning from the seeded initialisation a larger one. */
export const LEARNING_RATE = { trained: 1e-4, seeded: 1e-3 } as const;

/** Share of wall time online training may take while the view still renders (or a reference does). */
export const TRAIN_SHARE = 0.5;

export interface PacerState {
  /** The view or its reference still has samples to render. */
  rendering: boolean;
  /** The camera is moving: the preview needs the GPU and training would only train on a view about to change. */
  moving: boolean;
}

/**
 * Duty cycle between training and rendering: after a train frame that took T ms, the next starts no sooner than
 * T * (1 - share) / share ms later while something renders, so training takes at most `share` of the time; with
 * nothing to render it runs every animation frame; never while the camera moves.
 */
export class TrainPacer {
  private lastEnd = -Infinity;
  private lastMs = 0;

  constructor(readonly share = TRAIN_SHARE) {
    if (!(share > 0 && share <= 1)) throw new RangeError(`TrainPacer: share must be in (0, 1], got ${share}`);
  }

  /** Milliseconds to wait after the last train frame before the next (while rendering). */
  get gapMs(): number {
    return (this.lastMs * (1 - this.share)) / this.share;
  }

  due(now: number, state: PacerState): boolean {
    if (state.moving) return false;
    if (!state.rendering) return true;
    return now - this.lastEnd >= this.gapMs;
  }

  /** A train frame ran from `start` to `end` (ms, same clock as `due`). */
  record(start: number, end: number): void {
    this.lastMs = Math.max(0, end - start);
    this.lastEnd = end;
  }

  reset(): void {
    this.lastEnd = -Infinity;
    this.lastMs = 0;
  }
}

/** Most Adam steps one train frame takes (all of them draw their crops from the pairs rendered so far). */
export const MAX_STEPS_PER_FRAME = 32;

/**
 * Adam steps per train frame: as many as fit `budgetMs` at the measured time per step (a running mean of the last
 * frames' step time / steps), at least 1, at most `maxSteps`, and at most twice the last frame's count, so that one
 * fast measurement (an idle GPU) cannot start a frame far over budget. A software adapter's step takes seconds, so
 * it stays at 1; a GPU's takes milliseconds, and one step of a few small crops per animation frame would leave it idle.
 */
export class StepBudget {
  private msPerStep: number | null = null;
  private last = 1;

  constructor(readonly budgetMs: number, readonly maxSteps = MAX_STEPS_PER_FRAME) {
    if (!(budgetMs > 0)) throw new RangeError(`StepBudget: budgetMs must be > 0, got ${budgetMs}`);
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`StepBudget: maxSteps must be a positive integer, got ${maxSteps}`);
  }

  /** Steps for the next train frame. */
  next(): number {
    if (this.msPerStep === null) return 1;
    const fit = this.msPerStep > 0 ? Math.floor(this.budgetMs / this.msPerStep) : this.maxSteps;
    return Math.max(1, Math.min(this.maxSteps, 2 * this.last, fit));
  }

  /** A train frame took `steps` steps in `ms` (their wall time, not the pair's render). */
  record(steps: number, ms: number): void {
    if (!(steps >= 1) || !(ms >= 0)) return;
    const m = ms / steps;
    this.msPerStep = this.msPerStep === null ? m : (this.msPerStep + m) / 2;
    this.last = steps;
  }

  reset(): void {
    this.msPerStep = null;
    this.last = 1;
  }
}

/** Steps per second over a sliding window of (time, step) samples; at least the last two are kept. */
export class StepRate {
  private samples: { t: number; step: number }[] = [];

  constructor(readonly windowMs = 5000) {}

  get empty(): boolean {
    return this.samples.length === 0;
  }

  add(t: number, step: number): void {
    this.samples.push({ t, step });
    while (this.samples.length > 2 && this.samples[1].t <= t - this.windowMs) this.samples.shift();
  }

  perSecond(): number {
    const n = this.samples.length;
    if (n < 2) return 0;
    const a = this.samples[0];
    const b = this.samples[n - 1];
    return b.t > a.t ? ((b.step - a.step) * 1000) / (b.t - a.t) : 0;
  }

  clear(): void {
    this.samples = [];
  }
}

/**
 * The plot's series: one row per training step with its loss (null when not finite) and the validation PSNR where
 * one was measured (null elsewhere). Past `maxPoints` rows, neighbouring pairs merge (step of the later, mean
 * loss, the later PSNR if any), so memory and drawing stay bounded and no PSNR point is lost to aliasing.
 */
export class TrainingHistory {
  step: number[] = [];
  loss: (number | null)[] = [];
  psnr: (number | null)[] = [];
  /** Bumped on every change, so a view redraws only when something is new. */
  version = 0;

  constructor(readonly maxPoints = 2000) {
    if (!(maxPoints >= 2)) throw new RangeError(`TrainingHistory: maxPoints must be >= 2, got ${maxPoints}`);
  }

  get length(): number {
    return this.step.length;
  }

  addLoss(step: number, loss: number): void {
    this.step.push(step);
    this.loss.push(Number.isFinite(loss) ? loss : null);
    this.psnr.push(null);
    if (this.step.length > this.maxPoints) this.compact();
    this.version++;
  }

  /** PSNR measured after `step`: on that step's row, or a new row when the last row is another step. */
  addPsnr(step: number, db: number): void {
    const n = this.step.length;
    const value = Number.isFinite(db) ? db : null;
    if (n > 0 && this.step[n - 1] === step) this.psnr[n - 1] = value;
    else {
      this.step.push(step);
      this.loss.push(null);
      this.psnr.push(value);
    }
    this.version++;
  }

  clear(): void {
    this.step = [];
    this.loss = [];
    this.psnr = [];
    this.version++;
  }

  private compact(): void {
    const step: number[] = [];
    const loss: (number | null)[] = [];
    const psnr: (number | null)[] = [];
    for (let i = 0; i < this.step.length; i += 2) {
      const j = Math.min(i + 1, this.step.length - 1);
      const a = this.loss[i];
      const b = this.loss[j];
      step.push(this.step[j]);
      loss.push(a !== null && b !== null ? (a + b) / 2 : (b ?? a));
      psnr.push(this.psnr[j] ?? this.psnr[i]);
    }
    this.step = step;
    this.loss = loss;
    this.psnr = psnr;
  }
}
