// Sizing GPU work to a frame budget. A submission is at least one sample per pixel of the whole image (the
// integrator has no sub-image dispatch), so the budget sets the samples per submission and, while the camera
// moves, the resolution of the preview render.
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

  constructor(readonly tracer: PathTracer) {}

  get samples(): number {
    return this.tracer.samples;
  }

  restart(): void {
    this.renderMs = 0;
    this.renderedSpp = 0;
  }

  /** Adds up to `remaining` spp in one budgeted submission; returns the spp added. */
  async step(remaining: number): Promise<number> {
    const n = sppForBudget(this.msPerSpp, remaining);
    if (n === 0) return 0;
    const t0 = performance.now();
    await this.tracer.accumulate(n);
    const ms = performance.now() - t0;
    const per = ms / n;
    // Smooth, but follow quickly: the first passes include pipeline warm-up.
    this.msPerSpp = this.msPerSpp === null ? per : 0.5 * this.msPerSpp + 0.5 * per;
    this.renderMs += ms;
    this.renderedSpp += n;
    return n;
  }

  samplesPerSecond(): number {
    return this.renderMs > 0 ? (this.renderedSpp * this.tracer.width * this.tracer.height) / (this.renderMs / 1000) : 0;
  }

  destroy(): void {
    this.tracer.destroy();
  }
}
