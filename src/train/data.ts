// Training data: Noise2Noise pairs rendered by the path tracer (two independent renders of the same view at the
// same spp, with the first render's albedo and normal), optionally with a clean high-spp target instead of the
// second render, and random crops of them assembled into the trainer's batches.
import type { NetworkSpec } from '../denoise/spec.ts';
import { demodulated } from '../denoise/reference.ts';
import { prepAlbedo, prepColor, prepNormal } from '../denoise/transform.ts';
import type { PathTracer } from '../render/path-tracer.ts';
import type { Batch } from './trainer.ts';

/** One training view: pixel-interleaved RGB planes (linear colour), with the colours also prepared for input. */
export interface TrainingPair {
  name: string;
  width: number;
  height: number;
  spp: number;
  /** Two independent noisy renders (b: the clean target when `clean`). */
  colorA: Float32Array;
  colorB: Float32Array;
  albedo: Float32Array;
  normal: Float32Array;
  /** prepColor of colorA and colorB (demodulated first when `demodulated`), prepAlbedo of albedo, prepNormal of normal (batches just copy). */
  prepA: Float32Array;
  prepB: Float32Array;
  prepAlbedo: Float32Array;
  prepNormal: Float32Array;
  /** The colours as training targets: colorA and colorB, divided by the albedo's demodulation factor when `demodulated`. */
  targetA: Float32Array;
  targetB: Float32Array;
  clean: boolean;
  /** Prepared for a spec with `demodulate` (sampleBatch checks that the spec agrees). */
  demodulated: boolean;
}

function prepared(v: Float32Array, f: (x: number) => number): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = f(v[i]);
  return out;
}

/**
 * A pair from two colour renders and the first render's aux buffers (interleaved RGB). With `demodulate` (for a
 * spec with `demodulate`) both colours are divided by the first render's albedo factor, as inputs and as targets:
 * the network learns demodulated colour, and the runtime multiplies its output back by the input's factor.
 */
export function makePair(name: string, width: number, height: number, spp: number, colorA: Float32Array, colorB: Float32Array,
  albedo: Float32Array, normal: Float32Array, clean: boolean, demodulate = false): TrainingPair {
  const targetA = demodulate ? demodulated(colorA, albedo) : colorA;
  const targetB = demodulate ? demodulated(colorB, albedo) : colorB;
  return {
    name, width, height, spp, colorA, colorB, albedo, normal, clean, targetA, targetB, demodulated: demodulate,
    prepA: prepared(targetA, prepColor), prepB: prepared(targetB, prepColor),
    prepAlbedo: prepared(albedo, prepAlbedo), prepNormal: prepared(normal, prepNormal),
  };
}

/**
 * Renders a pair of `tracer`'s view: colour A with seed `seed`, colour B with seed `seed + 1` at the same spp, or
 * with `cleanSpp` a clean target rendered from seed `seed + 1`. Seeds give independent samples (the renderer's
 * seed independence is tested), so A and B have independent noise with the same mean.
 */
export async function renderPair(tracer: PathTracer, name: string, spp: number, seed: number, cleanSpp?: number,
  demodulate = false): Promise<TrainingPair> {
  await tracer.render({ spp, seed });
  const a = await tracer.readFrame();
  await tracer.render({ spp: cleanSpp ?? spp, seed: seed + 1 });
  const b = await tracer.readFrame();
  return makePair(name, a.width, a.height, spp, a.color, b.color, a.albedo, a.normal, cleanSpp !== undefined, demodulate);
}

export type Rng = () => number;

/**
 * A batch of `batch` random crops of `crop` x `crop`: a random pair, position and one of the 8 flips/rotations;
 * for noisy pairs, which render is the input and which the target is random too (both are noisy samples).
 */
export function sampleBatch(spec: NetworkSpec, pairs: readonly TrainingPair[], batch: number, crop: number, rng: Rng): Batch {
  if (pairs.length === 0) throw new RangeError('sampleBatch: no training pairs');
  const inC = spec.inputs.length * 3;
  const plane = crop * crop;
  const input = new Float32Array(batch * inC * plane);
  const target = new Float32Array(batch * 3 * plane);
  for (let b = 0; b < batch; b++) {
    const p = pairs[Math.floor(rng() * pairs.length)];
    if (p.width < crop || p.height < crop) throw new RangeError(`sampleBatch: ${p.name} is ${p.width}x${p.height}, smaller than the ${crop} crop`);
    if (p.demodulated !== (spec.demodulate === true)) {
      throw new RangeError(`sampleBatch: ${p.name} was prepared ${p.demodulated ? 'with' : 'without'} demodulation, spec '${spec.name}' ${spec.demodulate ? 'demodulates' : 'does not'}`);
    }
    const x0 = Math.floor(rng() * (p.width - crop + 1));
    const y0 = Math.floor(rng() * (p.height - crop + 1));
    const t = Math.floor(rng() * 8);
    const swap = !p.clean && rng() < 0.5;
    const inColor = swap ? p.prepB : p.prepA;
    const outColor = swap ? p.targetA : p.targetB;
    const inBase = b * inC * plane;
    const tBase = b * 3 * plane;
    const sources = spec.inputs.map((k) => (k === 'color' ? inColor : k === 'albedo' ? p.prepAlbedo : p.prepNormal));
    for (let v = 0; v < crop; v++) {
      for (let u = 0; u < crop; u++) {
        // Dihedral transform of the crop: optional transpose, then optional flips.
        let su = t & 4 ? v : u;
        let sv = t & 4 ? u : v;
        if (t & 1) su = crop - 1 - su;
        if (t & 2) sv = crop - 1 - sv;
        const s = ((y0 + sv) * p.width + x0 + su) * 3;
        const d = v * crop + u;
        for (let k = 0; k < sources.length; k++) {
          const src = sources[k];
          const o = inBase + k * 3 * plane + d;
          input[o] = src[s];
          input[o + plane] = src[s + 1];
          input[o + 2 * plane] = src[s + 2];
        }
        target[tBase + d] = outColor[s];
        target[tBase + plane + d] = outColor[s + 1];
        target[tBase + 2 * plane + d] = outColor[s + 2];
      }
    }
  }
  return { input, target };
}
