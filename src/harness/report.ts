// report.html of a comparison run: one self-contained page (images as PNG data URLs, uPlot and its CSS inlined,
// no network): per scene an image grid, relMSE heat maps, zoomed crops, the two plots and the results table, plus
// the time-to-quality table. Browser-safe: the uPlot sources come in as strings (Node: src/cli/compare-files.ts).
import type { ImageF32 } from '../image/image.ts';
import { relMseMap } from '../metrics/hdr.ts';
import type { CompareOutput, SceneImages } from './compare.ts';
import type { CompareResults } from './compare-schema.ts';
import {
  cropSide, cropUpscale, HEAT_MAX_LOG10, HEAT_MIN_LOG10, heatGradientCss, heatMapDataUrl, renderDataUrl, worstRegions, type Rect,
} from './report-images.ts';
import { denoiserLabel, PLOT_SCRIPT, scenePlots, type PlotSpec } from './report-plots.ts';
import { escapeHtml, fmtPsnr, resultsTable, ttqTable } from './report-tables.ts';

export interface ReportAssets {
  /** uplot/dist/uPlot.iife.min.js */
  uplotJs: string;
  /** uplot/dist/uPlot.min.css */
  uplotCss: string;
}

export interface ReportOptions {
  title?: string;
  /** Extra lines under the title (e.g. the demo's note that it fell back to a baseline). */
  notes?: string[];
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:22px}h2{margin-top:40px;border-bottom:1px solid #ccc}
table.results{border-collapse:collapse;margin:12px 0}table.results td,table.results th{border:1px solid #ddd;padding:3px 8px;text-align:right}
table.results th{background:#f4f4f4}table.results tr.group td{border-top:2px solid #999}.grid{border-collapse:collapse}
.grid td,.grid th{padding:4px;vertical-align:top;text-align:center;font-size:12px}.grid img{display:block;max-width:256px;min-width:96px;image-rendering:pixelated}
.legend{display:inline-block;width:320px;height:14px;vertical-align:middle;border:1px solid #888}.plots{display:flex;flex-wrap:wrap;gap:16px}
.note{color:#555;max-width:1000px}.warn{color:#a00;font-weight:bold}`;

const img = (src: string, alt: string): string => `<img src="${src}" alt="${escapeHtml(alt)}">`;

/** Inline <script>/<style> text must not close its element early. */
const inline = (s: string): string => s.replace(/<\/(script|style)/gi, '<\\/$1');

function header(r: CompareResults, o: ReportOptions): string {
  const s = r.settings;
  const weights = Object.entries(s.weights).map(([m, f]) => `${m}: ${f}`).join(', ');
  const lines = [
    `Adapter: <b>${escapeHtml(r.adapter)}</b>. Date: ${escapeHtml(r.date)}. tracelab renderer version ${r.tool.rendererVersion}.`,
    `Scenes ${escapeHtml(s.scenes.join(', '))} at ${s.width}x${s.height}, max depth ${s.maxDepth}; test renders at ${s.spp.join(', ')} spp, ` +
      `seed ${s.seed}; references of at least ${s.referenceSpp} spp. Denoisers: ${escapeHtml(s.denoisers.map(denoiserLabel).join(', '))}` +
      (weights ? ` (weights ${escapeHtml(weights)})` : '') + '.',
    `Images and PSNR/SSIM use the metrics' tone map: ${escapeHtml(s.metricTonemap.operator)} v/(1+v), exposure ${s.metricTonemap.exposure}, ` +
      'then sRGB, so what is shown is what is scored; relMSE (x-y)^2/(y^2+0.01) and SMAPE are on linear HDR.',
    `Timing: ${escapeHtml(s.timing)}`,
  ];
  return `<h1>${escapeHtml(o.title ?? 'tracelab denoiser comparison')}</h1>` +
    (o.notes ?? []).map((n) => `<p class="warn">${escapeHtml(n)}</p>`).join('') +
    lines.map((l) => `<p class="note">${l}</p>`).join('');
}

/** A grid: one row per spp, one column per denoiser, plus the reference spanning the rows when given. */
function grid(r: CompareResults, si: SceneImages, cell: (image: ImageF32, denoiser: string, spp: number) => string, reference: string | null): string {
  const { denoisers } = r.settings;
  const head = `<tr><th>spp</th>${denoisers.map((d) => `<th>${escapeHtml(denoiserLabel(d))}</th>`).join('')}${reference ? '<th>reference</th>' : ''}</tr>`;
  const rows = si.runs.map((run, i) => {
    const cells = denoisers.map((d) => `<td>${cell(run.images[d], d, run.spp)}</td>`).join('');
    const ref = reference && i === 0 ? `<td rowspan="${si.runs.length}">${reference}</td>` : '';
    return `<tr><th>${run.spp}</th>${cells}${ref}</tr>`;
  });
  return `<table class="grid">${head}${rows.join('')}</table>`;
}

function caption(r: CompareResults, scene: string, denoiser: string, spp: number): string {
  const row = r.results.find((x) => x.scene === scene && x.denoiser === denoiser && x.spp === spp);
  return row ? `<br>${fmtPsnr(row.psnr)} dB, SSIM ${row.ssim.toFixed(3)}` : '';
}

/** Two crops: where the noisy lowest-spp render errs most, and where the best denoiser there errs most. */
function crops(r: CompareResults, si: SceneImages): { rect: Rect; why: string }[] {
  const first = si.runs[0];
  const side = cropSide(si.reference.width, si.reference.height);
  const noisyErr = relMseMap(first.images.none, si.reference);
  const [a] = worstRegions(noisyErr, side, 1);
  const others = r.results.filter((x) => x.scene === si.scene && x.spp === first.spp && x.denoiser !== 'none');
  const best = others.sort((x, y) => (y.psnr ?? Infinity) - (x.psnr ?? Infinity))[0];
  const out = [{ rect: a, why: `the largest relMSE of the noisy ${first.spp}-spp render` }];
  const err = best ? relMseMap(first.images[best.denoiser], si.reference) : noisyErr;
  const [b] = worstRegions(err, side, 1, [a]);
  if (b) out.push({ rect: b, why: best ? `the largest relMSE of ${best.denoiser} (best PSNR at ${first.spp} spp) away from crop 1` : 'the next largest relMSE of the noisy render' });
  return out;
}

function sceneSection(r: CompareResults, si: SceneImages, index: number): { html: string; plots: PlotSpec[] } {
  const scene = si.scene;
  const ref = r.references.find((x) => x.scene === scene);
  const plots = scenePlots(r, scene, `plot-${index}`);
  const refCell = img(renderDataUrl(si.reference), `${scene} reference`) + (ref ? `<br>${ref.spp} spp` : '');
  const renders = grid(r, si, (im, d, spp) => img(renderDataUrl(im), `${scene} ${d} ${spp} spp`) + caption(r, scene, d, spp), refCell);
  const heat = grid(r, si, (im, d, spp) => img(heatMapDataUrl(im, si.reference), `${scene} ${d} ${spp} spp relMSE`), null);
  const cropHtml = crops(r, si).map(({ rect, why }, k) => {
    const scale = Math.max(1, Math.floor(192 / rect.width));
    const up = (im: ImageF32): string => renderDataUrl(cropUpscale(im, rect, scale));
    return `<h4>Crop ${k + 1}: ${rect.width}x${rect.height} pixels at (${rect.x}, ${rect.y}), ${escapeHtml(why)}; shown ${scale}x, nearest neighbour</h4>` +
      grid(r, si, (im, d, spp) => img(up(im), `${scene} crop ${k + 1} ${d} ${spp} spp`), img(up(si.reference), `${scene} crop ${k + 1} reference`));
  });
  const refLine = ref
    ? `Reference: ${ref.spp} spp (${ref.status}), mean relative standard error ${ref.meanRelativeStandardError.toPrecision(3)}, ` +
      `its own expected relMSE ${ref.expectedRelMSE.toExponential(2)} (errors below this are noise in the reference)` +
      `${ref.psnrCeiling !== undefined ? `; its noise caps PSNR at ${ref.psnrCeiling.toFixed(2)} dB` : ''}; cache key ${escapeHtml(ref.key)}.`
    : '';
  const legend = `relMSE per pixel (mean over RGB), log scale: 1e${HEAT_MIN_LOG10} <span class="legend" style="background:${heatGradientCss()}"></span> 1e${HEAT_MAX_LOG10} ` +
    '(clamped at both ends)';
  const html = `<section><h2>${escapeHtml(scene)}</h2><p class="note">${refLine}</p>` +
    `<div class="plots">${plots.map((p) => `<div id="${p.id}" class="plot"></div>`).join('')}</div>` +
    `<h3>Results</h3>${resultsTable(r, scene)}<h3>Images</h3>${renders}<h3>Error heat maps</h3><p class="note">${legend}</p>${heat}` +
    `<h3>Zoomed crops</h3>${cropHtml.join('')}</section>`;
  return { html, plots };
}

/** The whole report page. */
export function buildReport(out: CompareOutput, assets: ReportAssets, options: ReportOptions = {}): string {
  const r = out.results;
  const sections = out.images.map((si, i) => sceneSection(r, si, i));
  const ttq = r.timeToQuality;
  const ttqHtml = ttq
    ? `<h2>Time to ${ttq.targetPsnr} dB</h2>${ttqTable(ttq)}<p class="note">${escapeHtml(ttq.formula)}</p>`
    : '';
  const plotJson = JSON.stringify(sections.flatMap((s) => s.plots)).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title ?? 'tracelab comparison')}</title>
<style>${inline(assets.uplotCss)}</style><style>${CSS}</style></head><body>
${header(r, options)}
${ttqHtml}
${sections.map((s) => s.html).join('\n')}
<script type="application/json" id="plot-data">${plotJson}</script>
<script>${inline(assets.uplotJs)}</script>
<script>${PLOT_SCRIPT}</script>
</body></html>
`;
}
