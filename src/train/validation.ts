// The fixed validation set (procedural scenes never used in training, VALIDATION_SEEDS) and its scoring: PSNR
// of the noisy input and of the network's output against a high-spp reference, at each validation spp.
import { compileProceduralScene, proceduralSceneName, VALIDATION_SEEDS } from '../../scenes/procedural.ts';
import type { NetworkSpec } from '../denoise/spec.ts';
import { outputToLinear } from '../denoise/transform.ts';
import type { GpuContext } from '../gpu/context.ts';
import type { ImageF32 } from '../image/image.ts';
import { psnr } from '../metrics/index.ts';
import { IntegratorPipeline, PathTracer } from '../render/path-tracer.ts';
import { makePair, pairInput, type TrainingPair } from './data.ts';
import type { NetworkTrainer } from './trainer.ts';

export interface ValidationImage {
  name: string;
  spp: number;
  /** The noisy render (colour A), its aux buffers and the reference. */
  pair: TrainingPair;
  reference: Float32Array;
}

/** Seed of the validation renders (distinct from the reference's). */
const VALIDATION_SEED = 0x5eed;
const REFERENCE_SEED = 0x7e7e;

export async function buildValidationSet(
  gpu: GpuContext, opts: { scenes: number; size: number; spp: number[]; referenceSpp: number; maxDepth: number },
  pipeline?: IntegratorPipeline, onScene?: (i: number) => void,
): Promise<ValidationImage[]> {
  const images: ValidationImage[] = [];
  const pipe = pipeline ?? (await IntegratorPipeline.create(gpu));
  for (const seed of VALIDATION_SEEDS.slice(0, opts.scenes)) {
    onScene?.(images.length / opts.spp.length);
    const scene = compileProceduralScene(seed);
    const tracer = await PathTracer.create(gpu, scene, { width: opts.size, height: opts.size, maxDepth: opts.maxDepth, pipeline: pipe });
    try {
      await tracer.render({ spp: opts.referenceSpp, seed: REFERENCE_SEED });
      const reference = (await tracer.readFrame()).color;
      for (const spp of opts.spp) {
        await tracer.render({ spp, seed: VALIDATION_SEED });
        const f = await tracer.readFrame();
        const pair = makePair(proceduralSceneName(seed), f.width, f.height, spp, f.color, f.color, f.albedo, f.normal, false);
        images.push({ name: pair.name, spp, pair, reference });
      }
    } finally {
      tracer.destroy();
    }
  }
  return images;
}

export interface ValidationScore {
  spp: number;
  /** Mean PSNR (dB, the metrics' tone map) over the validation scenes. */
  noisy: number;
  denoised: number;
}

/** Network output (channels-first, output space) to interleaved linear RGB. */
export function outputToRgb(out: Float32Array, width: number, height: number): Float32Array {
  const n = width * height;
  const rgb = new Float32Array(n * 3);
  for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) rgb[i * 3 + c] = outputToLinear(out[c * n + i]);
  return rgb;
}

export async function validate(spec: NetworkSpec, trainer: NetworkTrainer, set: readonly ValidationImage[]): Promise<ValidationScore[]> {
  const bySpp = new Map<number, { noisy: number[]; denoised: number[] }>();
  for (const v of set) {
    const { width, height } = v.pair;
    const out = await trainer.infer(pairInput(spec, v.pair), width, height);
    const img = (data: Float32Array): ImageF32 => ({ width, height, channels: 3, data });
    const e = bySpp.get(v.spp) ?? { noisy: [], denoised: [] };
    e.noisy.push(psnr(img(v.pair.colorA), img(v.reference)));
    e.denoised.push(psnr(img(outputToRgb(out, width, height)), img(v.reference)));
    bySpp.set(v.spp, e);
  }
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  return [...bySpp.entries()].map(([spp, e]) => ({ spp, noisy: mean(e.noisy), denoised: mean(e.denoised) }));
}
