// Radiance .hdr (RGBE) reading through three's HDRLoader. In three 0.187 the loader returns RGBA
// Uint16Array halves by default, so we ask for FloatType (RGBA Float32Array, alpha 1, rows top-first,
// value = mantissa * 2^(exponent-128) / 255). The loader silently zero-fills a truncated RLE file, so
// the pixel stream is walked here first to make truncation an error.
import { FloatType } from 'three';
import { HDRLoader } from 'three/examples/jsm/loaders/HDRLoader.js';
import { checkDimensions, describeError, ImageError, toArrayBuffer, type ImageF32 } from './image.ts';

const MAX_HEADER_BYTES = 64 * 1024;

/** Finds the resolution line ("-Y h +X w", the only orientation three reads) and where pixels start. */
function readHdrHeader(bytes: Uint8Array, file: string): { width: number; height: number; dataStart: number } {
  if (bytes.length < 2 || bytes[0] !== 0x23 || bytes[1] !== 0x3f) throw new ImageError(file, 'not a Radiance HDR file (expected "#?")');
  let at = 0;
  let sawFormat = false;
  const limit = Math.min(bytes.length, MAX_HEADER_BYTES);
  while (at < limit) {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0 || end >= limit) break;
    const line = String.fromCharCode(...bytes.subarray(at, end)).trim();
    at = end + 1;
    if (/^FORMAT=/.test(line)) {
      if (line !== 'FORMAT=32-bit_rle_rgbe') throw new ImageError(file, `unsupported HDR ${line} (only 32-bit_rle_rgbe)`);
      sawFormat = true;
    }
    const size = /^([-+])Y\s+(\d+)\s+([-+])X\s+(\d+)$/.exec(line);
    if (size) {
      if (size[1] !== '-' || size[3] !== '+') throw new ImageError(file, `unsupported HDR orientation '${line}' (only -Y h +X w)`);
      if (!sawFormat) throw new ImageError(file, 'HDR header has no FORMAT line');
      const width = Number(size[4]);
      const height = Number(size[2]);
      checkDimensions(file, width, height);
      return { width, height, dataStart: at };
    }
  }
  throw new ImageError(file, 'HDR header is truncated or has no resolution line');
}

/** Checks the pixel stream holds all `height` scanlines, using the same flat-vs-RLE rule as three. */
function checkHdrPixels(bytes: Uint8Array, start: number, width: number, height: number, file: string): void {
  const data = bytes.subarray(start);
  const rle = width >= 8 && width <= 0x7fff && data[0] === 2 && data[1] === 2 && (data[2] & 0x80) === 0;
  if (!rle) {
    if (data.length < width * height * 4) {
      throw new ImageError(file, `HDR pixel data is truncated (${data.length} of ${width * height * 4} bytes)`);
    }
    return;
  }
  let at = 0;
  for (let y = 0; y < height; y++) {
    if (at + 4 > data.length) throw new ImageError(file, `HDR pixel data is truncated at scanline ${y} of ${height}`);
    if (data[at] !== 2 || data[at + 1] !== 2 || ((data[at + 2] << 8) | data[at + 3]) !== width) {
      throw new ImageError(file, `HDR scanline ${y} has a bad run-length header`);
    }
    at += 4;
    // Four component planes of `width` bytes each, as runs: count > 128 = repeat next byte, else literal.
    for (let filled = 0; filled < 4 * width;) {
      if (at >= data.length) throw new ImageError(file, `HDR pixel data is truncated at scanline ${y} of ${height}`);
      let count = data[at++];
      const repeat = count > 128;
      if (repeat) count -= 128;
      if (count === 0 || filled + count > 4 * width) throw new ImageError(file, `HDR scanline ${y} has bad run-length data`);
      at += repeat ? 1 : count;
      filled += count;
    }
    if (at > data.length) throw new ImageError(file, `HDR pixel data is truncated at scanline ${y} of ${height}`);
  }
}

export function decodeHdr(bytes: Uint8Array, file: string): ImageF32 {
  const { width, height, dataStart } = readHdrHeader(bytes, file);
  checkHdrPixels(bytes, dataStart, width, height, file);
  let decoded: { width?: number; height?: number; data?: unknown };
  try {
    decoded = new HDRLoader().setDataType(FloatType).parse(toArrayBuffer(bytes));
  } catch (error) {
    throw new ImageError(file, `corrupt HDR file: ${describeError(error)}`, { cause: error });
  }
  const { data } = decoded;
  // A flat (non-RLE) file may carry trailing bytes, which three turns into extra pixels: ignore them.
  if (decoded.width !== width || decoded.height !== height || !(data instanceof Float32Array) || data.length < width * height * 4) {
    throw new ImageError(file, 'HDR decoder returned unexpected data');
  }
  const out = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    out[p * 3] = data[p * 4];
    out[p * 3 + 1] = data[p * 4 + 1];
    out[p * 3 + 2] = data[p * 4 + 2];
  }
  return { width, height, channels: 3, data: out };
}
