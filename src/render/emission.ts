// Emission separation for denoising: the radiance emitted by the first surface a camera ray hits (or the
// environment it escapes to) is taken out of the noisy image before the denoiser sees it and put back, anti-aliased,
// afterwards. That part of a pixel has no Monte Carlo noise beyond which emitter its samples landed on, yet it is
// by far the brightest thing in the image: a light's radiance next to the ceiling it lights. A network (or a filter)
// then spreads it onto the neighbouring pixels (n2n-fast-demod wrote the Cornell box light's 17 onto ceiling pixels
// of 0.3) or, where 8 samples happened to miss a light's partly covered edge pixel, cannot know it was there.
//
// The two parts:
// - `matching`: the emission of the noisy frame's own samples, which the path tracer accumulates beside its film
//   (PathTracer option `firstHitEmission`, FrameData.firstHitEmission: each sample's camera-ray contribution, what a
//   `maxDepth: 0` render with the same seed and samples holds): colour - matching is the noisy frame without its
//   first-hit emission, with no emitter value left in it;
// - `antialiased`: a `maxDepth: 0` render with many more primary rays (a depth-0 sample is one ray, an 8-bounce path
//   up to ~16) and another seed: the emission's converged value at the edges of lights and of the sky, which goes
//   back onto the output.
//   Only the pixels near an edge of the first-hit emission need it (`emissionEdges`): elsewhere every ray of the pixel
//   sees the same emitter (or none), so the frame's own emission is already exact, and those pixels are not rendered.
import type { GpuContext } from '../gpu/context.ts';
import type { CompiledCamera, CompiledScene } from '../scene/compile.ts';
import { PathTracer, type FrameData, type IntegratorPipeline } from './path-tracer.ts';

/** Seed of the anti-aliased emission render, mixed with the frame's seed (never equal to it). */
const ANTIALIAS_SEED_MIX = 0x9e3779b9;

/** Primary rays per pixel of the anti-aliased emission, the default where a command turns separation on. */
export const DEFAULT_EMISSION_SPP = 32;

/** The anti-aliased emission's seed for a frame rendered with `seed`. */
export function antialiasSeed(seed: number): number {
  return (seed ^ ANTIALIAS_SEED_MIX) >>> 0;
}

function checkAntialiasedSpp(spp: number): void {
  if (!Number.isInteger(spp) || spp < 1) throw new RangeError(`emission samples per pixel must be a whole number >= 1, got ${spp}`);
}

/** Relative difference from which two first-hit emission values count as different (emissionEdges). */
export const EMISSION_EDGE_TOLERANCE = 1e-3;

/**
 * The pixels whose anti-aliased emission can differ from the frame's own (`matching`, RGB, width x height): those
 * with a value in their 3x3 neighbourhood (itself included, clipped at the border) that differs from their own by
 * more than EMISSION_EDGE_TOLERANCE relative to the larger. Inside a light, or where no emitter is seen, all nine
 * agree; a pixel that a light's edge crosses has a neighbour on the other side of it, whether or not its own samples
 * hit the light. (A light narrower than a pixel that none of the frame's samples hit in the whole neighbourhood is
 * missed, as the frame itself missed it.)
 */
export function emissionEdges(matching: Float32Array, width: number, height: number): Uint8Array {
  if (matching.length !== width * height * 3) throw new RangeError(`emission image of ${matching.length / 3} pixels is not ${width}x${height}`);
  const edges = new Uint8Array(width * height);
  // "differs" is symmetric, so each pair of neighbours is compared once (with the right, lower-left, lower and
  // lower-right neighbour) and marks both
  const mark = (i: number, j: number): void => {
    if ((edges[i] & edges[j]) === 0 && pixelsDiffer(matching, i * 3, j * 3)) edges[i] = edges[j] = 1;
  };
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const below = y + 1 < height;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (x + 1 < width) mark(i, i + 1);
      if (below) {
        if (x > 0) mark(i, i + width - 1);
        mark(i, i + width);
        if (x + 1 < width) mark(i, i + width + 1);
      }
    }
  }
  return edges;
}

/** Whether RGB values at p and q of `img` differ by more than EMISSION_EDGE_TOLERANCE relative to the larger, in any channel. */
function pixelsDiffer(img: Float32Array, p: number, q: number): boolean {
  for (let c = 0; c < 3; c++) {
    const a = img[p + c];
    const b = img[q + c];
    // most neighbours hold equal values (no emitter, or the inside of one)
    if (a !== b && Math.abs(a - b) > EMISSION_EDGE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b))) return true;
  }
  return false;
}

