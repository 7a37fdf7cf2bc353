// The one interface every denoiser the harness compares implements (baselines here, the Noise2Noise network
// through an adapter), and the checked, packed form of its input that the baseline filters share.
import type { ImageF32 } from '../../image/image.ts';
import { framePlanes } from '../../render/frame-planes.ts';
import type { FrameData } from '../../render/path-tracer.ts';
import type { CompiledScene } from '../../scene/compile.ts';

/** A noisy frame: linear HDR colour plus the auxiliary buffers the renderer writes (albedo and normal through smooth glass and mirrors, first-hit depth). */
export interface DenoiserInput {
  /** Linear HDR radiance, 3 or 4 channels (alpha ignored). */
  color: ImageF32;
  /** Albedo AOV (of the first surface that is not a smooth mirror or clear glass), 3 channels. */
  albedo?: ImageF32;
  /** Shading normal AOV (same surface as the albedo), 3 channels, unit length (zero where the camera ray escaped). */
  normal?: ImageF32;
  /** First-hit view-space depth, 1 channel (zero where the camera ray escaped). */
  depth?: ImageF32;
  /** Variance of each pixel's mean (per-sample variance / spp), 3 channels. Optional; filters that use it say so. */
  variance?: ImageF32;
}

/** The view a comparison renders a scene with (what a denoiser that learns per scene needs to render it too). */
export interface SceneView {
  scene: CompiledScene;
  width: number;
  height: number;
  maxDepth: number;
  /** The frames to denoise will have their first-hit emission taken out (compare's emission separation). */
  emissionSeparated?: boolean;
}

export interface DenoiserPlugin {
  readonly name: string;
  /** True when albedo, normal and depth are required. */
  readonly needsAux: boolean;
  /**
   * Optional one-off work per scene before its frames are denoised (online training on the scene); the harness
   * times it and counts it in that scene's total times.
   */
  prepareScene?(view: SceneView): Promise<void>;
  /** Returns a new 3-channel linear HDR image the size of `input.color`; never modifies the input. */
  denoise(input: DenoiserInput): Promise<ImageF32>;
  /** Frees GPU objects; the plugin is unusable afterwards. */
  destroy(): void;
}

export class DenoiserError extends Error {
  override name = 'DenoiserError';
}

/**
 * The input of a rendered frame; `variance` becomes the variance of the mean. At 1 spp there is no variance
 * estimate (FrameData holds zeros there), so it is left out and filters estimate the noise spatially.
 */
export function denoiserInputFromFrame(f: FrameData): DenoiserInput {
  const { width, height } = f;
  const input: DenoiserInput = framePlanes(f);
  if (f.spp >= 2) {
    const varianceOfMean = new Float32Array(f.variance.length);
    for (let i = 0; i < varianceOfMean.length; i++) varianceOfMean[i] = f.variance[i] / f.spp;
    input.variance = { width, height, channels: 3, data: varianceOfMean };
  }
  return input;
}

/**
 * Input packed as vec4f per pixel (the layout the WGSL filters read, and the CPU references too, so both see
 * the same float32 values): colour (rgb, 0), variance of the mean (rgb, 0) or null, albedo (rgb, 0) and
 * guide (normal xyz, depth).
 */
export interface PackedInput {
  width: number;
  height: number;
  color: Float32Array;
  variance: Float32Array | null;
  albedo: Float32Array;
  guide: Float32Array;
}

function check(denoiser: string, what: string, img: ImageF32 | undefined, w: number, h: number, channels: number[]): ImageF32 {
  if (!img) throw new DenoiserError(`${denoiser}: needs the ${what} buffer`);
  if (img.width !== w || img.height !== h) throw new DenoiserError(`${denoiser}: ${what} is ${img.width}x${img.height} but the colour is ${w}x${h}`);
  if (!channels.includes(img.channels)) throw new DenoiserError(`${denoiser}: ${what} has ${img.channels} channels, expected ${channels.join(' or ')}`);
  if (img.data.length !== w * h * img.channels) throw new DenoiserError(`${denoiser}: ${what} data length ${img.data.length} does not match its size`);
  return img;
}

/** Copies `channels` channels of each pixel into lanes [first, first + channels) of a vec4 array. */
function into(out: Float32Array, img: ImageF32 | null, first: number, channels: number): void {
  if (!img) return;
  const n = img.width * img.height;
  const s = img.channels;
  for (let p = 0; p < n; p++) for (let c = 0; c < channels; c++) out[p * 4 + first + c] = img.data[p * s + c];
}

/** Validates and packs `input`; missing auxiliary buffers are zero unless `needsAux`, which makes them required. */
export function packInput(denoiser: string, input: DenoiserInput, needsAux: boolean): PackedInput {
  const color = input.color;
  if (!color) throw new DenoiserError(`${denoiser}: needs the colour buffer`);
  const { width: w, height: h } = color;
  if (!(Number.isInteger(w) && Number.isInteger(h) && w >= 1 && h >= 1)) throw new DenoiserError(`${denoiser}: invalid image size ${w}x${h}`);
  check(denoiser, 'colour', color, w, h, [3, 4]);
  const opt = (what: string, img: ImageF32 | undefined, ch: number[]): ImageF32 | null =>
    img || needsAux ? check(denoiser, what, img, w, h, ch) : null;
  const albedo = opt('albedo', input.albedo, [3, 4]);
  const normal = opt('normal', input.normal, [3, 4]);
  const depth = opt('depth', input.depth, [1]);
  const variance = input.variance ? check(denoiser, 'variance', input.variance, w, h, [3, 4]) : null;
  const n = w * h;
  const packed: PackedInput = {
    width: w,
    height: h,
    color: new Float32Array(n * 4),
    variance: variance ? new Float32Array(n * 4) : null,
    albedo: new Float32Array(n * 4),
    guide: new Float32Array(n * 4),
  };
  into(packed.color, color, 0, 3);
  if (packed.variance) into(packed.variance, variance, 0, 3);
  into(packed.albedo, albedo, 0, 3);
  into(packed.guide, normal, 0, 3);
  into(packed.guide, depth, 3, 1);
  return packed;
}

/** RGB of a vec4-per-pixel array as a 3-channel image. */
export function unpackRgb(width: number, height: number, v4: Float32Array): ImageF32 {
  const n = width * height;
  const data = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) {
    data[p * 3] = v4[p * 4];
    data[p * 3 + 1] = v4[p * 4 + 1];
    data[p * 3 + 2] = v4[p * 4 + 2];
  }
  return { width, height, channels: 3, data };
}
