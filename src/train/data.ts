// Training data: Noise2Noise pairs rendered by the path tracer (two independent renders of the same view at the
// same spp, with the first render's albedo and normal; optionally the second, the target, with more samples than
// the input: still noisy, with less noise), or a clean high-spp target instead of the second render, and random
// crops of them assembled into the trainer's batches.
import type { NetworkSpec } from '../denoise/spec.ts';
import { demodFactor, exposureScale, prepColorFast } from '../denoise/transform.ts';
import { frameEmission, subtractEmission } from '../render/emission.ts';
import type { FrameData, PathTracer } from '../render/path-tracer.ts';
import type { Batch } from './trainer.ts';

/**
 * One training view, as what batches are cut from: planes (channels-first: channel c of pixel (x, y) at
 * (c * height + y) * width + x), so that a crop row is a run of consecutive values. The renders themselves are
 * not kept (a 400-view run holds these six planes per view).
 */
export interface TrainingPair {
  name: string;
  width: number;
  height: number;
  spp: number;
  /** Planes: prepColor of the targets below, prepAlbedo of the albedo, prepNormal of the normal (batches just copy). */
  prepA: Float32Array;
  prepB: Float32Array;
  prepAlbedo: Float32Array;
  prepNormal: Float32Array;
  /** Planes: the two renders (B: the clean target when `clean`) as training targets, divided by the albedo's demodulation factor when `demodulated`. */
  targetA: Float32Array;
  targetB: Float32Array;
  clean: boolean;
  /** Samples per pixel of target B (`spp` for a pair of equal renders). */
  targetSpp: number;
  /** Prepared for a spec with `demodulate` (sampleBatch checks that the spec agrees). */
  demodulated: boolean;
  /** The autoexposure key it was prepared for (a spec's `autoexposure`; sampleBatch checks that the spec agrees), and the scale applied. */
  autoexposure?: number;
  exposure: number;
  /** Each render had its own first-hit emission taken out (renderPair with `separateEmission`): what the denoisers see with emission separation. */
  emissionSeparated: boolean;
}

/** "no autoexposure" or "autoexposure key k": how pairs were (or a spec would have them) prepared, for messages. */
export function describeAutoexposure(key: number | undefined): string {
  return key === undefined ? 'no autoexposure' : `autoexposure key ${key}`;
}

/** What of a spec decides how pairs are prepared: its demodulation and autoexposure key. */
export type PairPrep = Pick<NetworkSpec, 'demodulate' | 'autoexposure'>;

/**
 * Interleaved albedo or normal -> planes (channel c of pixel i at c * pixels + i), clamped to [lo, 1], NaN/Inf -> 0:
 * prepAlbedo (lo 0) and prepNormal (lo -1) written out, since one loop calling either function through a parameter
 * made a 256x256 pair 4 ms slower (12.8 against 8.6 ms); tests/train/data.test.ts checks it against both.
 */
function auxPlanes(v: Float32Array, pixels: number, lo: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0, j = 0; i < pixels; i++) {
    for (let o = i; o < v.length; o += pixels, j++) {
      const x = v[j];
      out[o] = Number.isFinite(x) ? Math.min(1, Math.max(lo, x)) : 0;
    }
  }
  return out;
}

/** demodFactor of each albedo value, as planes (float64, as demodFactor returns: 0.01 is not a float32). */
function demodFactors(albedoPlanes: Float32Array): Float64Array {
  const d = new Float64Array(albedoPlanes.length);
  for (let i = 0; i < d.length; i++) d[i] = demodFactor(albedoPlanes[i]);
  return d;
}

/**
 * One render's colour as `networkColor` makes it (times `k`, then divided by `demod`, each rounded to float32 as
 * networkColor's arrays do) into planes: the target as is and the network input through prepColorFast. One pass
 * without the interleaved intermediates (with Math.pow and them a 256x256 pair took 43 ms on this project's CI
 * machine; tests/train/data.test.ts checks the planes against networkColor and prepColor).
 */
function colorPlanes(color: Float32Array, pixels: number, k: number, demod: Float64Array | null): { target: Float32Array; prep: Float32Array } {
  const target = new Float32Array(color.length);
  const prep = new Float32Array(color.length);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    for (let c = 0, o = i; c < 3; c++, o += pixels) {
      let v = k === 1 ? color[j + c] : Math.fround(color[j + c] * k);
      if (demod) v = Math.fround(v / demod[o]);
      target[o] = v;
      prep[o] = prepColorFast(v);
    }
  }
  return { target, prep };
}

