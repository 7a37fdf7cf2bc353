// Plain-image inputs of the denoiser: colour (+ albedo, normal) as RGB float arrays, checked against the spec.
import type { ImageF32 } from '../image/image.ts';
import type { InputKind, NetworkSpec } from './spec.ts';

/** Linear RGB images of one size, interleaved, top row first. */
export interface DenoiseImages {
  width: number;
  height: number;
  color: Float32Array;
  albedo?: Float32Array;
  normal?: Float32Array;
}

/** The image form callers pass: ImageF32s (1, 3 or 4 channels; the first three are used, grey is replicated). */
export interface ImageInput {
  color: ImageF32;
  albedo?: ImageF32;
  normal?: ImageF32;
}

export class DenoiseInputError extends Error {
  constructor(readonly what: string, readonly reason: string) {
    super(`${what}: ${reason}`);
    this.name = 'DenoiseInputError';
  }
}

export const MAX_DENOISE_PIXELS = 1 << 27;

function rgb(image: ImageF32, what: string): Float32Array {
  const n = image.width * image.height;
  if (image.channels !== 1 && image.channels !== 3 && image.channels !== 4) {
    throw new DenoiseInputError(what, `unsupported channel count ${String(image.channels)} (expected 1, 3 or 4)`);
  }
  if (!(image.data instanceof Float32Array) || image.data.length !== n * image.channels) {
    throw new DenoiseInputError(what, `data length ${image.data?.length} does not match ${image.width}x${image.height}x${image.channels}`);
  }
  if (image.channels === 3) return image.data;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = image.data[i * image.channels + (image.channels === 1 ? 0 : c)];
  }
  return out;
}

/** Checks sizes and the aux inputs `spec` needs, and converts to RGB arrays. */
function checkSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width * height > MAX_DENOISE_PIXELS) {
    throw new DenoiseInputError(what, `invalid size ${width}x${height}`);
  }
}

export function toDenoiseImages(spec: NetworkSpec, input: ImageInput): DenoiseImages {
  if (!input.color) throw new DenoiseInputError('color image', 'no colour image was given');
  const { width, height } = input.color;
  checkSize(width, height, 'color image');
  const out: DenoiseImages = { width, height, color: rgb(input.color, 'color image') };
  for (const kind of ['albedo', 'normal'] as const) {
    const img = input[kind];
    if (!spec.inputs.includes(kind)) continue; // extra aux images are ignored
    if (!img) throw new DenoiseInputError(`${kind} image`, `model '${spec.name}' needs ${spec.inputs.join(' + ')} inputs; no ${kind} image was given`);
    if (img.width !== width || img.height !== height) {
      throw new DenoiseInputError(`${kind} image`, `size ${img.width}x${img.height} does not match the colour image's ${width}x${height}`);
    }
    out[kind] = rgb(img, `${kind} image`);
  }
  return out;
}

/** Checks a DenoiseImages value against the spec (array lengths, required aux arrays). */
export function checkDenoiseImages(spec: NetworkSpec, images: DenoiseImages): void {
  checkSize(images.width, images.height, 'images');
  const n = images.width * images.height * 3;
  for (const kind of spec.inputs as InputKind[]) {
    const data = images[kind];
    if (!data) throw new DenoiseInputError(`${kind} image`, `model '${spec.name}' needs ${spec.inputs.join(' + ')} inputs; no ${kind} data was given`);
    if (data.length !== n) throw new DenoiseInputError(`${kind} image`, `has ${data.length} values, expected ${images.width}x${images.height}x3 = ${n}`);
  }
}
