// Input latency while rendering, two ways:
//   inputToFrame:   an input event -> the next animation frame callback (is the main thread free to respond?)
//   inputToVisible: the oldest input not yet on screen that moved the camera -> the animation frame after the
//                   first image rendered with that camera was drawn (what the user waits for).
// Event timestamps (Event.timeStamp) and performance.now() share one clock in current browsers.

export interface LatencySummary {
  count: number;
  lastMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export const EMPTY_LATENCY: LatencySummary = Object.freeze({ count: 0, lastMs: 0, p50Ms: 0, p95Ms: 0, maxMs: 0 });

/** The most recent `capacity` samples and their order statistics (nearest rank). */
export class LatencySeries {
  private readonly samples: number[] = [];
  private total = 0;

  constructor(private readonly capacity = 256) {}

  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const v = Math.max(0, ms);
    this.samples.push(v);
    if (this.samples.length > this.capacity) this.samples.shift();
    this.total++;
  }

  summary(): LatencySummary {
    const n = this.samples.length;
    if (n === 0) return { ...EMPTY_LATENCY };
    const sorted = [...this.samples].sort((a, b) => a - b);
    const rank = (p: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
    return { count: this.total, lastMs: this.samples[n - 1], p50Ms: rank(0.5), p95Ms: rank(0.95), maxMs: sorted[n - 1] };
  }
}

export interface LatencyClock {
  now(): number;
  /** Runs `fn` at the next animation frame. */
  nextFrame(fn: () => void): void;
}

export class InputLatencyMonitor {
  readonly inputToFrame = new LatencySeries();
  readonly inputToVisible = new LatencySeries();
  /** Earliest input since the last animation frame (one inputToFrame sample per frame). */
  private frameWait: number | null = null;
  /** Camera changes not on screen yet: the input that caused each and the camera version it produced. */
  private pending: { since: number; version: number }[] = [];
  private lastInput: number | null = null;

  constructor(private readonly clock: LatencyClock) {}

  /** Any user input on the view (pointer, wheel, key), with its event timestamp. */
  input(timeStamp: number): void {
    this.lastInput = timeStamp;
    if (this.frameWait !== null) return;
    this.frameWait = timeStamp;
    this.clock.nextFrame(() => {
      if (this.frameWait !== null) this.inputToFrame.record(this.clock.now() - this.frameWait);
      this.frameWait = null;
    });
  }

  /** The camera moved to `version`; the input that caused it is the latest one seen (or now, if none). */
  cameraChanged(version: number): void {
    this.pending.push({ since: this.lastInput ?? this.clock.now(), version });
    this.lastInput = null;
  }

  /**
   * An image rendered with camera `version` was drawn; it is visible at the next animation frame. It shows every
   * change up to `version`: one sample, from the oldest of them (what the user waited longest for).
   */
  drawn(version: number): void {
    const shown = this.pending.filter((p) => p.version <= version);
    if (shown.length === 0) return;
    this.pending = this.pending.filter((p) => p.version > version);
    const since = Math.min(...shown.map((p) => p.since));
    this.clock.nextFrame(() => this.inputToVisible.record(this.clock.now() - since));
  }

  /** Forgets camera changes that will never be drawn (the scene was replaced). */
  clear(): void {
    this.pending = [];
  }
}
