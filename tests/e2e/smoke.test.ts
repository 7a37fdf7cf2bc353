// End-to-end smoke test: build the app with Vite, open it in headless Chromium (WebGPU on SwiftShader), render
// the Cornell box and check it against the same render done in Node (Dawn on lavapipe).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStats } from '../../src/app/hook.ts';
import { imageMean } from '../../src/app/stats.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { compileBuiltin, renderCompiled } from '../support/render.ts';
import { seededRandom } from '../../scenes/util.ts';
import { encodeImage } from '../../src/image/codec.ts';
import { ARTIFACTS, assertChromium, buildApp, launchChromium, serveStatic, type StaticServer } from './support.ts';

const SCENE = 'cornell-box';
const SIZE = 64;
const SPP = 16;
const SEED = 7;
const MAX_DEPTH = 8;
/** Standard errors of the difference allowed between the browser's and Node's image means. */
const Z_MAX = 5;
const FALLBACK_SIZE = 16;

let outDir: string | undefined;
let server: StaticServer | undefined;
let browser: Browser | undefined;
let browserStats: AppStats | undefined;

beforeAll(async () => {
  assertChromium();
  outDir = await mkdtemp(join(tmpdir(), 'tracelab-e2e-'));
  let t = performance.now();
  await buildApp(outDir);
  const buildMs = performance.now() - t;
  server = await serveStatic(outDir);
  t = performance.now();
  browser = await launchChromium();
  console.log(`vite build ${buildMs.toFixed(0)} ms, chromium launch ${(performance.now() - t).toFixed(0)} ms`);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

/** Opens a page that records console errors and uncaught exceptions. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  if (!browser) throw new Error('Chromium did not start');
  const page = await browser.newPage({ viewport: { width: 800, height: 700 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return { page, errors };
}

describe('browser app (headless Chromium)', () => {
  it(`renders ${SCENE} ${SIZE}x${SIZE} at ${SPP} spp with no errors`, async () => {
    const { page, errors } = await openPage();
    try {
      const t = performance.now();
      await page.goto(`${server!.url}?scene=${SCENE}&size=${SIZE}&spp=${SPP}&seed=${SEED}&max-depth=${MAX_DEPTH}`);
      // Poll instead of awaiting the hook's promise so a hang ends with a timeout rather than a stuck evaluate.
      await page.waitForFunction(() => {
        const s = window.tracelab?.stats();
        return s !== undefined && (s.error !== null || s.done);
      }, undefined, { timeout: 60_000, polling: 100 });
      const stats = await page.evaluate(() => window.tracelab!.stats());
      const pageMs = performance.now() - t;
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `e2e-${SCENE}.png`) });
      if (stats.error) throw new Error(`page error: ${stats.error}`);
      expect(errors, errors.join('\n')).toEqual([]);

      expect(stats.spp).toBe(SPP);
      expect(stats.width).toBe(SIZE);
      expect(stats.adapter.length).toBeGreaterThan(0);
      expect(await page.textContent('#adapter')).toContain(stats.adapter);
      expect(await page.textContent('#progress')).toContain(`${SPP} / ${SPP} spp`);
      expect(stats.meanRadiance).toBeGreaterThan(0);
      // The tone-mapped canvas: most of the view is lit walls, so most pixels must be non-black.
      const litFraction = await page.evaluate(() => {
        const c = document.getElementById('image') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let lit = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 0) lit++;
        return lit / (d.length / 4);
      });
      expect(litFraction).toBeGreaterThan(0.5);
      browserStats = stats;
      console.log(
        `browser: ${stats.adapter}; ${SIZE}x${SIZE} ${SPP} spp in ${pageMs.toFixed(0)} ms page time, ` +
        `${(stats.samplesPerSecond / 1e6).toFixed(3)} M samples/s; mean ${stats.meanRadiance.toFixed(5)} ± ${stats.meanRadianceSE.toFixed(5)}; lit ${(litFraction * 100).toFixed(1)}%`,
      );
    } finally {
      await page.close();
    }
  }, 90_000);

  it('matches the same render in Node within the Monte Carlo error', async () => {
    if (!browserStats) throw new Error('the browser render failed (see the previous test)');
    const gpu = await createNodeGpuContext();
    try {
      const t = performance.now();
      const frame = await renderCompiled(gpu, await compileBuiltin(SCENE), {
        width: SIZE, height: SIZE, maxDepth: MAX_DEPTH, spp: SPP, seed: SEED,
      });
      const node = imageMean(frame);
      const se = Math.hypot(node.standardError, browserStats.meanRadianceSE);
      const z = Math.abs(node.mean - browserStats.meanRadiance) / se;
      console.log(
        `node: ${gpu.adapter.name}; mean ${node.mean.toFixed(5)} ± ${node.standardError.toFixed(5)} in ` +
        `${(performance.now() - t).toFixed(0)} ms; |difference| = ${z.toFixed(3)} standard errors`,
      );
      expect(node.mean).toBeGreaterThan(0);
      expect(z).toBeLessThan(Z_MAX);
    } finally {
      gpu.destroy();
    }
  }, 60_000);

  it('says so on the page when WebGPU is missing, and denoises a loaded PNG with gpu.js', async () => {
    const { page, errors } = await openPage();
    try {
      await page.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'gpu', { value: undefined, configurable: true });
      });
      await page.goto(server!.url);
      await page.waitForSelector('#error:not([hidden])', { timeout: 15_000 });
      expect(await page.textContent('#error')).toMatch(/navigator\.gpu is missing/);
      expect((await page.evaluate(() => window.tracelab!.stats())).error).toMatch(/WebGPU is not available/);
      expect(await page.isVisible('#fallback')).toBe(true);

      const rand = seededRandom(9);
      const data = new Float32Array(FALLBACK_SIZE * FALLBACK_SIZE * 3).map((_, i) => 0.3 + 0.4 * ((i % 7) / 7) * rand());
      const png = encodeImage({ width: FALLBACK_SIZE, height: FALLBACK_SIZE, channels: 3, data }, 'png');
      await page.setInputFiles('#fallback-file', { name: 'noisy.png', mimeType: 'image/png', buffer: Buffer.from(png) });
      await page.waitForFunction(() => window.tracelab!.stats().fallback !== null || window.tracelab!.stats().notice?.level === 'error', undefined, { timeout: 30_000 });
      const stats = await page.evaluate(() => window.tracelab!.stats());
      if (stats.notice?.level === 'error') throw new Error(`fallback denoise failed: ${stats.notice.text}`);
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-no-webgpu.png') });
      console.log(`no WebGPU: ${stats.fallback!.backend} denoised ${FALLBACK_SIZE}x${FALLBACK_SIZE} in ${stats.fallback!.ms.toFixed(0)} ms`);
      expect(stats.fallback).toMatchObject({ width: FALLBACK_SIZE, height: FALLBACK_SIZE });
      expect(stats.fallback!.backend).toMatch(/^gpu\.js /);
      expect(stats.notice?.text).toMatch(/no albedo image/); // the page says what it substituted
      const imgs = await page.evaluate(() => window.tracelab!.images());
      expect(imgs.denoised!.length).toBe(FALLBACK_SIZE * FALLBACK_SIZE * 3);
      expect(imgs.denoised!.every(Number.isFinite)).toBe(true);
      expect(errors, errors.join('\n')).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
