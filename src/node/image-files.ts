// Node file-system helpers for images: read by magic bytes, write by extension, atomically.
import { readInputFile } from './read-input.ts';
import { extname } from 'node:path';
import { decodeImage, encodeImage, WRITE_FORMATS, type DecodeOptions, type EncodeOptions, type WriteFormat } from '../image/codec.ts';
import { ImageError, type ImageF32 } from '../image/image.ts';
import { writeFileAtomic } from './atomic-file.ts';

/** Output format for a path's extension (case-insensitive); ImageError listing the supported ones otherwise. */
export function writeFormatForPath(path: string): WriteFormat {
  const ext = extname(path).slice(1).toLowerCase();
  const format = WRITE_FORMATS.find((f) => f === ext);
  if (!format) {
    const got = ext ? `'.${ext}'` : 'no extension';
    throw new ImageError(path, `cannot write ${got}: supported extensions are ${WRITE_FORMATS.map((f) => `.${f}`).join(', ')}`);
  }
  return format;
}

/** Reads a PNG/EXR/PFM/HDR file; the format comes from the file's magic bytes, not its name. */
export async function readImageFile(path: string, options: DecodeOptions = {}): Promise<ImageF32> {
  let bytes: Uint8Array;
  try {
    bytes = await readInputFile(path);
  } catch (error) {
    throw new ImageError(path, `cannot read file (${fsReason(error)})`, { cause: error });
  }
  return decodeImage(bytes, path, options);
}

/**
 * Writes `image` in the format named by the extension (.png tone mapped per `options`; .exr/.pfm linear).
 * Encodes fully in memory, writes a temporary file beside the target and renames it over the target, so
 * a failure never leaves a partial output. Creates missing parent directories.
 */
export async function writeImageFile(path: string, image: ImageF32, options: EncodeOptions = {}): Promise<void> {
  const format = writeFormatForPath(path);
  const bytes = encodeImage(image, format, { ...options, name: options.name ?? path });
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    throw new ImageError(path, `cannot write file (${fsReason(error)})`, { cause: error });
  }
}

function fsReason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const text = error.message.replace(/^\w+:\s*/, '').replace(/,\s*\w+\s+'.*'$/, '');
    return code ? `${code}: ${text}` : text;
  }
  return String(error);
}
