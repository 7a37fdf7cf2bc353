// Portable Float Map: "PF" (RGB) or "Pf" (grey), ASCII "width height", a scale whose sign gives the byte
// order (negative = little-endian), one whitespace byte, then float32 rows stored BOTTOM row first.
import { assertImage, checkDimensions, ImageError, type ImageF32 } from './image.ts';

/** Writes little-endian PFM. 4-channel images are refused (PFM has no alpha); convertChannels first. */
export function encodePfm(image: ImageF32, name = 'image'): Uint8Array {
  assertImage(image, name);
  if (image.channels === 4) {
    throw new ImageError(name, 'PFM stores 1 or 3 channels, not RGBA (drop alpha with convertChannels(image, 3))');
  }
  const { width, height, channels } = image;
  const header = new TextEncoder().encode(`${channels === 3 ? 'PF' : 'Pf'}\n${width} ${height}\n-1.0\n`);
  const out = new Uint8Array(header.length + width * height * channels * 4);
  out.set(header, 0);
  const view = new DataView(out.buffer);
  const rowLength = width * channels;
  let at = header.length;
  for (let y = height - 1; y >= 0; y--) {
    for (let i = 0; i < rowLength; i++) {
      view.setFloat32(at, image.data[y * rowLength + i], true);
      at += 4;
    }
  }
  return out;
}

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

export function decodePfm(bytes: Uint8Array, file: string): ImageF32 {
  let at = 2;
  // Header tokens: width, height, scale, each preceded by whitespace; ends with exactly one whitespace byte.
  const token = (what: string): string => {
    const start0 = at;
    while (at < bytes.length && isSpace(bytes[at])) at++;
    if (at === start0) throw new ImageError(file, `PFM header: expected whitespace before ${what}`);
    const start = at;
    while (at < bytes.length && !isSpace(bytes[at]) && at - start < 32) at++;
    if (at >= bytes.length) throw new ImageError(file, `PFM header is truncated (reading ${what})`);
    return String.fromCharCode(...bytes.subarray(start, at));
  };
  if (bytes.length < 3 || bytes[0] !== 0x50 || (bytes[1] !== 0x46 && bytes[1] !== 0x66)) {
    throw new ImageError(file, 'not a PFM file (expected "PF" or "Pf")');
  }
  const channels = bytes[1] === 0x46 ? 3 : 1;
  const widthText = token('width');
  const heightText = token('height');
  const scaleText = token('scale');
  const width = /^\d+$/.test(widthText) ? Number(widthText) : NaN;
  const height = /^\d+$/.test(heightText) ? Number(heightText) : NaN;
  const scale = Number(scaleText);
  if (Number.isNaN(width) || Number.isNaN(height)) {
    throw new ImageError(file, `PFM header has an invalid size '${widthText} ${heightText}'`);
  }
  checkDimensions(file, width, height);
  if (!Number.isFinite(scale) || scale === 0) throw new ImageError(file, `PFM header has an invalid scale '${scaleText}'`);
  at++; // the single whitespace byte after the scale
  const littleEndian = scale < 0;

  const count = width * height * channels;
  if (bytes.length - at < count * 4) {
    throw new ImageError(file, `PFM pixel data is truncated (${bytes.length - at} of ${count * 4} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, count * 4);
  const data = new Float32Array(count);
  const rowLength = width * channels;
  for (let row = 0; row < height; row++) {
    const y = height - 1 - row; // file row 0 is the bottom image row
    for (let i = 0; i < rowLength; i++) data[y * rowLength + i] = view.getFloat32((row * rowLength + i) * 4, littleEndian);
  }
  return { width, height, channels, data };
}
