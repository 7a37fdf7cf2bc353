// PNG through fast-png: 8-bit sRGB out (tone mapped), any standard PNG in (to linear floats by default).
import { convertIndexedToRgb, decode, encode, type DecodedPng } from 'fast-png';
import { checkDimensions, describeError, ImageError, type ImageF32 } from './image.ts';
import { srgbDecode, tonemap8, type TonemapOptions } from './tonemap.ts';

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Tone maps (default ACES, exposure 0) and writes an 8-bit PNG: grey, RGB or RGBA by channel count. */
export function encodePng(image: ImageF32, options: TonemapOptions = {}): Uint8Array {
  const bytes = tonemap8(image, options);
  return encode({ width: image.width, height: image.height, data: bytes.data, channels: image.channels, depth: 8 });
}

export interface PngDecodeOptions {
  /** 'srgb' (default): samples are sRGB-encoded and are linearized; 'none': samples / max, as stored. */
  transfer?: 'srgb' | 'none';
}

/**
 * Reads any PNG (1-16 bit, grey/grey+alpha/RGB/RGBA/palette) into floats. Grey+alpha becomes RGBA; the
 * alpha channel is never linearized. Palette transparency gives RGBA.
 */
export function decodePng(bytes: Uint8Array, file: string, options: PngDecodeOptions = {}): ImageF32 {
  // The size in the IHDR chunk (which must come first) is checked before decoding: fast-png allocates for the
  // declared size, so a corrupt or hostile header fails here, by its size, rather than with whatever it runs into.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && String.fromCharCode(...bytes.subarray(12, 16)) === 'IHDR') {
    checkDimensions(file, view.getUint32(16), view.getUint32(20));
  }
  let png: DecodedPng;
  try {
    // CRC checking turns most truncation/corruption into an error instead of silently wrong pixels.
    png = decode(bytes, { checkCrc: true });
  } catch (error) {
    throw new ImageError(file, `corrupt or truncated PNG: ${describeError(error)}`, { cause: error });
  }
  const { width, height } = png;
  checkDimensions(file, width, height);
  const linearize = (options.transfer ?? 'srgb') === 'srgb';

  let samples: ArrayLike<number>;
  let channels = png.channels;
  let maxValue = png.depth === 16 ? 65535 : 255;
  if (png.palette) {
    samples = convertIndexedToRgb(png);
    channels = samples.length / (width * height);
    maxValue = 255;
  } else if (png.depth < 8) {
    samples = unpackBits(png.data, width, height, channels, png.depth);
    maxValue = (1 << png.depth) - 1;
  } else {
    samples = png.data;
  }
  if (samples.length < width * height * channels) {
    throw new ImageError(file, `PNG pixel data is truncated (${samples.length} of ${width * height * channels} samples)`);
  }

  const outChannels = channels === 1 ? 1 : channels === 3 ? 3 : 4;
  const out = new Float32Array(width * height * outChannels);
  // sRGB decode through a lookup table: at most 65536 distinct inputs.
  const lut = new Float32Array(maxValue + 1);
  for (let v = 0; v <= maxValue; v++) lut[v] = linearize ? srgbDecode(v / maxValue) : v / maxValue;
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    const o = p * outChannels;
    if (channels === 2) {
      const grey = lut[samples[s]];
      out[o] = grey;
      out[o + 1] = grey;
      out[o + 2] = grey;
      out[o + 3] = samples[s + 1] / maxValue;
    } else {
      for (let c = 0; c < outChannels; c++) {
        out[o + c] = c === 3 ? samples[s + c] / maxValue : lut[samples[s + c]];
      }
    }
  }
  return { width, height, channels: outChannels, data: out };
}

/** Expands 1/2/4-bit packed rows (each row starts on a byte boundary) to one sample per element. */
function unpackBits(packed: ArrayLike<number>, width: number, height: number, channels: number, depth: number): Uint8Array {
  const perRow = width * channels;
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const out = new Uint8Array(perRow * height);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      const byte = packed[y * rowBytes + (bit >> 3)] ?? 0;
      out[y * perRow + i] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}
