// A small deterministic denoiser run for the browser test hook: the page denoises this input with seeded weights,
// and the test process runs the TypeScript reference on the same input (built by the same function) to compare.
import { seededRandom } from '../../scenes/util.ts';
import { Denoiser } from '../denoise/denoiser.ts';
import type { DenoiseImages } from '../denoise/images.ts';
import { builtinSpec } from '../denoise/specs.ts';
import type { NetworkSpec } from '../denoise/spec.ts';
import { initWeights, type NetworkWeights } from '../denoise/weights.ts';
import type { GpuContext } from '../gpu/context.ts';
import type { DenoiseCheckOptions, DenoiseCheckResult } from './hook.ts';

/** Odd sizes, so the input pass pads (n2n-fast needs multiples of 2^levels) and edge workgroups are partial. */
export const DENOISE_CHECK_WIDTH = 19;
export const DENOISE_CHECK_HEIGHT = 13;
export const DENOISE_CHECK_SPEC = 'n2n-fast';
export const DENOISE_CHECK_WEIGHT_SEED = 1;
const INPUT_SEED = 2024;

/** The check's network and weights (seeded He initialisation: no trained weights exist yet). */
export function denoiseCheckModel(): { spec: NetworkSpec; weights: NetworkWeights } {
  const spec = builtinSpec(DENOISE_CHECK_SPEC);
  return { spec, weights: initWeights(spec, DENOISE_CHECK_WEIGHT_SEED) };
}

/**
 * Noisy HDR colour (a smooth gradient times heavy-tailed noise, 0..~6), albedo in [0.1, 0.9], and unit normals
 * tilted by position: values the denoiser sees from a real render, the same bits in every JS engine.
 */
export function denoiseCheckInput(width = DENOISE_CHECK_WIDTH, height = DENOISE_CHECK_HEIGHT): DenoiseImages {
  const rand = seededRandom(INPUT_SEED);
  const n = width * height;
  const color = new Float32Array(n * 3);
  const albedo = new Float32Array(n * 3);
  const normal = new Float32Array(n * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const u = x / width, v = y / height;
      const base = [0.2 + u, 0.3 + 0.5 * v, 0.6 - 0.4 * u * v];
      const a = [0.1 + 0.8 * u, 0.5, 0.9 - 0.8 * v];
      const nx = 0.6 * (u - 0.5), ny = 0.6 * (v - 0.5), len = Math.hypot(nx, ny, 1);
      const nv = [nx / len, ny / len, 1 / len];
      for (let c = 0; c < 3; c++) {
        color[i + c] = base[c] * 4 * rand() ** 3;
        albedo[i + c] = a[c];
        normal[i + c] = nv[c];
      }
    }
  }
  return { width, height, color, albedo, normal };
}

/**
 * Denoises the check input on `gpu`; precision, lanes and conv strip default to 'auto' (what the adapter supports). 'f16'
 * storage (rgba16float textures) works without shader-f16, so a test can force it anywhere.
 */
export async function runDenoiseCheck(gpu: GpuContext, options: DenoiseCheckOptions = {}): Promise<DenoiseCheckResult> {
  const { spec, weights } = denoiseCheckModel();
  const images = denoiseCheckInput();
  const info = (gpu.device as GPUDevice & { adapterInfo?: { subgroupMinSize?: number; subgroupMaxSize?: number } }).adapterInfo;
  const t0 = performance.now();
  const dn = await Denoiser.create(gpu, { spec, weights, precision: options.precision ?? 'auto', lanes: options.lanes ?? 'auto', convStrip: options.convStrip ?? 'auto' });
  try {
    const t1 = performance.now();
    const out = await dn.denoise(images);
    try {
      const rgb = await out.read();
      return {
        width: out.width,
        height: out.height,
        precision: dn.format === 'rgba16float' ? 'f16' : 'f32',
        lanes: dn.lanes,
        convStrip: dn.convStrip,
        adapter: gpu.adapter.name,
        software: gpu.adapter.isFallback,
        features: [...gpu.features].sort(),
        subgroupMinSize: info?.subgroupMinSize ?? 0,
        subgroupMaxSize: info?.subgroupMaxSize ?? 0,
        createMs: t1 - t0,
        denoiseMs: performance.now() - t1,
        rgb: Array.from(rgb),
      };
    } finally {
      out.destroy();
    }
  } finally {
    dn.destroy();
  }
}
