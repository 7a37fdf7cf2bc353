// The denoiser in the browser: build the app, call the page's `denoiseTest()` hook in headless Chromium (WebGPU on
// SwiftShader) and compare its output with the TypeScript reference run here on the same input and weights.
// Tolerances as in tests/denoise/denoiser.test.ts (which explains them), in the tone-mapped domain
// (v / (1 + v))^(1/2.2): f32 storage max 1e-4; f16 storage max 8 * 2^-11 and rms 2^-11. SwiftShader has neither
// shader-f16 nor subgroups 8 wide, so 'auto' runs f32 + plain lanes there
// (and the '8x16' conv strip: a software adapter); the second test forces the GPU-shaped '4x8' strip and the
// third f16 storage.
import { describe, expect, it } from 'vitest';
import { DENOISE_CHECK_HEIGHT, DENOISE_CHECK_WIDTH, denoiseCheckInput, denoiseCheckModel } from '../../src/app/denoise-check.ts';
import type { DenoiseCheckOptions, DenoiseCheckResult } from '../../src/app/hook.ts';
import { referenceDenoise } from '../../src/denoise/reference.ts';
import { errorStats } from '../denoise/support.ts';
import { appFixture } from './support.ts';

const F32_MAX = 1e-4;
const F16_MAX = 8 * 2 ** -11;
const F16_RMS = 2 ** -11;

const app = appFixture('tracelab-e2e-denoise-');

/** Runs `denoiseTest(options)` on a fresh page; fails with the page's message, or on any console error. */
async function denoiseInBrowser(options: DenoiseCheckOptions): Promise<{ result: DenoiseCheckResult; pageMs: number }> {
  const page = await app.browser().newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  try {
    // the smallest render the app allows, so the path tracer's frames barely compete with the denoiser
    await page.goto(`${app.url()}?scene=cornell-box&size=8&spp=1`);
    await page.waitForFunction(() => window.tracelab !== undefined, undefined, { timeout: 30_000 });
    const t = performance.now();
    const got = await page.evaluate((o) => window.tracelab!.denoiseTest(o), options);
    const pageMs = performance.now() - t;
    if ('error' in got) throw new Error(`denoiseTest(${JSON.stringify(options)}) in Chromium failed: ${got.error}`);
    expect(errors, errors.join('\n')).toEqual([]);
    return { result: got, pageMs };
  } finally {
    await page.close();
  }
}

function check(result: DenoiseCheckResult, pageMs: number): void {
  expect([result.width, result.height]).toEqual([DENOISE_CHECK_WIDTH, DENOISE_CHECK_HEIGHT]);
  expect(result.rgb.length).toBe(DENOISE_CHECK_WIDTH * DENOISE_CHECK_HEIGHT * 3);
  const { spec, weights } = denoiseCheckModel();
  const images = denoiseCheckInput();
  const rgb = Float32Array.from(result.rgb);
  const e = errorStats(rgb, referenceDenoise(spec, weights, images, result.precision));
  const e32 = result.precision === 'f32' ? e : errorStats(rgb, referenceDenoise(spec, weights, images, 'f32'));
  console.log(
    `browser denoiser: ${result.adapter}; ${result.precision}, ${result.convStrip} strip, ${result.lanes} lanes${result.software ? ', software adapter' : ''}; create ${result.createMs.toFixed(0)} ms, ` +
    `denoise ${result.denoiseMs.toFixed(0)} ms (${pageMs.toFixed(0)} ms round trip); vs reference(${result.precision}) ` +
    `max ${e.max.toExponential(2)} rms ${e.rms.toExponential(2)}; vs reference(f32) max ${e32.max.toExponential(2)}; ` +
    `output spread ${e.refStd.toFixed(3)}; device features: ${result.features.join(', ')}; ` +
    `subgroup sizes ${result.subgroupMinSize}..${result.subgroupMaxSize}`,
  );
  // the outputs vary (a wrong tap or layer order errs by about this spread, far over the tolerances)
  expect(e.refStd).toBeGreaterThan(0.05);
  if (result.precision === 'f32') {
    expect(e.max).toBeLessThan(F32_MAX);
  } else {
    expect(e.max).toBeLessThan(F16_MAX);
    expect(e.rms).toBeLessThan(F16_RMS);
    expect(e32.max).toBeLessThan(F16_MAX);
    expect(e32.max).toBeGreaterThan(F32_MAX / 10); // it really is half precision
  }
}

describe('denoiser in the browser (headless Chromium)', () => {
  it('picks what the adapter supports and matches the TypeScript reference, with no console errors', async () => {
    const { result, pageMs } = await denoiseInBrowser({});
    // f16 exactly when the device has shader-f16; subgroup shuffles only where subgroups are at least 8 wide
    expect(result.precision).toBe(result.features.includes('shader-f16') ? 'f16' : 'f32');
    // the CPU-tuned conv strip on software adapters (SwiftShader here), the GPU-shaped one elsewhere
    expect(result.convStrip).toBe(result.software ? '8x16' : '4x8');
    if (/swiftshader/i.test(result.adapter)) expect(result.software).toBe(true);
    if (result.lanes === 'subgroup') {
      expect(result.features).toContain('subgroups');
      expect(result.subgroupMinSize).toBeGreaterThanOrEqual(8);
    }
    check(result, pageMs);
  }, 60_000);

  it("the GPU-shaped '4x8' conv strip matches the reference", async () => {
    const { result, pageMs } = await denoiseInBrowser({ precision: 'f32', convStrip: '4x8' });
    expect([result.convStrip, result.lanes]).toEqual(['4x8', 'plain']);
    check(result, pageMs);
  }, 60_000);

  it('f16 storage (rgba16float, no shader-f16 needed) matches the f16 reference', async () => {
    const { result, pageMs } = await denoiseInBrowser({ precision: 'f16' });
    expect(result.precision).toBe('f16');
    check(result, pageMs);
  }, 60_000);
});
