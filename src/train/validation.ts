// The fixed validation set (procedural scenes never used in training, VALIDATION_SEEDS) and its scoring: PSNR
// of the noisy input and of the network's output against a high-spp reference, at each validation spp.
import { compileProceduralScene, proceduralSceneName, VALIDATION_SEEDS } from '../../scenes/procedural.ts';
import type { GpuContext } from '../gpu/context.ts';
import type { ReferenceSettings } from '../harness/reference-cache.ts';
import type { MeanVariance } from '../harness/ztest.ts';
import type { CompiledScene } from '../scene/compile.ts';
import type { ImageF32 } from '../image/image.ts';
import { psnr, psnrFromMse, referenceNoiseMse } from '../metrics/index.ts';
import { addEmission, EmissionPass, subtractEmission, type EmissionImages } from '../render/emission.ts';
import { IntegratorPipeline, PathTracer, type FrameData } from '../render/path-tracer.ts';
import type { NetworkTrainer } from './trainer.ts';

export interface ValidationImage {
  name: string;
  spp: number;
  /** The noisy render with its aux buffers, and the reference's colour. */
  frame: FrameData;
  reference: Float32Array;
  /** Display-space MSE the reference's own noise adds to any score against it (referenceNoiseMse), and its spp. */
  referenceNoiseMse: number;
  referenceSpp: number;
  /** With emission separation (opts.emissionSpp > 0): the frame's first-hit emission (src/render/emission.ts). */
  emission?: EmissionImages;
}

/** Seed of the validation renders (distinct from the reference's). */
export const VALIDATION_SEED = 0x5eed;
/** Seed of the validation references. */
export const VALIDATION_REFERENCE_SEED = 0x7e7e;

/**
 * Where the references come from: by default rendered in one go; `tracelab validate` passes the harness's
 * reference cache, whose continued renders take the very same samples (PathTracer.reset(seed, firstSample)).
 */
export type ValidationReferenceSource = (scene: CompiledScene, settings: ReferenceSettings, spp: number) => Promise<ValidationReference>;

/** A reference: RGB mean and per-sample variance per pixel, and its samples per pixel (at least the spp asked for). */
export type ValidationReference = Pick<MeanVariance, 'mean' | 'variance' | 'spp'>;

export async function buildValidationSet(
  gpu: GpuContext, opts: { scenes: number; size: number; spp: number[]; referenceSpp: number; maxDepth: number; emissionSpp?: number },
  pipeline?: IntegratorPipeline, onScene?: (i: number) => void, reference?: ValidationReferenceSource,
): Promise<ValidationImage[]> {
  const images: ValidationImage[] = [];
  const pipe = pipeline ?? (await IntegratorPipeline.create(gpu));
  for (const seed of VALIDATION_SEEDS.slice(0, opts.scenes)) {
    onScene?.(images.length / opts.spp.length);
    const scene = compileProceduralScene(seed);
    const settings = { width: opts.size, height: opts.size, maxDepth: opts.maxDepth, seed: VALIDATION_REFERENCE_SEED };
    const separate = (opts.emissionSpp ?? 0) > 0;
    const tracer = await PathTracer.create(gpu, scene, { width: opts.size, height: opts.size, maxDepth: opts.maxDepth, pipeline: pipe, firstHitEmission: separate });
    const emission = separate ? await EmissionPass.create(gpu, scene, { width: opts.size, height: opts.size, pipeline: pipe }) : null;
    try {
      let ref: ValidationReference;
      if (reference) {
        ref = await reference(scene, settings, opts.referenceSpp);
      } else {
        await tracer.render({ spp: opts.referenceSpp, seed: VALIDATION_REFERENCE_SEED });
        const f = await tracer.readFrame();
        ref = { mean: f.color, variance: f.variance, spp: f.spp };
      }
      const referenceNoise = referenceNoiseMse(ref.mean, ref.variance, ref.spp);
      for (const spp of opts.spp) {
        await tracer.render({ spp, seed: VALIDATION_SEED });
        const f = await tracer.readFrame();
        const e = emission && opts.emissionSpp ? { emission: await emission.render(f, VALIDATION_SEED, opts.emissionSpp) } : {};
        images.push({ name: proceduralSceneName(seed), spp, frame: f, reference: ref.mean, referenceNoiseMse: referenceNoise, referenceSpp: ref.spp, ...e });
      }
    } finally {
      tracer.destroy();
      emission?.destroy();
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

/** One validation image's scores. */
export interface ValidationImageScore {
  name: string;
  spp: number;
  noisy: number;
  denoised: number;
  /** The most any image can score against this reference, given its own noise: psnrFromMse(referenceNoiseMse). */
  referenceCeiling: number;
  /** The reference's samples per pixel (a cached one may hold more than were asked for). */
  referenceSpp: number;
}

/** Scores `denoise` on the set: per image, and the mean over the scenes at each spp (in the set's order). */
export async function scoreValidation(
  set: readonly ValidationImage[], denoise: (v: ValidationImage) => Promise<Float32Array>,
): Promise<{ bySpp: ValidationScore[]; images: ValidationImageScore[] }> {
  const images: ValidationImageScore[] = [];
  for (const v of set) {
    const { width, height } = v.frame;
    const denoised = await denoise(v);
    const img = (data: Float32Array): ImageF32 => ({ width, height, channels: 3, data });
    images.push({
      name: v.name, spp: v.spp, noisy: psnr(img(v.frame.color), img(v.reference)), denoised: psnr(img(denoised), img(v.reference)),
      referenceCeiling: psnrFromMse(v.referenceNoiseMse), referenceSpp: v.referenceSpp,
    });
  }
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const bySpp = [...new Set(images.map((i) => i.spp))].map((spp) => {
    const at = images.filter((i) => i.spp === spp);
    return { spp, noisy: mean(at.map((i) => i.noisy)), denoised: mean(at.map((i) => i.denoised)) };
  });
  return { bySpp, images };
}

/**
 * `denoise` applied to a validation image's frame as the runtime would: with its emission taken out and put back,
 * anti-aliased, when the set was built with emission separation (`emission`), else to the frame as it is.
 */
export async function denoiseValidationImage(v: ValidationImage, denoise: (frame: FrameData) => Promise<Float32Array>): Promise<Float32Array> {
  if (!v.emission) return denoise(v.frame);
  const color = subtractEmission(v.frame.color, v.emission.matching);
  return addEmission(await denoise({ ...v.frame, color }), v.emission.antialiased);
}

/** The network's scores on the set (separated where the set was built with emission separation). */
export async function validate(trainer: NetworkTrainer, set: readonly ValidationImage[]): Promise<ValidationScore[]> {
  return (await scoreValidation(set, (v) => denoiseValidationImage(v, (frame) => trainer.denoise(frame)))).bySpp;
}