/** The anti-aliased emission where `edges` is set, the frame's own elsewhere: a new image. */
function mergeEdges(matching: Float32Array, antialiased: Float32Array, edges: Uint8Array): Float32Array {
  const out = new Float32Array(matching);
  for (let p = 0; p < edges.length; p++) {
    if (edges[p]) out.set(antialiased.subarray(p * 3, p * 3 + 3), p * 3);
  }
  return out;
}

/** The two first-hit emission images of one noisy frame (RGB, linear, width x height). */
export interface EmissionImages {
  /** The frame's own first-hit emission (FrameData.firstHitEmission). */
  matching: Float32Array;
  /** The anti-aliased emission on `edges`, the frame's own (`matching`) elsewhere. */
  antialiased: Float32Array;
  /** Samples per pixel of `antialiased` where it was rendered. */
  antialiasedSpp: number;
  /** The pixels rendered anti-aliased (emissionEdges of `matching`). */
  edges: Uint8Array;
  /** Wall time of the edge search and the anti-aliased render, ms. */
  ms: number;
}

/** Renders the anti-aliased emission of `edges` with `tracer` (a depth-0 'sobol' tracer): the raw image, zero elsewhere. */
async function renderEdges(tracer: PathTracer, seed: number, edges: Uint8Array, spp: number): Promise<Float32Array> {
  tracer.reset(antialiasSeed(seed));
  if (!edges.some((e) => e)) return new Float32Array(edges.length * 3);
  tracer.restrictTo(edges);
  await tracer.accumulate(spp);
  // only the edge pixels come back
  return tracer.readColor();
}

/** A noisy frame's first-hit emission (FrameData.firstHitEmission), or a clear error naming what to turn on. */
export function frameEmission(frame: Pick<FrameData, 'firstHitEmission' | 'width' | 'height'>): Float32Array {
  const e = frame.firstHitEmission;
  if (!e) throw new Error('emission separation needs the frame\'s first-hit emission: render it with the PathTracer option firstHitEmission');
  if (e.length !== frame.width * frame.height * 3) throw new RangeError(`first-hit emission of ${e.length / 3} pixels is not ${frame.width}x${frame.height}`);
  return e;
}

/** The view an emission pass or tracker renders for: the frame's size and, for a clamped frame, its clamp. */
export interface EmissionView {
  width: number;
  height: number;
  /**
   * The frame tracer's per-sample clamp (PathTracer option `clamp`; 0 or absent: none). A clamped frame's first-hit
   * emission is clamped sample by sample as its radiance is, so the anti-aliased emission put back must be too.
   */
  clamp?: number;
  pipeline?: IntegratorPipeline | Promise<IntegratorPipeline>;
}

/**
 * The anti-aliasing tracer: depth 0, per-pixel Sobol jitter (16 of its rays resolve a light's edge about as well as
 * 32 uniform ones, 32 as well as 256).
 */
function createAntialiasTracer(gpu: GpuContext, scene: CompiledScene, view: EmissionView): Promise<PathTracer> {
  return PathTracer.create(gpu, scene, { width: view.width, height: view.height, maxDepth: 0, clamp: view.clamp, pipeline: view.pipeline, jitter: 'sobol' });
}

/** Renders the anti-aliased first-hit emission for frames of one scene and view (a depth-0 PathTracer). Owns its GPU objects. */
export class EmissionPass {
  private constructor(private readonly aa: PathTracer) {}

  static async create(gpu: GpuContext, scene: CompiledScene, view: EmissionView): Promise<EmissionPass> {
    return new EmissionPass(await createAntialiasTracer(gpu, scene, view));
  }

  /**
   * The emission images of a frame rendered with `seed` by a PathTracer of the same scene and view with the
   * `firstHitEmission` option (`frame`: its readFrame()): its own first-hit emission, and the anti-aliased value
   * from `antialiasedSpp` primary rays per pixel on the edges of it.
   */
  async render(frame: Pick<FrameData, 'firstHitEmission' | 'width' | 'height'>, seed: number, antialiasedSpp: number): Promise<EmissionImages> {
    checkAntialiasedSpp(antialiasedSpp);
    if (frame.width !== this.aa.width || frame.height !== this.aa.height) throw new RangeError(`emission pass of ${this.aa.width}x${this.aa.height} given a ${frame.width}x${frame.height} frame`);
    const matching = frameEmission(frame);
    const t0 = performance.now();
    const edges = emissionEdges(matching, this.aa.width, this.aa.height);
    const antialiased = mergeEdges(matching, await renderEdges(this.aa, seed, edges, antialiasedSpp), edges);
    return { matching, antialiased, antialiasedSpp, edges, ms: performance.now() - t0 };
  }