/**
 * A pair from two colour renders and the first render's aux buffers (interleaved RGB), prepared as `prep` (a spec)
 * says. With `autoexposure` both colours are multiplied by the first render's exposure scale (what the runtime does
 * to an input); with `demodulate` both are divided by the first render's albedo factor, as inputs and as targets:
 * the network learns demodulated colour, and the runtime multiplies its output back by the input's factor.
 */
export function makePair(name: string, width: number, height: number, spp: number, colorA: Float32Array, colorB: Float32Array,
  albedo: Float32Array, normal: Float32Array, clean: boolean, prep: PairPrep = {}, targetSpp = spp, emissionSeparated = false): TrainingPair {
  const n = width * height;
  for (const [what, v] of [['colorA', colorA], ['colorB', colorB], ['albedo', albedo], ['normal', normal]] as const) {
    if (v.length !== n * 3) throw new RangeError(`makePair: ${name}'s ${what} has ${v.length} values, ${width}x${height} RGB needs ${n * 3}`);
  }
  const demodulate = prep.demodulate === true;
  const exposure = exposureScale(prep.autoexposure, colorA, width, height);
  const albedoPlanes = auxPlanes(albedo, n, 0);
  const demod = demodulate ? demodFactors(albedoPlanes) : null;
  const a = colorPlanes(colorA, n, exposure, demod);
  const b = colorPlanes(colorB, n, exposure, demod);
  return {
    name, width, height, spp, clean, targetSpp, demodulated: demodulate, exposure, emissionSeparated,
    ...(prep.autoexposure !== undefined ? { autoexposure: prep.autoexposure } : {}),
    targetA: a.target, targetB: b.target, prepA: a.prep, prepB: b.prep,
    prepAlbedo: albedoPlanes, prepNormal: auxPlanes(normal, n, -1),
  };
}

/**
 * Renders a pair of `tracer`'s view: colour A with seed `seed`, colour B with seed `seed + 1` at the same spp (at
 * `noisyTargetSpp` if that is more), or with `cleanSpp` a clean target rendered from seed `seed + 1`. Seeds give
 * independent samples (the renderer's seed independence is tested), so A and B have independent noise with the
 * same mean: what Noise2Noise needs of a target, whatever its spp.
 *
 * With `separateEmission` (the tracer made with the `firstHitEmission` option) each render has its own first-hit
 * emission taken out, as emission separation does to a frame before denoising it (src/render/emission.ts): the
 * emission each of a render's camera rays hit first, so A - emission(A) and B - emission(B) are still independent
 * with the same mean (the image without the emission the camera sees).
 *
 * With `window` both renders are of that window of the view alone (the pair is the window's size).
 */
export async function renderPair(tracer: PathTracer, name: string, spp: number, seed: number, cleanSpp?: number,
  prep: PairPrep = {}, noisyTargetSpp?: number, separateEmission = false, timing?: PairTiming, window?: PairWindow): Promise<TrainingPair> {
  if (separateEmission && !tracer.keepsFirstHitEmission) {
    throw new RangeError('renderPair: separating the emission needs a tracer made with the firstHitEmission option');
  }
  const color = (f: FrameData): Float32Array => (separateEmission ? subtractEmission(f.color, frameEmission(f)) : f.color);
  let t = performance.now();
  const lap = (part: keyof PairTiming) => {
    const now = performance.now();
    if (timing) timing[part] += now - t;
    t = now;
  };
  const targetSpp = cleanSpp ?? Math.max(spp, noisyTargetSpp ?? spp);
  const frame = async (n: number, s: number): Promise<FrameData> => {
    if (window) {
      const f = await tracer.renderWindow(window.x, window.y, window.width, window.height, n, s);
      lap('renderMs'); // rendered and read back together
      return f;
    }
    await tracer.render({ spp: n, seed: s });
    lap('renderMs');
    const f = await tracer.readFrame();
    lap('readMs');
    return f;
  };
  const a = await frame(spp, seed);
  const b = await frame(targetSpp, seed + 1);
  const pair = makePair(name, a.width, a.height, spp, color(a), color(b), a.albedo, a.normal, cleanSpp !== undefined, prep, targetSpp, separateEmission);
  lap('prepareMs');
  return pair;
}

