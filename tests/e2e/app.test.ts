// The browser app's interactive features in headless Chromium (WebGPU on SwiftShader, 2D canvas): denoise
// toggle and denoiser picker, reference and PSNR, orbit camera with input latency, tone controls, dropped and invalid files, save.
// Small images (48x48) keep the whole file near half a minute on a 2-core software-rendering machine.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AppStats, TracelabHook } from '../../src/app/hook.ts';
import { decodeImage } from '../../src/image/codec.ts';
import type { ImageF32 } from '../../src/image/image.ts';
import { psnr } from '../../src/metrics/psnr.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { compileBuiltin, renderCompiled } from '../support/render.ts';
import { appFixture, ARTIFACTS, canvasPixels, openPage, REPO_ROOT, waitForStats } from './support.ts';

const SIZE = 48;
const FIXTURES = join(REPO_ROOT, 'tests/fixtures/app');

const app = appFixture('tracelab-e2e-app-');

async function withPage(query: string, fn: (page: Page, errors: string[]) => Promise<void>, acceptDownloads = false): Promise<void> {
  const { page, errors } = await openPage(app.browser(), { acceptDownloads });
  try {
    await page.goto(`${app.url()}?${query}`);
    await fn(page, errors);
    expect(errors, errors.join('\n')).toEqual([]);
  } finally {
    await page.close();
  }
}

function image(data: number[] | null, width: number, height: number): ImageF32 {
  if (!data) throw new Error('the page has no such image');
  return { width, height, channels: 3, data: Float32Array.from(data) };
}

function meanAbsDiff(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) if ((i & 3) !== 3) sum += Math.abs(a[i] - b[i]);
  return sum / ((a.length * 3) / 4);
}

const done = (s: AppStats): boolean => s.done;

