// A one-line progress bar on stderr: samples done, samples/s, ETA. Quiet when stderr is not a terminal,
// except for a line every ~10%.
export class ProgressBar {
  private lastDecile = -1;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly pixels: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  update(done: number, total: number, elapsedMs: number): void {
    const frac = total > 0 ? done / total : 1;
    const sps = elapsedMs > 0 ? (done * this.pixels) / (elapsedMs / 1000) : 0;
    const eta = done > 0 ? ((total - done) * elapsedMs) / done / 1000 : NaN;
    const width = 24;
    const filled = Math.round(frac * width);
    const line =
      `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} spp  ` +
      `${formatRate(sps)} samples/s  ETA ${Number.isFinite(eta) ? formatSeconds(eta) : '?'}`;
    if (this.tty) {
      this.stream.write(`\r${line}\x1b[K`);
      if (done >= total) this.stream.write('\n');
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        this.stream.write(`${line}\n`);
      }
    }
  }
}

export function formatRate(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v.toFixed(0);
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${Math.round(s - m * 60).toString().padStart(2, '0')}s`;
}
