// Format dispatch: encode by requested format, decode by magic bytes. Works on in-memory bytes only,
// so it serves the CLI (through src/node/image-files.ts) and the browser app alike.
import { decodeExr, encodeExr, type ExrCompression, type ExrPixelType } from './exr.ts';
import { decodeHdr } from './hdr.ts';
import { assertImage, describeError, ImageError, type ImageF32 } from './image.ts';
import { decodePfm, encodePfm } from './pfm.ts';
import { decodePng, encodePng, PNG_SIGNATURE, type PngDecodeOptions } from './png.ts';
import type { TonemapOptions } from './tonemap.ts';

export type WriteFormat = 'png' | 'exr' | 'pfm';
export type ReadFormat = WriteFormat | 'hdr';
export const WRITE_FORMATS: readonly WriteFormat[] = ['png', 'exr', 'pfm'];
export const READ_FORMATS: readonly ReadFormat[] = ['png', 'exr', 'pfm', 'hdr'];

export interface EncodeOptions extends TonemapOptions {
  /** EXR sample type, default 'float'. */
  exrPixelType?: ExrPixelType;
  /** EXR compression, default 'zip'. */
  exrCompression?: ExrCompression;
  /** Name used in error messages (e.g. the output path). */
  name?: string;
}

export type DecodeOptions = PngDecodeOptions;

/**
 * Encodes a linear image. PNG is tone mapped (exposure/operator, default ACES) to 8-bit sRGB;
 * EXR and PFM store the linear values unchanged (PFM: 1 or 3 channels only).
 */
export function encodeImage(image: ImageF32, format: WriteFormat, options: EncodeOptions = {}): Uint8Array {
  const name = options.name ?? 'image';
  assertImage(image, name);
  switch (format) {
    case 'png':
      return encodePng(image, options);
    case 'exr':
      return encodeExr(image, { pixelType: options.exrPixelType, compression: options.exrCompression }, name);
    case 'pfm':
      return encodePfm(image, name);
    default:
      throw new ImageError(name, `cannot write format '${String(format)}' (supported: ${WRITE_FORMATS.join(', ')})`);
  }
}

/** Identifies a file by its first bytes; undefined when it is none of the supported formats. */
export function detectFormat(bytes: Uint8Array): ReadFormat | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 4 && bytes[0] === 0x76 && bytes[1] === 0x2f && bytes[2] === 0x31 && bytes[3] === 0x01) return 'exr';
  if (bytes.length >= 3 && bytes[0] === 0x50 && (bytes[1] === 0x46 || bytes[1] === 0x66) && /\s/.test(String.fromCharCode(bytes[2]))) return 'pfm';
  if (bytes.length >= 2 && bytes[0] === 0x23 && bytes[1] === 0x3f) return 'hdr';
  return undefined;
}

/**
 * Decodes PNG, OpenEXR, PFM or Radiance HDR (chosen by magic bytes) to a linear float image, top row first.
 * PNG samples are sRGB-decoded unless `transfer: 'none'`. Any failure is an ImageError naming `fileName`.
 */
export function decodeImage(bytes: Uint8Array, fileName: string, options: DecodeOptions = {}): ImageF32 {
  if (bytes.length === 0) throw new ImageError(fileName, 'file is empty');
  const format = detectFormat(bytes);
  try {
    switch (format) {
      case 'png':
        return decodePng(bytes, fileName, options);
      case 'exr':
        return decodeExr(bytes, fileName);
      case 'pfm':
        return decodePfm(bytes, fileName);
      case 'hdr':
        return decodeHdr(bytes, fileName);
      default:
        throw new ImageError(fileName, `unrecognized image format (supported: ${READ_FORMATS.join(', ')})`);
    }
  } catch (error) {
    if (error instanceof ImageError) throw error;
    // Anything a decoder did not anticipate still becomes a one-line ImageError, never a raw stack.
    throw new ImageError(fileName, `corrupt ${format} file: ${describeError(error)}`, { cause: error });
  }
}
