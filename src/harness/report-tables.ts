// HTML tables of report.html (results per scene, time to quality) and the plain-text speed-up table the CLI prints.
import type { CompareResults, ResultRow } from './compare-schema.ts';
import type { TimeToQuality } from './compare-ttq.ts';
import { denoiserLabel } from './report-plots.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const fmtPsnr = (v: number | null): string => (v === null ? '&infin;' : v.toFixed(2));
export const fmtMs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);
const fmtSpp = (spp: number): string => (Number.isInteger(spp) ? String(spp) : spp < 10 ? spp.toFixed(2) : spp.toFixed(1));
const fmtSpeedup = (s: number | null): string => (s === null ? '-' : s >= 100 ? `${s.toFixed(0)}x` : `${s.toFixed(1)}x`);

/** One scene's rows as a table: spp-major, best PSNR and SSIM of each spp in bold. */
export function resultsTable(results: CompareResults, scene: string): string {
  const trained = results.results.some((r) => r.scene === scene && r.prepareMs !== undefined);
  const head = ['spp', 'denoiser', 'PSNR (dB)', 'SSIM', 'relMSE', 'SMAPE', 'render', 'denoise', trained ? 'render + denoise (+ training)' : 'render + denoise'];
  const body: string[] = [];
  for (const spp of results.settings.spp) {
    const rows = results.results.filter((r) => r.scene === scene && r.spp === spp);
    const bestPsnr = Math.max(...rows.map((r) => r.psnr ?? Infinity));
    const bestSsim = Math.max(...rows.map((r) => r.ssim));
    const bold = (on: boolean, s: string): string => (on ? `<b>${s}</b>` : s);
    rows.forEach((r: ResultRow, i) => {
      body.push(`<tr${i === 0 ? ' class="group"' : ''}><td>${spp}</td><td>${escapeHtml(denoiserLabel(r.denoiser))}</td>` +
        `<td>${bold((r.psnr ?? Infinity) === bestPsnr, fmtPsnr(r.psnr))}</td><td>${bold(r.ssim === bestSsim, r.ssim.toFixed(4))}</td>` +
        `<td>${r.relMSE.toPrecision(3)}</td><td>${r.smape.toFixed(4)}</td><td>${fmtMs(r.renderMs)}</td>` +
        `<td>${fmtMs(r.denoiseMs)}${r.prepareMs === undefined ? '' : ` (+ ${fmtMs(r.prepareMs)} training on the scene)`}</td><td>${fmtMs(r.totalMs)}</td></tr>`);
    });
  }
  return `<table class="results"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** The time-to-quality table: per scene and denoiser, the time to reach the target against rendering alone. */
export function ttqTable(t: TimeToQuality): string {
  const head = ['scene', 'denoiser', 'spp to reach', 'wall time', 'how', 'rendering alone: spp', 'rendering alone: time', 'speed-up'];
  const body = t.scenes.flatMap((s) => {
    const ro = s.renderOnly;
    const roCells = ro ? `<td>${fmtSpp(ro.spp)}</td><td>${fmtMs(ro.ms)} (${ro.method})</td>` : '<td>-</td><td>-</td>';
    return s.denoisers.map((d) =>
      `<tr><td>${escapeHtml(s.scene)}</td><td>${escapeHtml(d.denoiser)}</td>` +
      (d.reached ? `<td>${fmtSpp(d.spp!)}</td><td>${fmtMs(d.ms!)}</td><td>${d.method}</td>` : '<td colspan="3">not reached at the measured spp</td>') +
      `${roCells}<td><b>${fmtSpeedup(d.speedup)}</b></td></tr>`);
  });
  return `<table class="results ttq"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** The speed-up table as aligned plain text, for the terminal. */
export function ttqText(t: TimeToQuality): string {
  const rows = [['scene', 'denoiser', 'spp', 'time', 'alone: spp', 'alone: time', 'speed-up']];
  for (const s of t.scenes) {
    const ro = s.renderOnly;
    for (const d of s.denoisers) {
      rows.push([
        s.scene, d.denoiser,
        d.reached ? `${fmtSpp(d.spp!)}${d.method === 'measured' ? '' : '*'}` : 'not reached',
        d.reached ? fmtMs(d.ms!) : '-',
        ro ? `${fmtSpp(ro.spp)}${ro.method === 'extrapolated' ? '**' : '*'}` : '-',
        ro ? fmtMs(ro.ms) : '-',
        fmtSpeedup(d.speedup),
      ]);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((v, c) => (c < 2 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ').trimEnd());
  return [
    `time to ${t.targetPsnr} dB PSNR (render + denoise) against rendering alone:`,
    ...lines,
    '  * interpolated between measured spp (PSNR linear in log2 spp, time linear in spp)',
    '  ** extrapolated: noisy MSE ~ 1/spp, spp_needed = spp_i * MSE_i / MSE_target',
  ].join('\n');
}

/** One scene's rows as aligned plain text, for the terminal. */
export function resultsText(results: CompareResults, scene: string): string {
  const own = results.results.filter((x) => x.scene === scene);
  // online denoisers: their training on the scene (once, before its frames)
  const trained = own.some((r) => r.prepareMs !== undefined);
  const rows = [['spp', 'denoiser', 'PSNR dB', 'SSIM', 'relMSE', 'SMAPE', 'render', 'denoise', ...(trained ? ['training'] : [])]];
  for (const r of own) {
    rows.push([String(r.spp), r.denoiser, r.psnr === null ? 'inf' : r.psnr.toFixed(2), r.ssim.toFixed(4), r.relMSE.toPrecision(3),
      r.smape.toFixed(4), fmtMs(r.renderMs), fmtMs(r.denoiseMs), ...(trained ? [r.prepareMs === undefined ? '-' : fmtMs(r.prepareMs)] : [])]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => '  ' + r.map((v, c) => (c === 1 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ')).join('\n');
}