/** A window of the tracer's view (PathTracer.renderWindow): the pair is rendered there alone, at the window's size. */
export interface PairWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Wall time (ms) renderPair spent in the renders (submitted and finished), in reading them back, and in preparing
 * the pair on this thread (the emission's subtraction and makePair), summed over the pairs it was given to.
 */
export interface PairTiming {
  renderMs: number;
  readMs: number;
  prepareMs: number;
}

/** Whether A and B may trade places (input <-> target): only for two renders of the same spp, i.e. the same noise. */
export function swappable(p: TrainingPair): boolean {
  return !p.clean && p.targetSpp === p.spp;
}

export type Rng = () => number;

/** Channel c of the crop x crop window at (x0, y0) of a pair's plane, row by row into dst at dOff. */
function copyCrop(p: TrainingPair, src: Float32Array, c: number, x0: number, y0: number, crop: number, dst: Float32Array, dOff: number): void {
  const w = p.width;
  let s = c * w * p.height + y0 * w + x0;
  for (let v = 0, d = dOff; v < crop; v++, s += w, d += crop) dst.set(src.subarray(s, s + crop), d);
}

/**
 * The batch with its crops' dihedral transforms applied (on the CPU; the trainer does the same on the GPU): output
 * pixel (u, v) of crop b reads its pixel (su, sv), with (su, sv) = (u, v) transposed if t & 4, then flipped in x if
 * t & 1 and in y if t & 2, t = transforms[b]. `channels`: input channels per crop.
 */
export function transformBatch(batch: Batch, channels: number, crop: number): Batch {
  const t = batch.transforms;
  if (!t) return batch;
  const plane = crop * crop;
  const apply = (src: Float32Array, perCrop: number): Float32Array => {
    const out = new Float32Array(src.length);
    for (let b = 0; b < t.length; b++) {
      for (let k = 0; k < perCrop; k++) {
        const base = (b * perCrop + k) * plane;
        for (let v = 0; v < crop; v++) {
          for (let u = 0; u < crop; u++) {
            let su = t[b] & 4 ? v : u;
            let sv = t[b] & 4 ? u : v;
            if (t[b] & 1) su = crop - 1 - su;
            if (t[b] & 2) sv = crop - 1 - sv;
            out[base + v * crop + u] = src[base + sv * crop + su];
          }
        }
      }
    }
    return out;
  };
  return { input: apply(batch.input, channels), target: apply(batch.target, 3) };
}

/**
 * A batch of `batch` random crops of `crop` x `crop`: a random pair, position and one of the 8 flips/rotations;
 * for noisy pairs, which render is the input and which the target is random too (both are noisy samples). The
 * crops are returned as cut, with their transforms in `transforms` (applied by the trainer on the GPU, or by
 * transformBatch): the host only copies rows, which keeps up with a fast GPU.
 */
export function sampleBatch(spec: NetworkSpec, pairs: readonly TrainingPair[], batch: number, crop: number, rng: Rng, into?: Batch): Batch {
  if (pairs.length === 0) throw new RangeError('sampleBatch: no training pairs');
  const inC = spec.inputs.length * 3;
  const plane = crop * crop;
  // `into`: arrays of a previous batch of this size to overwrite (trainStep copies a batch when called)
  const reuse = into?.transforms && into.input.length === batch * inC * plane && into.target.length === batch * 3 * plane && into.transforms.length === batch;
  const input = reuse ? into.input : new Float32Array(batch * inC * plane);
  const target = reuse ? into.target : new Float32Array(batch * 3 * plane);
  const transforms = reuse && into.transforms ? into.transforms : new Uint32Array(batch);
  for (let b = 0; b < batch; b++) {
    const p = pairs[Math.floor(rng() * pairs.length)];
    if (p.width < crop || p.height < crop) throw new RangeError(`sampleBatch: ${p.name} is ${p.width}x${p.height}, smaller than the ${crop} crop`);
    if (p.demodulated !== (spec.demodulate === true)) {
      throw new RangeError(`sampleBatch: ${p.name} was prepared ${p.demodulated ? 'with' : 'without'} demodulation, spec '${spec.name}' ${spec.demodulate ? 'demodulates' : 'does not'}`);
    }
    if (p.autoexposure !== spec.autoexposure) {
      throw new RangeError(`sampleBatch: ${p.name} was prepared with ${describeAutoexposure(p.autoexposure)}, spec '${spec.name}' has ${describeAutoexposure(spec.autoexposure)}`);
    }
    const x0 = Math.floor(rng() * (p.width - crop + 1));
    const y0 = Math.floor(rng() * (p.height - crop + 1));
    transforms[b] = Math.floor(rng() * 8);
    const swap = swappable(p) && rng() < 0.5;
    const inColor = swap ? p.prepB : p.prepA;
    const outColor = swap ? p.targetA : p.targetB;
    const sources = spec.inputs.map((k) => (k === 'color' ? inColor : k === 'albedo' ? p.prepAlbedo : p.prepNormal));
    sources.forEach((src, k) => {
      for (let c = 0; c < 3; c++) copyCrop(p, src, c, x0, y0, crop, input, (b * inC + k * 3 + c) * plane);
    });
    for (let c = 0; c < 3; c++) copyCrop(p, outColor, c, x0, y0, crop, target, (b * 3 + c) * plane);
  }
  return { input, target, transforms };
}