describe('browser app (headless Chromium)', () => {
  it('denoise toggle changes the image and lowers its error against a reference rendered in Node', async () => {
    await withPage(`scene=cornell-box&size=${SIZE}&spp=4&seed=3&ref-spp=16`, async (page) => {
      await waitForStats(page, done);
      const before = await canvasPixels(page);
      await page.check('#denoise');
      const after = await waitForStats(page, (s) => s.denoise.runs > 0 && s.denoise.spp === 4 && s.view.main === 'denoised');
      expect(after.denoise.emissionSpp).toBe(32); // emission separation, on by default
      const shown = await canvasPixels(page);
      expect(meanAbsDiff(before, shown)).toBeGreaterThan(1); // 8-bit levels: the view really changed
      const imgs = await page.evaluate(() => window.tracelab!.images());
      await page.screenshot({ path: join(ARTIFACTS, 'app-denoised.png') });

      const gpu = await createNodeGpuContext();
      let reference: ImageF32;
      try {
        const ref = await renderCompiled(gpu, await compileBuiltin('cornell-box'), { width: SIZE, height: SIZE, spp: 512, seed: 1234 });
        reference = image(Array.from(ref.color), SIZE, SIZE);
      } finally {
        gpu.destroy();
      }
      const noisyPsnr = psnr(image(imgs.noisy, SIZE, SIZE), reference);
      const denoisedPsnr = psnr(image(imgs.denoised, SIZE, SIZE), reference);
      console.log(`denoise (${after.denoise.denoiser}): ${after.denoise.ms.toFixed(1)} ms at ${SIZE}x${SIZE}; PSNR vs Node 512 spp: noisy ${noisyPsnr.toFixed(2)} dB, denoised ${denoisedPsnr.toFixed(2)} dB`);
      expect(denoisedPsnr).toBeGreaterThan(noisyPsnr + 1);

      // the in-page reference: rendered in the background, then PSNR in the panel and a compare view
      await page.click('#make-reference');
      const withRef = await waitForStats(page, (s) => s.reference.state === 'ready' && s.psnrDenoised !== null);
      expect(withRef.reference).toMatchObject({ source: 'render', spp: 16 });
      expect(withRef.psnrDenoised!).toBeGreaterThan(withRef.psnrNoisy!);
      expect(await page.textContent('#stat-psnr')).toContain('denoised');
      await page.selectOption('#compare', 'reference');
      await page.fill('#split', '0');
      await page.dispatchEvent('#split', 'input');
      const refShown = await canvasPixels(page);
      expect(meanAbsDiff(refShown, shown)).toBeGreaterThan(0);
      // exposure: one stop brighter is brighter everywhere on average, without re-rendering
      const spp = (await page.evaluate(() => window.tracelab!.stats())).spp;
      await page.fill('#exposure', '1');
      await page.dispatchEvent('#exposure', 'input');
      const brighter = await canvasPixels(page);
      const sum = (px: number[]): number => px.reduce((a, v, i) => ((i & 3) === 3 ? a : a + v), 0);
      expect(sum(brighter)).toBeGreaterThan(sum(refShown));
      expect((await page.evaluate(() => window.tracelab!.stats())).spp).toBe(spp);
    });
  }, 90_000);

  it('emission=0 denoises the frame as rendered: the same noisy frame, another denoised image than with separation', async () => {
    type Timed = Awaited<ReturnType<TracelabHook['timeDenoiser']>>;
    const run = async (query: string) => {
      let out: { stats: AppStats; noisy: number[]; denoised: number[]; panel: string; timed: Timed } | null = null;
      await withPage(`scene=cornell-box&size=${SIZE}&spp=4&seed=3&denoise=1${query}`, async (page) => {
        const stats = await waitForStats(page, (s) => s.done && s.denoise.spp === 4 && s.denoise.runs > 0);
        const imgs = await page.evaluate(() => window.tracelab!.images());
        // the browser benchmark's timing of separated denoises
        const timed = await page.evaluate(() => window.tracelab!.timeDenoiser('atrous', 2, true));
        out = { stats, noisy: imgs.noisy!, denoised: imgs.denoised!, panel: (await page.textContent('#stat-denoise')) ?? '', timed };
      });
      return out!;
    };
    const sep = await run('');
    const off = await run('&emission=0');
    expect(sep.timed).toMatchObject({ label: expect.stringMatching(/trous/), emissionSpp: 32 });
    expect('ms' in sep.timed && sep.timed.ms.length === 2 && sep.timed.ms.every((ms) => ms > 0)).toBe(true);
    expect(off.timed).toEqual({ error: expect.stringMatching(/emission separation is off/) });
    expect(sep.stats.denoise.emissionSpp).toBe(32);
    expect(off.stats.denoise.emissionSpp).toBe(0);
    expect(sep.panel).toMatch(/at 4 spp, emission separated \(32 rays\)\)$/);
    expect(off.panel).toMatch(/at 4 spp\)$/);
    expect(off.noisy).toEqual(sep.noisy);
    let diff = 0;
    for (let i = 0; i < sep.denoised.length; i++) diff = Math.max(diff, Math.abs(sep.denoised[i] - off.denoised[i]));
    expect(diff).toBeGreaterThan(1e-2); // the Cornell box's light is in view: its edge differs
  }, 90_000);

  it('the Denoiser picker swaps n2n-fast for a-trous, then for n2n-paper-demod, and denoises the frame again each time', async () => {
    await withPage(`scene=cornell-box&size=${SIZE}&spp=4&seed=3&denoise=1`, async (page) => {
      const first = await waitForStats(page, (s) => s.done && s.denoise.spp === 4 && s.denoise.denoiser !== '');
      expect(await page.inputValue('#denoiser')).toBe('n2n'); // 'auto' with the shipped weights
      expect(first.denoise.denoiser).toMatch(/^n2n-fast/);
      expect(first.denoise.runs).toBe(1); // denoise-every 8 > 4 spp: only when done
      const before = (await page.evaluate(() => window.tracelab!.images())).denoised!;
      await page.selectOption('#denoiser', 'atrous');
      const after = await waitForStats(page, (s) => /^a-trous/.test(s.denoise.denoiser) && s.denoise.runs >= 2);
      expect(after.denoise.spp).toBe(4);
      expect(await page.textContent('#stat-denoiser')).toMatch(/^a-trous/);
      expect(page.url()).toContain('denoiser=atrous');
      const denoised = (await page.evaluate(() => window.tracelab!.images())).denoised!;
      let diff = 0;
      for (let i = 0; i < denoised.length; i++) diff += Math.abs(denoised[i] - before[i]);
      expect(diff / denoised.length).toBeGreaterThan(1e-3); // another filter, another image
      // the larger shipped network, with its trained weights
      await page.selectOption('#denoiser', 'n2n-paper-demod');
      const paper = await waitForStats(page, (s) => /^n2n-paper-demod/.test(s.denoise.denoiser) && s.denoise.runs >= 3);
      expect(paper.denoise.denoiser).toBe('n2n-paper-demod (trained weights)');
      expect(page.url()).toContain('denoiser=n2n-paper-demod');
      const sharper = (await page.evaluate(() => window.tracelab!.images())).denoised!;
      expect(sharper.length).toBe(denoised.length);
      expect(sharper.every(Number.isFinite)).toBe(true);
    });
  }, 90_000);

  it('the final denoise runs the network\'s self-ensemble set in the URL; the picker changes it and denoises again', async () => {
    await withPage(`scene=cornell-box&size=${SIZE}&spp=4&seed=3&denoise=1&denoise-every=2&denoiser=n2n-fast-demod&ensemble=8`, async (page) => {
      expect(await page.inputValue('#ensemble')).toBe('8');
      // spp 2 is a progressive denoise (one pass), spp 4 the final one (the ensemble)
      const done = await waitForStats(page, (s) => s.done && s.denoise.spp === 4);
      expect(done.denoise).toMatchObject({ finalEnsemble: 8, ensemble: 8 });
      expect(done.denoise.runs).toBe(2);
      expect(await page.textContent('#stat-denoise')).toMatch(/at 4 spp, ensemble of 8, emission separated \(32 rays\)\)$/);
      const eight = (await page.evaluate(() => window.tracelab!.images())).denoised!;
      await page.selectOption('#ensemble', '1');
      const one = await waitForStats(page, (s) => s.denoise.runs >= 3);
      expect(one.denoise).toMatchObject({ finalEnsemble: 1, ensemble: 1, spp: 4 });
      expect(page.url()).toContain('ensemble=1');
      const single = (await page.evaluate(() => window.tracelab!.images())).denoised!;
      expect(single.every(Number.isFinite)).toBe(true);
      let diff = 0;
      for (let i = 0; i < single.length; i++) diff += Math.abs(single[i] - eight[i]);
      expect(diff / single.length).toBeGreaterThan(1e-4); // the mean of 8 passes is not one pass
    });
  }, 90_000);

  it('orbiting restarts accumulation; input latency is measured while rendering', async () => {
    await withPage(`scene=cornell-box&size=${SIZE}&spp=64&seed=5`, async (page) => {
      await waitForStats(page, (s) => s.spp >= 2);
      const box = (await page.locator('#image').boundingBox())!;
      const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      for (let i = 1; i <= 6; i++) {
        await page.mouse.move(cx + 10 * i, cy + 3 * i);
        await page.waitForTimeout(30);
      }
      await page.mouse.up();
      const moved = await waitForStats(page, (s) => s.cameraChanges > 0 && s.latency.inputToVisible.count > 0);
      const end = await waitForStats(page, done);
      await page.screenshot({ path: join(ARTIFACTS, 'app-orbit.png') });
      const l = end.latency;
      console.log(
        `orbit: ${moved.cameraChanges} camera changes; input->visible last ${l.inputToVisible.lastMs.toFixed(0)} ms, ` +
        `median ${l.inputToVisible.p50Ms.toFixed(0)} ms, max ${l.inputToVisible.maxMs.toFixed(0)} ms (${l.inputToVisible.count}); ` +
        `input->next frame median ${l.inputToFrame.p50Ms.toFixed(0)} ms, max ${l.inputToFrame.maxMs.toFixed(0)} ms (${l.inputToFrame.count}); ${end.adapter}`,
      );
      expect(end.spp).toBe(64);
      expect(l.inputToFrame.count).toBeGreaterThan(0);
      expect(l.inputToVisible.p50Ms).toBeGreaterThan(0);
      expect(Number.isFinite(l.inputToVisible.maxMs)).toBe(true);
      expect(await page.textContent('#stat-latency')).toMatch(/to screen \d+ ms/);
    });
  }, 60_000);

  it('OIDN: dropped .tza weights enable it in the picker, and it denoises the frame; a bad .tza is refused', async () => {
    await withPage(`scene=cornell-box&size=${SIZE}&spp=4&seed=3&denoise=1`, async (page) => {
      await waitForStats(page, (s) => s.done && s.denoise.spp === 4 && s.denoise.denoiser !== '');
      const oidnDisabled = () => page.$eval('#denoiser option[value=oidn]', (o) => (o as HTMLOptionElement).disabled);
      expect(await oidnDisabled()).toBe(true);
      await page.setInputFiles('#file', { name: 'junk.tza', mimeType: 'application/octet-stream', buffer: Buffer.from('not weights') });
      let s = await waitForStats(page, (st) => st.notice?.level === 'error');
      expect(s.notice!.text).toMatch(/^junk\.tza: not an OIDN weights file \(\.tza\)/);
      expect(await oidnDisabled()).toBe(true);
      const tza = await readFile(join(REPO_ROOT, 'tests/fixtures/oidn/rt_hdr_alb_nrm_small.tza'));
      await page.setInputFiles('#file', { name: 'rt_hdr_alb_nrm_small.tza', mimeType: 'application/octet-stream', buffer: tza });
      s = await waitForStats(page, (st) => st.notice?.text.startsWith('OIDN weights') === true);
      expect(await oidnDisabled()).toBe(false);
      await page.selectOption('#denoiser', 'oidn');
      s = await waitForStats(page, (st) => /^OIDN/.test(st.denoise.denoiser) && st.denoise.runs >= 2);
      expect(s.denoise.denoiser).toBe('OIDN (rt_hdr_alb_nrm_small.tza, via oidn-web)');
      expect(page.url()).toContain('denoiser=oidn');
      const denoised = (await page.evaluate(() => window.tracelab!.images())).denoised!;
      expect(denoised.length).toBe(SIZE * SIZE * 3);
      expect(denoised.every(Number.isFinite)).toBe(true);
    });
  }, 90_000);

  it('bad URL parameters are reported and their defaults used: the page still renders; a denoiser that fails unticks Denoise', async () => {
    await withPage(`scene=cornell-box&size=${SIZE}&spp=2&seed=0x10&max-depth=&sp=4`, async (page) => {
      const s = await waitForStats(page, done);
      expect([s.scene, s.width, s.targetSpp, s.seed, s.maxDepth]).toEqual(['cornell-box', SIZE, 2, 0, 8]);
      expect(s.notice?.level).toBe('error');
      expect(s.notice!.text.split('\n')).toEqual([
        expect.stringMatching(/^URL parameter sp: unknown \(known: scene, size, spp,/),
        'URL parameter seed=0x10: expected a whole number from 0 to 4294967295 (using 0)',
        'URL parameter max-depth=: expected a whole number from 0 to 64 (using 8)',
      ]);
      expect(await page.isVisible('#notice')).toBe(true);
    });
    // OIDN picked in the URL before its weights were dropped: denoising stops, and the checkbox says so
    await withPage(`scene=cornell-box&size=${SIZE}&spp=2&denoise=1&denoiser=oidn`, async (page) => {
      const s = await waitForStats(page, (st) => st.done && st.notice?.text.startsWith('denoising stopped') === true);
      expect(s.notice!.text).toMatch(/OIDN needs its weights/);
      expect(s.denoise.enabled).toBe(false);
      expect(await page.isChecked('#denoise')).toBe(false);
    });
  }, 60_000);

  it('an invalid file shows an error and the page keeps working; a .glb then renders', async () => {
    await withPage(`scene=cornell-box&size=${SIZE}&spp=2`, async (page) => {
      await waitForStats(page, done);
      await page.setInputFiles('#file', { name: 'invalid.glb', mimeType: 'model/gltf-binary', buffer: await readFile(join(FIXTURES, 'invalid.glb')) });
      let s = await waitForStats(page, (st) => st.notice?.level === 'error');
      expect(s.notice!.text).toMatch(/^invalid\.glb: invalid glTF JSON/);
      expect(await page.isVisible('#notice')).toBe(true);
      expect(s.scene).toBe('cornell-box');
      await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
      s = await waitForStats(page, (st) => st.notice?.text.startsWith('notes.txt') === true);
      expect(s.notice!.text).toMatch(/unsupported file type/);
      await page.screenshot({ path: join(ARTIFACTS, 'app-invalid-file.png') });
      expect(s.error).toBeNull();

      // still working: a dropped .glb (a File built in the page, dispatched as a drop event) renders
      const b64 = (await readFile(join(FIXTURES, 'tiny.glb'))).toString('base64');
      await page.evaluate((data) => {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'tiny.glb', { type: 'model/gltf-binary' }));
        document.getElementById('stage')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, b64);
      s = await waitForStats(page, (st) => st.scene === 'tiny.glb' && st.done);
      await page.screenshot({ path: join(ARTIFACTS, 'app-dropped-glb.png') });
      expect(s.sceneSource).toBe('file');
      expect(s.meanRadiance).toBeGreaterThan(0.05);
      expect(s.notice).toBeNull();
      expect(await page.inputValue('#scene')).toBe('file:tiny.glb');
      const px = await canvasPixels(page);
      let lit = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] > 30) lit++;
      expect(lit / (px.length / 4)).toBeGreaterThan(0.5);

      // an .hdr environment relights it, keeping the view
      await page.setInputFiles('#file', { name: 'sky.hdr', mimeType: 'image/vnd.radiance', buffer: await readFile(join(FIXTURES, 'sky.hdr')) });
      const lit2 = await waitForStats(page, (st) => st.environment === 'sky.hdr' && st.done);
      await page.screenshot({ path: join(ARTIFACTS, 'app-hdr-environment.png') });
      expect(lit2.scene).toBe('tiny.glb');
      expect(lit2.notice).toEqual({ level: 'info', text: 'environment: sky.hdr' });
      expect(Math.abs(lit2.meanRadiance - s.meanRadiance)).toBeGreaterThan(5 * Math.hypot(lit2.meanRadianceSE, s.meanRadianceSE));
    });
  }, 60_000);

  it('saves the shown image as PNG (tone mapped) and EXR (linear)', async () => {
    await withPage(`scene=cornell-box&size=${SIZE}&spp=2`, async (page) => {
      await waitForStats(page, done);
      const imgs = await page.evaluate(() => window.tracelab!.images());
      const saved: Record<string, ImageF32> = {};
      for (const format of ['png', 'exr'] as const) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#save-${format}`)]);
        expect(download.suggestedFilename()).toBe(`cornell-box-2spp.${format}`);
        const path = join(ARTIFACTS, `app-save.${format}`);
        await download.saveAs(path);
        saved[format] = decodeImage(new Uint8Array(await readFile(path)), path);
      }
      expect([saved.png.width, saved.png.height, saved.exr.width, saved.exr.height]).toEqual([SIZE, SIZE, SIZE, SIZE]);
      const exr = saved.exr;
      const noisy = imgs.noisy!;
      let maxErr = 0;
      for (let p = 0; p < SIZE * SIZE; p++) {
        for (let c = 0; c < 3; c++) maxErr = Math.max(maxErr, Math.abs(exr.data[p * exr.channels + c] - noisy[p * 3 + c]));
      }
      expect(maxErr).toBe(0); // float EXR: the linear values exactly
    }, true);
  }, 60_000);
});