  destroy(): void {
    this.aa.destroy();
  }
}

/**
 * The noisy colour without its first-hit emission: max(colour - emission, 0) per value (a remainder below zero is
 * float rounding). Non-finite colour values are kept as they are (the denoisers clean them); a non-finite
 * emission value counts as none. `color` may have 3 or 4 channels (`channels`); the result has the same layout.
 */
export function subtractEmission(color: Float32Array, emission: Float32Array, channels: 3 | 4 = 3): Float32Array {
  const n = emission.length / 3;
  if (!Number.isInteger(n) || color.length !== n * channels) throw new RangeError(`colour of ${color.length} values does not match an emission image of ${emission.length / 3} pixels`);
  const out = new Float32Array(color.length);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < channels; c++) {
      const v = color[p * channels + c];
      const e = c < 3 ? emission[p * 3 + c] : 0;
      out[p * channels + c] = Number.isFinite(v) && Number.isFinite(e) ? Math.max(v - e, 0) : v;
    }
  }
  return out;
}

/** A denoised 3-channel image with the (anti-aliased) emission put back: a new array; non-finite emission adds nothing. */
export function addEmission(denoised: Float32Array, emission: Float32Array): Float32Array {
  if (denoised.length !== emission.length) throw new RangeError(`denoised image of ${denoised.length / 3} pixels does not match an emission image of ${emission.length / 3} pixels`);
  const out = new Float32Array(denoised.length);
  for (let i = 0; i < out.length; i++) out[i] = denoised[i] + (Number.isFinite(emission[i]) ? emission[i] : 0);
  return out;
}

/**
 * The anti-aliased first-hit emission of a progressively accumulated frame (the browser app, whose view gains a few
 * samples per animation frame): it is rendered on the edges of the frame's emission that each call sees, each pixel
 * once per view (more samples can show edge pixels that fewer did not: a light's partly covered pixel whose
 * neighbourhood's first samples all missed it), and merged with the frame's own emission of that call. A camera
 * change starts again, as it restarts the view. Owns its depth-0 tracer.
 */
export class EmissionTracker {
  /** The anti-aliased emission of the pixels rendered so far in this view (`edges`; zero elsewhere). */
  private rendered: { edges: Uint8Array; image: Float32Array } | null = null;

  private constructor(private readonly aa: PathTracer, private readonly seed: number, readonly antialiasedSpp: number) {}

  static async create(
    gpu: GpuContext, scene: CompiledScene,
    view: EmissionView & { seed: number; antialiasedSpp: number },
  ): Promise<EmissionTracker> {
    checkAntialiasedSpp(view.antialiasedSpp);
    return new EmissionTracker(await createAntialiasTracer(gpu, scene, view), view.seed, view.antialiasedSpp);
  }

  /** The view's camera changed (the frame restarts from sample 0): the anti-aliased emission starts again. */
  setCamera(camera: CompiledCamera): void {
    this.aa.setCamera(camera);
    this.rendered = null;
  }

  /**
   * The frame's own first-hit emission (`frame`: the view's readFrame(), rendered with the firstHitEmission option)
   * and the anti-aliased emission; `edges`: every pixel given the anti-aliased value in this view (this call's edges
   * and the earlier calls').
   */
  async images(frame: Pick<FrameData, 'firstHitEmission' | 'width' | 'height'>): Promise<Pick<EmissionImages, 'matching' | 'antialiased' | 'edges'>> {
    if (frame.width !== this.aa.width || frame.height !== this.aa.height) throw new RangeError(`emission tracker of ${this.aa.width}x${this.aa.height} given a ${frame.width}x${frame.height} frame`);
    const matching = frameEmission(frame);
    const edges = emissionEdges(matching, this.aa.width, this.aa.height);
    const rendered = (this.rendered ??= { edges: new Uint8Array(edges.length), image: new Float32Array(edges.length * 3) });
    // the edge pixels not rendered yet (a pixel's anti-aliased value depends only on the seed, so rendering a few
    // more later gives what one render of them all would)
    const fresh = edges.map((e, p) => (e && !rendered.edges[p] ? 1 : 0));
    if (fresh.some((e) => e)) {
      rendered.image = mergeEdges(rendered.image, await renderEdges(this.aa, this.seed, fresh, this.antialiasedSpp), fresh);
      for (let p = 0; p < fresh.length; p++) rendered.edges[p] |= fresh[p];
    }
    // pixels rendered for fewer samples' edges keep their anti-aliased value: it is the converged one there too
    return { matching, antialiased: mergeEdges(matching, rendered.image, rendered.edges), edges: rendered.edges.slice() };
  }

  destroy(): void {
    this.aa.destroy();
  }
}
