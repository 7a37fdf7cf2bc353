// report.html on a tiny Cornell box: self-contained (images as data URLs, uPlot inlined, no network), with the
// image grid, heat maps, crops, table and both plots; plus the image helpers it is built from. When Chromium is
// installed, the page is also opened headless to check that uPlot really draws both plots.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReportAssets } from '../../src/cli/compare-files.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { runCompare, type CompareOutput } from '../../src/harness/compare.ts';
import { BASELINE_DENOISERS } from '../../src/harness/denoisers/index.ts';
import { buildReport, type ReportAssets } from '../../src/harness/report.ts';
import { cropUpscale, HEAT_COLOURS, heatColour, worstRegions } from '../../src/harness/report-images.ts';
import type { PlotSpec } from '../../src/harness/report-plots.ts';
import { escapeHtml } from '../../src/harness/report-tables.ts';
import { createImage } from '../../src/image/image.ts';
import { decodePng } from '../../src/image/png.ts';
import { tonemap8 } from '../../src/image/tonemap.ts';
import { METRIC_TONEMAP } from '../../src/metrics/common.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { FileReferenceStore } from '../../src/node/reference-store.ts';
import { compileBuiltin } from '../support/render.ts';

describe('report image helpers', () => {
  it('finds the windows with the largest summed error, without overlap', () => {
    const err = createImage(20, 20, 1);
    err.data.fill(0.01);
    for (let y = 12; y < 16; y++) for (let x = 3; x < 7; x++) err.data[y * 20 + x] = 5; // the hot spot
    err.data[2 * 20 + 17] = 3; // a lone firefly elsewhere
    const [a, b] = worstRegions(err, 4, 2);
    expect(a).toEqual({ x: 3, y: 12, width: 4, height: 4 });
    expect(b.x <= 17 && 17 < b.x + 4 && b.y <= 2 && 2 < b.y + 4).toBe(true);
    // excluded windows are avoided
    const [c] = worstRegions(err, 4, 1, [a]);
    expect(c.x + 4 <= a.x || c.x >= a.x + 4 || c.y + 4 <= a.y || c.y >= a.y + 4).toBe(true);
  });

  it('upscales crops by nearest neighbour', () => {
    const img = createImage(3, 2, 3);
    img.data.forEach((_, i) => (img.data[i] = i));
    const up = cropUpscale(img, { x: 1, y: 0, width: 2, height: 2 }, 2);
    expect([up.width, up.height]).toEqual([4, 4]);
    const px = (x: number, y: number) => up.data[(y * 4 + x) * 3];
    expect([px(0, 0), px(1, 1), px(2, 0), px(3, 1), px(0, 2), px(3, 3)]).toEqual([3, 3, 6, 6, 12, 15]);
  });

  it('maps relMSE onto the fixed log colour scale, clamped at both ends', () => {
    expect(heatColour(0)).toEqual([...HEAT_COLOURS[0]]);
    expect(heatColour(1e-4)).toEqual([...HEAT_COLOURS[0]]);
    expect(heatColour(10)).toEqual([...HEAT_COLOURS[8]]);
    expect(heatColour(Infinity)).toEqual([...HEAT_COLOURS[8]]);
    expect(heatColour(10 ** -1.5)).toEqual([...HEAT_COLOURS[4]]); // the middle of -4 .. 1
    expect(escapeHtml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });
});

describe('report.html (GPU, cornell-box 32x32)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracelab-report-'));
  let gpu: GpuContext;
  let out: CompareOutput;
  let assets: ReportAssets;
  let html: string;
  beforeAll(async () => {
    gpu = await createNodeGpuContext();
    const scene = await compileBuiltin('cornell-box');
    out = await runCompare(gpu, {
      scenes: [scene], spp: [1, 4], width: 32, height: 32, referenceSpp: 32, targetPsnr: 24, store: new FileReferenceStore(join(dir, 'refs')),
      denoisers: [{ name: 'atrous', create: BASELINE_DENOISERS.atrous }],
    });
    assets = await loadReportAssets();
    html = buildReport(out, assets, { title: 'test <report>', notes: ['a note'] });
  });
  afterAll(() => {
    gpu?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const dataUrls = () => [...html.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)">/g)];

  it('embeds every image as a PNG data URL: grid, heat maps and crops', () => {
    const imgs = dataUrls();
    // grid: 2 spp x 2 denoisers + reference; heat maps: 2 x 2; two crops: (2 x 2 + reference) each
    expect(imgs).toHaveLength(5 + 4 + 10);
    expect(html.match(/<img /g)).toHaveLength(imgs.length);
    const alts = imgs.map((m) => m[2]);
    expect(alts).toContain('cornell-box reference');
    expect(alts.filter((a) => a.endsWith('relMSE'))).toHaveLength(4);
    expect(alts.filter((a) => a.includes('crop'))).toHaveLength(10);
  });

  it('shows renders with the metrics tone map (what PSNR and SSIM compare)', () => {
    const m = dataUrls().find((x) => x[2] === 'cornell-box none 1 spp')!;
    const png = decodePng(Buffer.from(m[1], 'base64'), 'grid', { transfer: 'none' });
    expect([png.width, png.height, png.channels]).toEqual([32, 32, 3]);
    const expected = tonemap8(out.images[0].runs[0].images.none, METRIC_TONEMAP).data;
    expect(Array.from(png.data, (v) => Math.round(v * 255))).toEqual(Array.from(expected));
  });

  it('has the results and time-to-quality tables', () => {
    expect(html).toContain('<table class="results">');
    const row = out.results.results.find((r) => r.denoiser === 'atrous' && r.spp === 4)!;
    expect(html).toContain(row.psnr!.toFixed(2));
    expect(html).toContain('<table class="results ttq">');
    expect(html).toContain('spp_needed = spp_i * MSE_i / MSE_target');
    expect(html).toContain('<h1>test &lt;report&gt;</h1>');
    expect(html).toContain('a note');
  });

  it('has both plots, with their data, drawn by the inlined uPlot', () => {
    const json = /<script type="application\/json" id="plot-data">(.*?)<\/script>/s.exec(html)?.[1];
    const specs = JSON.parse(json!) as PlotSpec[];
    expect(specs.map((s) => s.xLabel)).toEqual(['samples per pixel', 'wall time (ms)']);
    for (const s of specs) {
      expect(html).toContain(`<div id="${s.id}" class="plot"></div>`);
      expect(s.series.map((x) => x.label)).toEqual(['none (noisy render)', 'atrous', 'target 24 dB']);
      for (const series of s.series) expect(series.y).toHaveLength(s.x.length);
    }
    expect(specs[0].x).toEqual([1, 4]);
    expect(specs[1].x).toHaveLength(4); // four (render + denoise) times
    expect(html).toContain(assets.uplotJs.slice(0, 200));
    expect(html).toContain(assets.uplotJs.slice(-200));
    expect(html).toContain(assets.uplotCss.slice(0, 100));
  });

  it('loads nothing from the network', () => {
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[\s>]/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
  });

  it.skipIf(!existsSync('/usr/bin/chromium'))('draws both plots in headless Chromium without errors or requests', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('request', (r) => { if (!/^(data|file):/.test(r.url())) problems.push(r.url()); });
      await page.goto(`file://${file}`);
      await page.waitForFunction(() => (window as unknown as { tracelabPlotsDrawn?: number }).tracelabPlotsDrawn !== undefined);
      expect(await page.evaluate(() => (window as unknown as { tracelabPlotsDrawn: number }).tracelabPlotsDrawn)).toBe(2);
      expect(await page.locator('.uplot canvas').count()).toBe(2);
      expect(await page.evaluate(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0))).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
