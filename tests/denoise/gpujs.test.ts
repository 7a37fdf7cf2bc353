// The gpu.js denoiser (the fallback without WebGPU) against the TypeScript reference, and the backend selector.
//
// Tolerance, as for the WGSL denoiser (denoiser.test.ts), in the colour transform's domain t = (v/(1+v))^(1/2.2)
// in [0, 1]: 1e-4 max. The reference sums in float64; gpu.js's webasm (and GL/WebGPU) backends store and sum in
// float32, which errs by up to n * 2^-24 relative to the sum of |terms| for n terms (the widest conv here sums
// 9 * 64 = 576 terms: 3.4e-5). The 'cpu' backend sums in float64 in the reference's order: observed 0.
// Observed on webasm and on gpu.js's WebGPU backend (lavapipe): ~4e-7. A wrong tap, channel or layer order gives errors of order 0.1 (the outputs' spread,
// checked via refStd).
import { GPU } from 'gpu.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDenoiserBackend } from '../../src/denoise/backend.ts';
import { GpuJsDenoiser, type GpuJsMode } from '../../src/denoise/gpujs/denoiser.ts';
import { inputExposure, referenceDenoise } from '../../src/denoise/reference.ts';
import { createNodeGpuContext, nodeGpu } from '../../src/node/gpu.ts';
import { errorStats, loadSpec, randomImages, testWeights } from './support.ts';

const F32_MAX = 1e-4;
const fast = loadSpec('n2n-fast');
const paper = loadSpec('n2n-paper');
const fastWeights = testWeights(fast, 5);
const images = randomImages(13, 9, 13);
const reference = referenceDenoise(fast, fastWeights, images, 'f32');

const created: Array<{ destroy(): Promise<void> }> = [];
afterAll(async () => {
  for (const d of created) await d.destroy();
});

async function denoiser(mode: GpuJsMode, spec = fast, weights = fastWeights): Promise<GpuJsDenoiser> {
  const dn = await GpuJsDenoiser.create({ spec, weights, mode });
  created.push(dn);
  return dn;
}

describe('gpu.js denoiser matches the reference (n2n-fast, 13x9: padded to 16x16)', () => {
  const modes: GpuJsMode[] = ['cpu', 'async', ...(GPU.isWebAssemblySupported ? (['webasm'] as const) : [])];
  for (const mode of modes) {
    it(`mode '${mode}'`, async () => {
      const dn = await denoiser(mode);
      expect(dn.backend).toBeNull();
      const t0 = performance.now();
      const out = await dn.denoise(images);
      const ms = performance.now() - t0;
      expect([out.width, out.height, out.channels]).toEqual([13, 9, 3]);
      const e = errorStats(out.data, reference);
      expect(e.refStd).toBeGreaterThan(0.05);
      expect(e.max).toBeLessThan(F32_MAX);
      // 'async' settles on a real backend; in Node without WebGL that is webasm (or cpu without WebAssembly)
      if (mode === 'async') expect(['webasm', 'cpu', 'webgl2', 'webgl', 'headlessgl', 'webgpu']).toContain(dn.backend);
      else expect(dn.backend).toBe(mode);
      expect(ms).toBeGreaterThan(0);
    });
  }

  it('re-plans for another size and accepts ImageF32 inputs', async () => {
    const dn = await denoiser('async');
    const a = randomImages(8, 6, 2);
    const asImage = (data: Float32Array) => ({ width: 8, height: 6, channels: 3 as const, data });
    const out = await dn.denoise({ color: asImage(a.color), albedo: asImage(a.albedo!), normal: asImage(a.normal!) });
    expect(errorStats(out.data, referenceDenoise(fast, fastWeights, a)).max).toBeLessThan(F32_MAX);
    const again = await dn.denoise(images); // back to 13x9
    expect(errorStats(again.data, reference).max).toBeLessThan(F32_MAX);
  });

  it('rejects missing aux inputs and mismatched sizes with a one-line error', async () => {
    const dn = await denoiser('cpu');
    const img = (w: number, h: number) => ({ width: w, height: h, channels: 3 as const, data: new Float32Array(w * h * 3) });
    await expect(dn.denoise(img(4, 4))).rejects.toThrow(/albedo image: model 'n2n-fast' needs color \+ albedo \+ normal/);
    await expect(dn.denoise({ color: img(4, 4), albedo: img(4, 4), normal: img(4, 3) })).rejects.toThrow(/normal image: size 4x3 does not match the colour image's 4x4/);
  });
});

describe('gpu.js denoiser, n2n-paper (5 pools, 13x9 padded to 32x32)', () => {
  it(`matches the reference in mode 'async'`, async () => {
    const weights = testWeights(paper, 8);
    const dn = await denoiser('async', paper, weights);
    const out = await dn.denoise(images);
    const e = errorStats(out.data, referenceDenoise(paper, weights, images, 'f32'));
    expect(e.refStd).toBeGreaterThan(0.05);
    expect(e.max).toBeLessThan(F32_MAX);
  });
});

describe('gpu.js on its WebGPU backend (navigator.gpu from the webgpu package, as a browser has it)', () => {
  let saved: PropertyDescriptor | undefined;
  beforeAll(async () => {
    const gpu = await nodeGpu();
    saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  });
  afterAll(() => {
    if (saved) Object.defineProperty(globalThis, 'navigator', saved);
    else delete (globalThis as { navigator?: unknown }).navigator;
  });

  it(`'async' upgrades to webgpu (intermediates stay on the device) and matches the reference`, async () => {
    const dn = await GpuJsDenoiser.create({ spec: fast, weights: fastWeights, mode: 'async' });
    try {
      const out = await dn.denoise(images);
      expect(dn.backend).toBe('webgpu');
      expect(errorStats(out.data, reference).max).toBeLessThan(F32_MAX);
    } finally {
      await dn.destroy();
    }
  });
});

describe('createDenoiserBackend', () => {
  it('picks gpu.js when there is no GPU context', async () => {
    const be = await createDenoiserBackend({ gpu: null, spec: fast, weights: fastWeights });
    created.push(be);
    expect(be.kind).toBe('gpujs');
    expect(be.webgpu).toBeNull();
    const out = await be.denoise(images);
    expect(errorStats(out.data, reference).max).toBeLessThan(F32_MAX);
    expect(be.describe()).toMatch(/^gpu\.js (webasm|cpu|webgl2?|headlessgl|webgpu)$/);
    // the exposure scale it applied, for reports (not 1: these images are not at the key's exposure)
    const k = inputExposure(fast, images);
    expect(k).not.toBeCloseTo(1, 2);
    expect(await be.lastExposureScale()).toBe(k);
    const frame = { width: 4, height: 4, spp: 1, film: {} as GPUBuffer };
    await expect(be.denoise(frame)).rejects.toThrow(/frame: the gpu\.js denoiser cannot read a WebGPU Frame/);
  });

  it('picks the WebGPU Denoiser when given a GPU context', async () => {
    const gpu = await createNodeGpuContext();
    try {
      const be = await createDenoiserBackend({ gpu, spec: fast, weights: fastWeights, precision: 'f32' });
      try {
        expect(be.kind).toBe('webgpu');
        expect(be.webgpu).not.toBeNull();
        expect(be.describe()).toMatch(/^webgpu \(.+\), f32 tensors$/);
        const out = await be.denoise(images);
        expect(errorStats(out.data, reference).max).toBeLessThan(F32_MAX);
        expect(await be.lastExposureScale()).toBeCloseTo(inputExposure(fast, images), 5);
      } finally {
        await be.destroy();
      }
    } finally {
      gpu.destroy();
    }
  });
});
