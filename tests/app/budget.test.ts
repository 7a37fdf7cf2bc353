import { describe, expect, it } from 'vitest';
import { FRAME_BUDGET_MS, MAX_PREVIEW_SCALE, MAX_SPP_PER_SUBMIT, previewScale, rowsForBudget, sppForBudget, TimedTracer } from '../../src/app/budget.ts';
import type { PathTracer } from '../../src/render/path-tracer.ts';

describe('frame budget', () => {
  it('samples per submission fill the budget, at least 1, at most what is left', () => {
    expect(sppForBudget(null, 100)).toBe(1); // unknown speed: one sample first
    expect(sppForBudget(FRAME_BUDGET_MS / 10, 100)).toBe(10);
    expect(sppForBudget(FRAME_BUDGET_MS / 10, 4)).toBe(4);
    expect(sppForBudget(FRAME_BUDGET_MS * 5, 100)).toBe(1); // slower than the budget: still progress
    expect(sppForBudget(1e-6, 1e6)).toBe(MAX_SPP_PER_SUBMIT);
    expect(sppForBudget(1, 0)).toBe(0);
  });

  it('the preview scale makes one preview sample fit the budget', () => {
    expect(previewScale(null)).toBe(1);
    expect(previewScale(FRAME_BUDGET_MS)).toBe(1);
    for (const ms of [31, 100, 500, 1900]) {
      const s = previewScale(ms);
      expect(ms / (s * s)).toBeLessThanOrEqual(FRAME_BUDGET_MS); // fits
      expect(ms / ((s - 1) * (s - 1))).toBeGreaterThan(FRAME_BUDGET_MS); // and is the least that does
    }
    expect(previewScale(1e6)).toBe(MAX_PREVIEW_SCALE);
  });

  it('a sample slower than the budget goes as bands of whole workgroups that fit it', () => {
    expect(rowsForBudget(FRAME_BUDGET_MS, 256)).toBe(256);
    expect(rowsForBudget(null, 256)).toBe(8); // unknown speed: a small band first
    expect(rowsForBudget(null, 5)).toBe(5);
    for (const ms of [31, 100, 900]) {
      const rows = rowsForBudget(ms, 256);
      expect((ms * rows) / 256).toBeLessThanOrEqual(FRAME_BUDGET_MS);
      expect((ms * (rows + 8)) / 256).toBeGreaterThan(FRAME_BUDGET_MS); // the most whole workgroups that fit
      expect(rows % 8).toBe(0);
    }
    expect(rowsForBudget(6000, 256)).toBe(8); // under 8 rows fit: one workgroup row all the same
    expect(rowsForBudget(1e6, 256)).toBe(8);
    expect(rowsForBudget(1e9, 3)).toBe(3);
  });
});

/** Records the calls TimedTracer makes; rows and samples as PathTracer counts them. */
class FakeTracer {
  readonly width = 4;
  samples = 0;
  pending: number[];
  calls: string[] = [];
  constructor(readonly height: number) {
    this.pending = new Array<number>(height).fill(0);
  }
  get partial(): boolean {
    return this.pending.some((n) => n > 0);
  }
  async accumulate(n: number): Promise<void> {
    this.calls.push(`all ${n}`);
    this.samples += n;
  }
  async accumulateRows(start: number, count: number, n: number): Promise<void> {
    this.calls.push(`rows ${start}+${count}`);
    for (let r = start; r < start + count; r++) this.pending[r] += n;
  }
  commitSamples(n: number): void {
    expect(this.pending.every((p) => p === n)).toBe(true);
    this.calls.push(`commit ${n}`);
    this.samples += n;
    this.pending.fill(0);
  }
}

describe('TimedTracer bands', () => {
  it('covers every row once per sample, commits it, and restarts from the top after a reset', async () => {
    const fake = new FakeTracer(20);
    const t = new TimedTracer(fake as unknown as PathTracer);
    t.msPerSpp = FRAME_BUDGET_MS * 2.5; // bands of 8 rows
    expect(await t.step(5)).toBe(0);
    expect(await t.step(5)).toBe(0);
    expect(await t.step(5)).toBe(1);
    expect(fake.calls).toEqual(['rows 0+8', 'rows 8+8', 'rows 16+4', 'commit 1']);
    fake.calls = [];
    t.msPerSpp = FRAME_BUDGET_MS * 2.5;
    await t.step(5);
    fake.pending.fill(0); // reset / setCamera drop the band-rendered rows
    t.msPerSpp = FRAME_BUDGET_MS * 2.5;
    await t.step(5);
    expect(fake.calls).toEqual(['rows 0+8', 'rows 0+8']);
    // faster than the budget: the rest of the sample in one band, then whole samples again
    t.msPerSpp = 1;
    expect(await t.step(5)).toBe(1);
    t.msPerSpp = 1;
    expect(await t.step(5)).toBe(5);
    expect(fake.calls.slice(2)).toEqual(['rows 8+12', 'commit 1', 'all 5']);
    expect(t.renderedSpp).toBeCloseTo(1 + 8 / 20 + 8 / 20 + 12 / 20 + 5, 9); // the dropped band was rendered too
    // the preview: whole samples whatever the speed
    t.msPerSpp = 1e6;
    expect(await t.step(1, false)).toBe(1);
    expect(fake.calls.at(-1)).toBe('all 1');
  });
});
