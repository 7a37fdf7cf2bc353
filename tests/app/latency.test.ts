import { describe, expect, it } from 'vitest';
import { InputLatencyMonitor, LatencySeries, type LatencyClock } from '../../src/app/latency.ts';

/** A clock whose animation frames run when the test says so. */
function fakeClock(): LatencyClock & { t: number; frame(at: number): void } {
  let queued: (() => void)[] = [];
  return {
    t: 0,
    now() {
      return this.t;
    },
    nextFrame(fn) {
      queued.push(fn);
    },
    frame(at) {
      this.t = at;
      const run = queued;
      queued = [];
      for (const fn of run) fn();
    },
  };
}

describe('LatencySeries', () => {
  it('nearest-rank median, p95 and max over the kept samples', () => {
    const s = new LatencySeries(100);
    for (let i = 1; i <= 100; i++) s.record(i);
    expect(s.summary()).toEqual({ count: 100, lastMs: 100, p50Ms: 50, p95Ms: 95, maxMs: 100 });
    s.record(Number.NaN); // ignored
    s.record(1000); // pushes out the 1
    expect(s.summary()).toMatchObject({ count: 101, lastMs: 1000, p50Ms: 51, maxMs: 1000 });
  });

  it('is all zeros when empty', () => {
    expect(new LatencySeries().summary()).toEqual({ count: 0, lastMs: 0, p50Ms: 0, p95Ms: 0, maxMs: 0 });
  });
});

describe('InputLatencyMonitor', () => {
  it('input -> next frame: one sample per frame, from the earliest input of that frame', () => {
    const clock = fakeClock();
    const m = new InputLatencyMonitor(clock);
    m.input(10);
    m.input(12);
    clock.frame(26);
    m.input(30);
    clock.frame(31);
    expect(m.inputToFrame.summary()).toMatchObject({ count: 2, maxMs: 16, lastMs: 1 });
  });

  it('input -> visible: from the input behind a camera change to the frame after an image with that camera', () => {
    const clock = fakeClock();
    const m = new InputLatencyMonitor(clock);
    m.input(100);
    m.cameraChanged(1);
    m.input(120);
    m.cameraChanged(2);
    m.drawn(0); // an image from before the move shows nothing new
    clock.frame(130);
    expect(m.inputToVisible.summary().count).toBe(0);
    m.drawn(1); // shows the first change: measured from its input
    clock.frame(150);
    expect(m.inputToVisible.summary()).toMatchObject({ count: 1, lastMs: 50 });
    m.drawn(2);
    clock.frame(200);
    expect(m.inputToVisible.summary()).toMatchObject({ count: 2, lastMs: 80 });
    m.drawn(2); // nothing pending any more
    clock.frame(300);
    expect(m.inputToVisible.summary().count).toBe(2);
  });

  it('an image newer than several changes counts once, from the oldest; clear() forgets pending changes', () => {
    const clock = fakeClock();
    const m = new InputLatencyMonitor(clock);
    clock.t = 5;
    m.cameraChanged(1); // no input seen: from now
    m.input(7);
    m.cameraChanged(2);
    m.drawn(2);
    clock.frame(25);
    expect(m.inputToVisible.summary()).toMatchObject({ count: 1, lastMs: 20 });
    m.input(30);
    m.cameraChanged(3);
    m.clear();
    m.drawn(3);
    clock.frame(40);
    expect(m.inputToVisible.summary().count).toBe(1);
  });
});
