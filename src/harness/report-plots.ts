// The two plots per scene in report.html, drawn by uPlot in the page: PSNR against spp, and PSNR against wall
// time (render + denoise: the equal-time comparison). One line per denoiser, a dashed line at the target PSNR.
import type { CompareResults } from './compare-schema.ts';

export interface PlotSeries {
  label: string;
  colour: string;
  /** One value per x; null where this series has no point (lines span the gaps). */
  y: (number | null)[];
  dashed?: boolean;
}

export interface PlotSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Logarithmic x axis with this base. */
  xLog: 2 | 10;
  x: number[];
  series: PlotSeries[];
}

const PALETTE: Record<string, string> = {
  none: '#7f7f7f', 'n2n-fast': '#d62728', 'n2n-fast-demod': '#e377c2', 'n2n-paper': '#9467bd', 'n2n-paper-demod': '#8c564b', atrous: '#1f77b4', bilateral: '#2ca02c', oidn: '#ff7f0e',
};
const EXTRA = ['#8c564b', '#e377c2', '#17becf', '#bcbd22', '#393b79'];

export function denoiserColour(name: string, index: number): string {
  return PALETTE[name] ?? EXTRA[index % EXTRA.length];
}

/** Label of a denoiser in plots and tables ("none" is rendering alone). */
export function denoiserLabel(name: string): string {
  return name === 'none' ? 'none (noisy render)' : name;
}

/** Series over a shared x axis: each (x, y) point of each denoiser placed at its x, null elsewhere. */
function aligned(points: { name: string; xy: [number, number | null][] }[]): { x: number[]; ys: (number | null)[][] } {
  const x = [...new Set(points.flatMap((p) => p.xy.map(([v]) => v)))].sort((a, b) => a - b);
  const ys = points.map((p) => {
    const y: (number | null)[] = new Array(x.length).fill(null);
    for (const [xv, yv] of p.xy) y[x.indexOf(xv)] = yv;
    return y;
  });
  return { x, ys };
}

export function scenePlots(results: CompareResults, scene: string, idPrefix: string): PlotSpec[] {
  const { denoisers } = results.settings;
  const rows = results.results.filter((r) => r.scene === scene);
  const target = results.settings.targetPsnr;
  const make = (id: string, title: string, xLabel: string, xLog: 2 | 10, xOf: (r: (typeof rows)[number]) => number): PlotSpec => {
    const { x, ys } = aligned(denoisers.map((name) => ({
      name,
      xy: rows.filter((r) => r.denoiser === name).map((r): [number, number | null] => [xOf(r), r.psnr]),
    })));
    const series: PlotSeries[] = denoisers.map((name, i) => ({ label: denoiserLabel(name), colour: denoiserColour(name, i), y: ys[i] }));
    if (target !== null) series.push({ label: `target ${target} dB`, colour: '#000000', y: x.map(() => target), dashed: true });
    return { id: `${idPrefix}-${id}`, title: `${scene}: ${title}`, xLabel, yLabel: 'PSNR (dB)', xLog, x, series };
  };
  return [
    make('spp', 'PSNR against samples per pixel', 'samples per pixel', 2, (r) => r.spp),
    make('time', 'PSNR against wall time (render + denoise)', 'wall time (ms)', 10, (r) => Math.max(r.totalMs, 1e-3)),
  ];
}

/** Page script: draws every PlotSpec found in the #plot-data JSON with the inlined uPlot. */
export const PLOT_SCRIPT = `(function () {
  var specs = JSON.parse(document.getElementById('plot-data').textContent);
  var drawn = 0;
  specs.forEach(function (s) {
    var el = document.getElementById(s.id);
    if (!el) return;
    var opts = {
      title: s.title, width: 560, height: 320,
      scales: { x: { time: false, distr: 3, log: s.xLog } },
      axes: [{ label: s.xLabel }, { label: s.yLabel }],
      series: [{ label: s.xLabel }].concat(s.series.map(function (r) {
        return { label: r.label, stroke: r.colour, width: r.dashed ? 1 : 2, spanGaps: true, dash: r.dashed ? [6, 4] : undefined,
          points: { show: !r.dashed, size: 7, fill: r.colour } };
      })),
    };
    new uPlot(opts, [s.x].concat(s.series.map(function (r) { return r.y; })), el);
    drawn++;
  });
  window.tracelabPlotsDrawn = drawn;
})();`;
