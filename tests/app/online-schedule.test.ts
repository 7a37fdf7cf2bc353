import { describe, expect, it } from 'vitest';
import { MAX_STEPS_PER_FRAME, StepBudget, StepRate, TrainingHistory, TrainPacer } from '../../src/app/online-schedule.ts';

describe('StepBudget', () => {
  it('starts at one step, then fills the budget at the measured time per step, doubling at most per frame', () => {
    const b = new StepBudget(30);
    expect(b.next()).toBe(1);
    b.record(1, 2); // a GPU: 2 ms a step
    expect(b.next()).toBe(2);
    b.record(2, 4);
    expect(b.next()).toBe(4);
    b.record(4, 8);
    expect(b.next()).toBe(8);
    b.record(8, 16);
    expect(b.next()).toBe(15); // floor(30 / 2)
    b.record(15, 30);
    expect(b.next()).toBe(15);
  });

  it('stays at one step on a software adapter, and comes down when steps get slower', () => {
    const sw = new StepBudget(30);
    for (let i = 0; i < 5; i++) {
      sw.record(sw.next(), 2500 * sw.next());
      expect(sw.next()).toBe(1);
    }
    const b = new StepBudget(30);
    for (let i = 0; i < 8; i++) b.record(b.next(), b.next() * 1);
    expect(b.next()).toBe(30);
    b.record(30, 30 * 9); // 9 ms a step now: the running mean (5 ms) gives 6, the next frame (9 ms) 4
    expect(b.next()).toBe(6);
    b.record(6, 6 * 9);
    expect(b.next()).toBe(4);
  });

  it('never exceeds its maximum, ignores empty measurements, and starts over on reset', () => {
    const b = new StepBudget(30);
    for (let i = 0; i < 10; i++) b.record(b.next(), 0); // steps too fast to time
    expect(b.next()).toBe(MAX_STEPS_PER_FRAME);
    b.record(0, 5);
    b.record(3, NaN);
    expect(b.next()).toBe(MAX_STEPS_PER_FRAME);
    b.reset();
    expect(b.next()).toBe(1);
    expect(() => new StepBudget(0)).toThrow(/budgetMs/);
    expect(() => new StepBudget(30, 0)).toThrow(/maxSteps/);
  });
});

describe('TrainPacer', () => {
  const rendering = { rendering: true, moving: false };

  it('keeps training to its share of wall time while the view renders', () => {
    const p = new TrainPacer(0.5);
    expect(p.due(0, rendering)).toBe(true); // nothing ran yet
    p.record(0, 40); // a 40 ms train frame
    expect(p.gapMs).toBe(40);
    expect(p.due(60, rendering)).toBe(false);
    expect(p.due(80, rendering)).toBe(true);
    const third = new TrainPacer(1 / 3);
    third.record(0, 40);
    expect(third.gapMs).toBeCloseTo(80, 9); // 40 of every 120 ms
    expect(third.due(110, rendering)).toBe(false);
    expect(third.due(120.001, rendering)).toBe(true);
  });

  it('trains every frame when nothing renders, never while the camera moves', () => {
    const p = new TrainPacer(0.5);
    p.record(0, 1000);
    expect(p.due(1001, { rendering: false, moving: false })).toBe(true);
    expect(p.due(1e9, { rendering: false, moving: true })).toBe(false);
    expect(p.due(1e9, { rendering: true, moving: true })).toBe(false);
    p.reset();
    expect(p.due(0, rendering)).toBe(true);
  });

  it('rejects a share outside (0, 1]', () => {
    expect(() => new TrainPacer(0)).toThrow(/share must be in \(0, 1\]/);
    expect(() => new TrainPacer(1.5)).toThrow(/share/);
    expect(new TrainPacer(1).gapMs).toBe(0);
  });
});

describe('StepRate', () => {
  it('steps per second over the window, keeping at least two samples', () => {
    const r = new StepRate(1000);
    expect(r.empty).toBe(true);
    expect(r.perSecond()).toBe(0);
    r.add(0, 0);
    expect(r.perSecond()).toBe(0);
    r.add(500, 1);
    expect(r.perSecond()).toBe(2);
    for (let i = 2; i <= 10; i++) r.add(i * 500, i * 4 - 6); // from t=1000 on: 8 steps/s
    expect(r.perSecond()).toBeCloseTo(8, 9); // the early slow samples fell out of the window
    const slow = new StepRate(1000);
    slow.add(0, 0);
    slow.add(5000, 1); // one frame longer than the window: the rate still uses the two samples
    expect(slow.perSecond()).toBeCloseTo(0.2, 9);
    slow.clear();
    expect(slow.empty).toBe(true);
  });
});

describe('TrainingHistory', () => {
  it('one row per step; PSNR joins its step or adds a row; non-finite values become gaps', () => {
    const h = new TrainingHistory(100);
    h.addLoss(1, 0.5);
    h.addPsnr(1, 20);
    h.addLoss(2, Number.NaN);
    h.addPsnr(5, Number.POSITIVE_INFINITY);
    expect(h.step).toEqual([1, 2, 5]);
    expect(h.loss).toEqual([0.5, null, null]);
    expect(h.psnr).toEqual([20, null, null]);
    const v = h.version;
    h.clear();
    expect(h.length).toBe(0);
    expect(h.version).toBeGreaterThan(v);
  });

  it('stays within maxPoints by merging pairs, keeping every PSNR measurement it can', () => {
    const h = new TrainingHistory(64);
    let psnrs = 0;
    for (let s = 1; s <= 1000; s++) {
      h.addLoss(s, 1 / s);
      if (s % 16 === 0) {
        h.addPsnr(s, 20 + s / 100);
        psnrs++;
      }
      expect(h.length).toBeLessThanOrEqual(64);
    }
    expect(h.step[h.length - 1]).toBe(1000);
    for (let i = 1; i < h.length; i++) expect(h.step[i]).toBeGreaterThan(h.step[i - 1]);
    // every row spans the same number of steps, so the last PSNR is still there, at its own step or a later one
    const kept = h.psnr.filter((v) => v !== null).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(psnrs);
    let last = h.length - 1;
    while (h.psnr[last] === null) last--;
    expect(h.psnr[last]).toBeCloseTo(20 + 992 / 100, 9);
    expect(h.step[last]).toBeGreaterThanOrEqual(992);
    // merged losses are means of the rows they replace: between the extremes of 1/s
    for (const l of h.loss) expect(l!).toBeGreaterThan(1 / 1000 - 1e-12);
    expect(h.loss[0]!).toBeLessThan(1);
  });
});
