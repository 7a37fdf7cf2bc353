// The in-memory image type shared by every codec, plus the one error type they throw.

/** Linear (scene-referred) float image, row-major, top row first, channels interleaved. */
export interface ImageF32 {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Float32Array;
}

export type ImageChannels = ImageF32['channels'];

/** Any bad image input or output: `file` names the file (or thing), `reason` says what is wrong. */
export class ImageError extends Error {
  readonly file: string;
  readonly reason: string;
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`${file}: ${oneLine(reason)}`, options);
    this.name = 'ImageError';
    this.file = file;
    this.reason = oneLine(reason);
  }
}

/** Collapses a message (possibly from a third-party decoder) to one line without library prefixes. */
export function oneLine(message: string): string {
  return message.replace(/THREE\.\w+:\s*/g, '').replace(/\s+/g, ' ').trim();
}

/** Message of any thrown value, for wrapping decoder failures into an ImageError. */
export function describeError(error: unknown): string {
  if (error instanceof RangeError) return `data ends early or is malformed (${error.message})`;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export function createImage(width: number, height: number, channels: ImageChannels): ImageF32 {
  return { width, height, channels, data: new Float32Array(width * height * channels) };
}

/** Largest image we accept from a file header, so corrupt sizes fail fast instead of allocating gigabytes. */
export const MAX_PIXELS = 1 << 27;

export function checkDimensions(file: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ImageError(file, `invalid image size ${width}x${height}`);
  }
  if (width * height > MAX_PIXELS) {
    throw new ImageError(file, `image size ${width}x${height} is larger than the supported ${MAX_PIXELS} pixels`);
  }
}

/** Throws unless `image` is well formed: positive integer size, 1/3/4 channels, matching data length. */
export function assertImage(image: ImageF32, name = 'image'): void {
  checkDimensions(name, image.width, image.height);
  if (image.channels !== 1 && image.channels !== 3 && image.channels !== 4) {
    throw new ImageError(name, `unsupported channel count ${String(image.channels)} (expected 1, 3 or 4)`);
  }
  if (!(image.data instanceof Float32Array)) throw new ImageError(name, 'image data must be a Float32Array');
  const expected = image.width * image.height * image.channels;
  if (image.data.length !== expected) {
    throw new ImageError(
      name,
      `data length ${image.data.length} does not match ${image.width}x${image.height}x${image.channels} = ${expected}`,
    );
  }
}

/**
 * Copies `image` to another channel count: 1 -> 3/4 replicates grey; 3/4 -> 1 takes Rec.709 luminance;
 * 3 -> 4 adds alpha 1; 4 -> 3 drops alpha.
 */
export function convertChannels(image: ImageF32, channels: ImageChannels): ImageF32 {
  if (image.channels === channels) return { ...image, data: image.data.slice() };
  const out = createImage(image.width, image.height, channels);
  const n = image.width * image.height;
  const src = image.data;
  const sc = image.channels;
  for (let i = 0; i < n; i++) {
    const r = src[i * sc];
    const g = sc === 1 ? r : src[i * sc + 1];
    const b = sc === 1 ? r : src[i * sc + 2];
    const a = sc === 4 ? src[i * sc + 3] : 1;
    if (channels === 1) {
      out.data[i] = sc === 1 ? r : 0.2126 * r + 0.7152 * g + 0.0722 * b;
    } else {
      out.data[i * channels] = r;
      out.data[i * channels + 1] = g;
      out.data[i * channels + 2] = b;
      if (channels === 4) out.data[i * channels + 3] = a;
    }
  }
  return out;
}

/** Bytes as an ArrayBuffer holding exactly them (three's loaders take ArrayBuffers, not views). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  return bytes.slice().buffer;
}
