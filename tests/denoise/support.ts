// Shared inputs for the denoiser tests: specs from denoiser/specs, seeded images and weights, error statistics.
import { readFileSync } from 'node:fs';
import { Denoiser, type DenoiserOptions } from '../../src/denoise/denoiser.ts';
import type { DenoiseImages } from '../../src/denoise/images.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { parseSpecText, type NetworkSpec } from '../../src/denoise/spec.ts';
import { initWeights, type NetworkWeights } from '../../src/denoise/weights.ts';
import { GpuJsDenoiser } from '../../src/denoise/gpujs/denoiser.ts';
import { referenceDenoise } from '../../src/denoise/reference.ts';
import { NetworkTrainer } from '../../src/train/trainer.ts';
import { mulberry32 } from '../support/random.ts';

/** One denoise with an existing Denoiser: the output read back as linear RGB, its buffer destroyed. */
export async function readDenoised(dn: Denoiser, input: Parameters<Denoiser['denoise']>[0], call?: Parameters<Denoiser['denoise']>[1]): Promise<Float32Array> {
  const out = await dn.denoise(input, call);
  try {
    return await out.read();
  } finally {
    out.destroy();
  }
}

/** One denoise with a Denoiser made for it: the output read back as linear RGB, every GPU object destroyed. */
export async function denoiseOnce(gpu: GpuContext, options: DenoiserOptions, input: Parameters<Denoiser['denoise']>[0], call?: Parameters<Denoiser['denoise']>[1]): Promise<Float32Array> {
  const dn = await Denoiser.create(gpu, options);
  try {
    return await readDenoised(dn, input, call);
  } finally {
    dn.destroy();
  }
}

export function loadSpec(name: string): NetworkSpec {
  return parseSpecText(readFileSync(new URL(`../../denoiser/specs/${name}.json`, import.meta.url), 'utf8'), `${name}.json`);
}

/** HDR-ish colour (0..4, some NaN/Inf/negative), albedo in [0, 1.2), normals in [-1.1, 1.1). */
export function randomImages(width: number, height: number, seed: number): DenoiseImages {
  const rand = mulberry32(seed);
  const n = width * height * 3;
  const color = new Float32Array(n).map(() => 4 * rand() ** 3);
  color[5] = NaN;
  color[7] = Infinity;
  color[9] = -1;
  return {
    width, height, color,
    albedo: new Float32Array(n).map(() => 1.2 * rand()),
    normal: new Float32Array(n).map(() => 2.2 * rand() - 1.1),
  };
}

/**
 * The path tracer's film holding `images` as if rendered at `spp`: four planes of vec4f sums (radiance with the
 * sample count in w, radiance^2 left zero, albedo, normal + depth left zero), so that sums / spp are the images.
 */
export function filmFromImages(images: DenoiseImages, spp: number): Float32Array {
  const n = images.width * images.height;
  const film = new Float32Array(n * 16);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      film[i * 4 + c] = images.color[i * 3 + c] * spp;
      film[(2 * n + i) * 4 + c] = images.albedo![i * 3 + c] * spp;
      film[(3 * n + i) * 4 + c] = images.normal![i * 3 + c] * spp;
    }
    film[i * 4 + 3] = spp;
  }
  return film;
}

/** He-initialised weights with random biases, and the output layer scaled so outputs rarely clamp. */
export function testWeights(spec: NetworkSpec, seed: number): NetworkWeights {
  const w = initWeights(spec, seed);
  const rand = mulberry32(seed + 1000);
  for (const layer of Object.values(w)) layer.bias.forEach((_, i, b) => (b[i] = 0.1 * (rand() - 0.5)));
  w['out'].weight.forEach((v, i, a) => (a[i] = 0.3 * v));
  return w;
}

/** The denoiser's output mapped back through the colour transform: the clamped network output + 0.5, in [0, 1]. */
export function toneValue(v: number): number {
  return Math.pow(v / (1 + v), 1 / 2.2);
}

export interface ErrorStats {
  max: number;
  rms: number;
  /** Spread of the reference values (so a test can check the output is not trivially constant). */
  refStd: number;
}

export function errorStats(got: Float32Array, ref: Float32Array): ErrorStats {
  let max = 0, sq = 0, sum = 0, sum2 = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = toneValue(ref[i]);
    const e = Math.abs(toneValue(got[i]) - r);
    max = Number.isNaN(e) ? Infinity : Math.max(max, e);
    sq += e * e;
    sum += r;
    sum2 += r * r;
  }
  const n = ref.length;
  return { max, rms: Math.sqrt(sq / n), refStd: Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2)) };
}

/**
 * The largest errors (errorStats().max) of the trainer's inference and of the gpu.js fallback (CPU mode) against the
 * CPU reference for one input: both share the reference's pre- and postprocessing, so they check its use.
 */
export async function otherBackendErrors(gpu: GpuContext, spec: NetworkSpec, weights: NetworkWeights, images: DenoiseImages): Promise<{ trainer: number; gpujs: number }> {
  const ref = referenceDenoise(spec, weights, images);
  const trainer = await NetworkTrainer.create(gpu, { spec, weights, loss: 'l2', batch: 1, crop: 16 });
  let trainerMax: number;
  try {
    trainerMax = errorStats(await trainer.denoise(images), ref).max;
  } finally {
    trainer.destroy();
  }
  const js = await GpuJsDenoiser.create({ spec, weights, mode: 'cpu' });
  try {
    return { trainer: trainerMax, gpujs: errorStats((await js.denoise(images)).data, ref).max };
  } finally {
    await js.destroy();
  }
}
