// A small OpenEXR writer: single-part scanline file, FLOAT or HALF channels, NO or ZIP compression.
// Our own rather than three's EXRExporter because that one always writes RGBA and rounds halves toward
// zero; this one writes 1 ('Y'), 3 (B,G,R) or 4 (A,B,G,R) channels exactly.
//
// Layout (OpenEXR "file layout" spec): magic 20000630, version 2 + flags 0; header attributes
// (name\0 type\0 int32 size value...) ending in \0; offset table (uint64 file offset per chunk);
// chunks: int32 first-y, int32 byte count, pixel data. Within a chunk: for each scanline, for each
// channel in alphabetical order, `width` little-endian samples.
import { zlibSync } from 'three/examples/jsm/libs/fflate.module.js';
import { assertImage, ImageError, type ImageF32 } from './image.ts';

export type ExrPixelType = 'float' | 'half';
export type ExrCompression = 'none' | 'zip';

export interface ExrWriteOptions {
  /** Default 'float' (lossless for Float32 data). */
  pixelType?: ExrPixelType;
  /** Default 'zip' (16 scanlines per chunk, zlib after OpenEXR's byte split + delta predictor). */
  compression?: ExrCompression;
}

export const EXR_MAGIC = 20000630;

const COMPRESSION_CODE: Record<ExrCompression, number> = { none: 0, zip: 3 };
const LINES_PER_CHUNK: Record<ExrCompression, number> = { none: 1, zip: 16 };

/** Channel names in the order EXR stores them (alphabetical), and which interleaved component each reads. */
function channelLayout(channels: ImageF32['channels']): { name: string; component: number }[] {
  if (channels === 1) return [{ name: 'Y', component: 0 }];
  const rgb = [
    { name: 'B', component: 2 },
    { name: 'G', component: 1 },
    { name: 'R', component: 0 },
  ];
  return channels === 4 ? [{ name: 'A', component: 3 }, ...rgb] : rgb;
}

export function encodeExr(image: ImageF32, options: ExrWriteOptions = {}, name = 'image'): Uint8Array {
  assertImage(image, name);
  const pixelType = options.pixelType ?? 'float';
  const compression = options.compression ?? 'zip';
  if (pixelType !== 'float' && pixelType !== 'half') throw new ImageError(name, `unknown EXR pixel type '${String(pixelType)}' (expected float, half)`);
  if (!(compression in COMPRESSION_CODE)) throw new ImageError(name, `unknown EXR compression '${String(compression)}' (expected none, zip)`);

  const { width, height } = image;
  const layout = channelLayout(image.channels);
  const sampleBytes = pixelType === 'float' ? 4 : 2;
  const header = buildHeader(width, height, layout, pixelType === 'float' ? 2 : 1, COMPRESSION_CODE[compression]);

  const lines = LINES_PER_CHUNK[compression];
  const chunkCount = Math.ceil(height / lines);
  const chunks: Uint8Array[] = [];
  for (let c = 0; c < chunkCount; c++) {
    const y0 = c * lines;
    const n = Math.min(lines, height - y0);
    const raw = new Uint8Array(n * width * layout.length * sampleBytes);
    const view = new DataView(raw.buffer);
    let at = 0;
    for (let y = y0; y < y0 + n; y++) {
      for (const { component } of layout) {
        for (let x = 0; x < width; x++) {
          const v = image.data[(y * width + x) * image.channels + component];
          if (sampleBytes === 4) view.setFloat32(at, v, true);
          else view.setUint16(at, toHalf(v), true);
          at += sampleBytes;
        }
      }
    }
    chunks.push(compression === 'zip' ? zipChunk(raw) : raw);
  }

  const tableStart = header.length;
  const total = tableStart + 8 * chunkCount + chunks.reduce((sum, data) => sum + 8 + data.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(header, 0);
  let at = tableStart + 8 * chunkCount;
  chunks.forEach((data, c) => {
    view.setBigUint64(tableStart + 8 * c, BigInt(at), true);
    view.setInt32(at, c * lines, true);
    view.setInt32(at + 4, data.length, true);
    out.set(data, at + 8);
    at += 8 + data.length;
  });
  return out;
}

/** OpenEXR's ZIP scheme: split even/odd bytes, delta-encode (+128), zlib; stored raw if that is not smaller. */
function zipChunk(raw: Uint8Array): Uint8Array {
  const n = raw.length;
  const tmp = new Uint8Array(n);
  const half = (n + 1) >> 1;
  for (let i = 0; i < n; i++) tmp[(i & 1) === 0 ? i >> 1 : half + (i >> 1)] = raw[i];
  let prev = tmp[0];
  for (let i = 1; i < n; i++) {
    const cur = tmp[i];
    tmp[i] = (cur - prev + 128 + 256) & 0xff;
    prev = cur;
  }
  const packed = zlibSync(tmp, { level: 6 });
  // Readers treat a chunk whose size equals the raw size as uncompressed.
  return packed.length < n ? packed : raw;
}

function buildHeader(
  width: number,
  height: number,
  layout: { name: string }[],
  pixelTypeCode: number,
  compressionCode: number,
): Uint8Array {
  const bytes: number[] = [];
  const u8 = (v: number) => bytes.push(v & 0xff);
  const i32 = (v: number) => { u8(v); u8(v >> 8); u8(v >> 16); u8(v >> 24); };
  const f32 = (v: number) => {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    b.forEach(u8);
  };
  const str = (s: string) => { for (const ch of s) u8(ch.charCodeAt(0)); u8(0); };
  const attribute = (name: string, type: string, size: number, write: () => void) => {
    str(name);
    str(type);
    i32(size);
    const start = bytes.length;
    write();
    if (bytes.length - start !== size) throw new Error(`EXR attribute ${name}: wrote ${bytes.length - start} bytes, declared ${size}`);
  };

  i32(EXR_MAGIC);
  i32(2); // version 2, no flags: single-part scanline, short names
  const chlistSize = layout.reduce((sum, ch) => sum + ch.name.length + 1 + 16, 0) + 1;
  attribute('channels', 'chlist', chlistSize, () => {
    for (const ch of layout) {
      str(ch.name);
      i32(pixelTypeCode);
      u8(0); u8(0); u8(0); u8(0); // pLinear + reserved
      i32(1); // xSampling
      i32(1); // ySampling
    }
    u8(0);
  });
  attribute('compression', 'compression', 1, () => u8(compressionCode));
  const box = () => { i32(0); i32(0); i32(width - 1); i32(height - 1); };
  attribute('dataWindow', 'box2i', 16, box);
  attribute('displayWindow', 'box2i', 16, box);
  attribute('lineOrder', 'lineOrder', 1, () => u8(0)); // INCREASING_Y
  attribute('pixelAspectRatio', 'float', 4, () => f32(1));
  attribute('screenWindowCenter', 'v2f', 8, () => { f32(0); f32(0); });
  attribute('screenWindowWidth', 'float', 4, () => f32(1));
  u8(0); // end of header
  return new Uint8Array(bytes);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** float32 -> IEEE half bits, round to nearest even; overflow -> Inf, NaN stays NaN. */
export function toHalf(value: number): number {
  f32Scratch[0] = value;
  const f = u32Scratch[0];
  const sign = (f >>> 16) & 0x8000;
  const exp = (f >>> 23) & 0xff;
  const mant = f & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    const m = mant | 0x800000; // implicit bit
    const shift = 14 - e;
    let half = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++; // may carry into the exponent: still correct
  return sign | half;
}

/** IEEE half bits -> number (exact). */
export function fromHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
