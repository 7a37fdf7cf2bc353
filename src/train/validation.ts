// The fixed validation set (procedural scenes never used in training, VALIDATION_SEEDS) and its scoring: PSNR
// of the noisy input and of the network's output against a high-spp reference, at each validation spp.
import { compileProceduralScene, proceduralSceneName, VALIDATION_SEEDS } from '../../scenes/procedural.ts';
import type { GpuContext } from '../gpu/context.ts';
import type { ImageF32 } from '../image/image.ts';
import { psnr } from '../metrics/index.ts';
import { IntegratorPipeline, PathTracer, type FrameData } from '../render/path-tracer.ts';
import type { NetworkTrainer } from './trainer.ts';

export interface ValidationImage {
  name: string;
  spp: number;
  /** The noisy render with its aux buffers, and the reference's colour. */
  frame: FrameData;
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
        images.push({ name: proceduralSceneName(seed), spp, frame: f, reference });
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

export async function validate(trainer: NetworkTrainer, set: readonly ValidationImage[]): Promise<ValidationScore[]> {
  const bySpp = new Map<number, { noisy: number[]; denoised: number[] }>();
  for (const v of set) {
    const { width, height } = v.frame;
    const denoised = await trainer.denoise(v.frame);
    const img = (data: Float32Array): ImageF32 => ({ width, height, channels: 3, data });
    const e = bySpp.get(v.spp) ?? { noisy: [], denoised: [] };
    e.noisy.push(psnr(img(v.frame.color), img(v.reference)));
    e.denoised.push(psnr(img(denoised), img(v.reference)));
    bySpp.set(v.spp, e);
  }
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  return [...bySpp.entries()].map(([spp, e]) => ({ spp, noisy: mean(e.noisy), denoised: mean(e.denoised) }));
}
