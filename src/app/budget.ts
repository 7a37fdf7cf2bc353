// Sizing GPU work to a frame budget. The budget sets the samples per submission; when one sample of the whole
// image takes longer than the budget, a sample is rendered as bands of rows (PathTracer.accumulateRows), one
// budget-sized band per submission, so the page can take a camera change at the next band. While the camera
// moves it also sets the resolution of the preview render.
import type { PathTracer } from '../render/path-tracer.ts';

/** GPU time one submission should take, so the page can answer input between submissions. */
export const FRAME_BUDGET_MS = 30;
export const MAX_SPP_PER_SUBMIT = 64;
/** Largest preview downscale (per side) while the camera moves. */
export const MAX_PREVIEW_SCALE = 8;

/** Samples per pixel for the next submission: as many as fit the budget, at least 1, at most `remaining`. */
export function sppForBudget(msPerSpp: number | null, remaining: number, budgetMs = FRAME_BUDGET_MS): number {
  if (remaining <= 0) return 0;
  const fit = msPerSpp === null || !(msPerSpp > 0) ? 1 : Math.floor(budgetMs / msPerSpp);
  return Math.max(1, Math.min(MAX_SPP_PER_SUBMIT, remaining, fit));
}

/** Workgroup height of the integrator (integrator.wgsl WG_Y). */
const BAND_ALIGN = 8;

/** Rows per band so that one sample of them fits the budget: the whole image when a whole sample fits. */
export function rowsForBudget(msPerSpp: number | null, height: number, budgetMs = FRAME_BUDGET_MS): number {
  // unknown speed: a small band first, since a whole sample may take seconds (software WebGPU)
  if (msPerSpp === null) return Math.min(height, BAND_ALIGN);
  if (!(msPerSpp > budgetMs)) return height;
  const rows = Math.floor((height * budgetMs) / msPerSpp);
  // Whole 8-row workgroups, at least one: thinner bands leave workgroup lanes idle and spend more of each
  // submission on its fixed cost (measured in SwiftShader: the sample rate fell by a third with 5-row bands).
  return Math.min(height, Math.max(BAND_ALIGN, rows - (rows % BAND_ALIGN)));
}

/** Downscale per side so that one sample per pixel of the preview fits the budget (1 = no preview needed). */
export function previewScale(msPerSpp: number | null, budgetMs = FRAME_BUDGET_MS): number {
  if (msPerSpp === null || !(msPerSpp > budgetMs)) return 1;
  return Math.min(MAX_PREVIEW_SCALE, Math.ceil(Math.sqrt(msPerSpp / budgetMs)));
}

/** A path tracer with a running estimate of its time per sample per pixel. */
export class TimedTracer {
  msPerSpp: number | null = null;
  /** Accumulation time and samples since the last restart, for samples/s. */
  renderMs = 0;
  renderedSpp = 0;
  /** Next row of the sample being rendered as bands (meaningful only while tracer.partial). */
  private nextRow = 0;

  constructor(readonly tracer: PathTracer) {}

  get samples(): number {
    return this.tracer.samples;
  }

  restart(): void {
    this.renderMs = 0;
    this.renderedSpp = 0;
  }

  /**
   * Adds up to `remaining` spp in one budgeted submission; returns the spp completed (counted by tracer.samples).
   * A sample slower than the budget goes as bands of rows: each step renders one band and returns 0 until the
   * last band completes the sample. `bands: false` always renders whole samples (the preview).
   */
  async step(remaining: number, bands = true): Promise<number> {
    if (remaining <= 0) return 0;
    const t = this.tracer;
    // a reset or camera change drops the band-rendered rows: start the sample again from the top
    if (!t.partial) this.nextRow = 0;
    const rows = bands ? rowsForBudget(this.msPerSpp, t.height) : t.height;
    if (!t.partial && rows >= t.height) {
      const n = sppForBudget(this.msPerSpp, remaining);
      this.record(await this.timed(() => t.accumulate(n)), n);
      return n;
    }
    const count = Math.min(rows, t.height - this.nextRow);
    const ms = await this.timed(() => t.accumulateRows(this.nextRow, count, 1));
    this.nextRow += count;
    this.record(ms, count / t.height);
    if (this.nextRow < t.height) return 0;
    t.commitSamples(1);
    this.nextRow = 0;
    return 1;
  }

  private async timed(fn: () => Promise<void>): Promise<number> {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  }

  /** `ms` of GPU work that rendered `spp` samples per pixel (a fraction for a band). */
  private record(ms: number, spp: number): void {
    const per = ms / spp;
    // Smooth, but follow quickly: the first passes include pipeline warm-up.
    this.msPerSpp = this.msPerSpp === null ? per : 0.5 * this.msPerSpp + 0.5 * per;
    this.renderMs += ms;
    this.renderedSpp += spp;
  }

  samplesPerSecond(): number {
    return this.renderMs > 0 ? (this.renderedSpp * this.tracer.width * this.tracer.height) / (this.renderMs / 1000) : 0;
  }

  destroy(): void {
    this.tracer.destroy();
  }
}
