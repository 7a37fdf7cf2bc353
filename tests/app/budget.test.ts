import { describe, expect, it } from 'vitest';
import { FRAME_BUDGET_MS, MAX_PREVIEW_SCALE, MAX_SPP_PER_SUBMIT, previewScale, sppForBudget } from '../../src/app/budget.ts';

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
});
