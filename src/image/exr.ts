// OpenEXR reading through three's EXRLoader (all common compressions: none, RLE, ZIP(S), PIZ, PXR24,
// B44(A), DWAA/B), with a header pre-check so corrupt sizes fail with a clear message, and rows put
// back top-first (the loader returns them bottom-first for WebGL).
import { FloatType, RedFormat, RGBAFormat } from 'three';
import { EXRLoader } from 'three/examples/jsm/loaders/EXRLoader.js';
import { checkDimensions, describeError, ImageError, toArrayBuffer, type ImageF32 } from './image.ts';
import { EXR_MAGIC } from './exr-write.ts';

export { encodeExr, fromHalf, toHalf, type ExrCompression, type ExrPixelType, type ExrWriteOptions } from './exr-write.ts';

export interface ExrChannel {
  name: string;
  /** 0 UINT, 1 HALF, 2 FLOAT. */
  pixelType: number;
  xSampling: number;
  ySampling: number;
}

export interface ExrHeaderInfo {
  width: number;
  height: number;
  channels: ExrChannel[];
}

/** Reads just enough of the (first part's) header to know the size and channels. */
export function readExrHeader(bytes: Uint8Array, file: string): ExrHeaderInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0, true) !== EXR_MAGIC) throw new ImageError(file, 'not an OpenEXR file');
  let at = 8;
  const cstring = (): string => {
    const end = bytes.indexOf(0, at);
    // Attribute names/types are at most 255 bytes even with long names.
    if (end < 0 || end - at > 255) throw new ImageError(file, 'EXR header is truncated or corrupt');
    const s = String.fromCharCode(...bytes.subarray(at, end));
    at = end + 1;
    return s;
  };
  let window: { width: number; height: number } | undefined;
  let channels: ExrChannel[] | undefined;
  for (;;) {
    const name = cstring();
    if (name === '') break;
    const type = cstring();
    if (at + 4 > bytes.length) throw new ImageError(file, 'EXR header is truncated');
    const size = view.getInt32(at, true);
    at += 4;
    if (size < 0 || at + size > bytes.length) throw new ImageError(file, `EXR header attribute '${name}' is truncated`);
    if (name === 'dataWindow' && type === 'box2i' && size === 16) {
      const [x0, y0, x1, y1] = [0, 4, 8, 12].map((o) => view.getInt32(at + o, true));
      window = { width: x1 - x0 + 1, height: y1 - y0 + 1 };
    } else if (name === 'channels' && type === 'chlist') {
      channels = [];
      const end = at + size;
      while (at < end && bytes[at] !== 0) {
        const channelName = cstring();
        if (at + 16 > end) throw new ImageError(file, 'EXR channel list is truncated');
        const int = (o: number) => view.getInt32(at + o, true);
        channels.push({ name: channelName, pixelType: int(0), xSampling: int(8), ySampling: int(12) });
        at += 16;
      }
      at = end;
      continue;
    }
    at += size;
  }
  if (!window) throw new ImageError(file, 'EXR header has no dataWindow');
  if (!channels) throw new ImageError(file, 'EXR header has no channel list');
  checkDimensions(file, window.width, window.height);
  return { ...window, channels };
}

/**
 * Decodes an EXR to floats: R,G,B(+A) -> 3 (4) channels; Y only -> 1 channel; Y/RY/BY -> 3 channels (RGB).
 * Channels must be full resolution (so subsampled luminance/chroma files are refused); other channels
 * (layers such as 'diffuse.R') are ignored when R,G,B or Y are present.
 */
export function decodeExr(bytes: Uint8Array, file: string): ImageF32 {
  const info = readExrHeader(bytes, file);
  const names = info.channels.map((c) => c.name);
  const has = (n: string) => names.includes(n);
  let channels: 1 | 3 | 4;
  if (has('R') && has('G') && has('B')) channels = has('A') ? 4 : 3;
  else if (has('Y') && has('RY') && has('BY')) channels = 3;
  else if (has('Y')) channels = 1;
  else {
    throw new ImageError(file, `unsupported EXR channels [${names.join(', ')}] (need R,G,B[,A] or Y)`);
  }
  // three's loader assumes every channel is full resolution, 2 or 4 bytes, and one sample type for the
  // channels it decodes; anything else would decode to wrong pixels without an error.
  for (const c of info.channels) {
    if (c.pixelType !== 1 && c.pixelType !== 2) throw new ImageError(file, `unsupported EXR pixel type ${c.pixelType} in channel '${c.name}' (only half and float)`);
    if (c.xSampling !== 1 || c.ySampling !== 1) throw new ImageError(file, `unsupported EXR subsampled channel '${c.name}'`);
  }
  const decodedTypes = new Set(info.channels.filter((c) => ['R', 'G', 'B', 'A', 'Y', 'RY', 'BY'].includes(c.name)).map((c) => c.pixelType));
  if (decodedTypes.size > 1) throw new ImageError(file, 'unsupported EXR file mixing half and float colour channels');

  const loader = new EXRLoader().setDataType(FloatType).setOutputFormat(channels === 1 ? RedFormat : RGBAFormat);
  let decoded: { width?: number; height?: number; data?: unknown };
  try {
    decoded = loader.parse(toArrayBuffer(bytes));
  } catch (error) {
    throw new ImageError(file, `corrupt or truncated EXR: ${describeError(error)}`, { cause: error });
  }
  const { width, height, data } = decoded;
  const loaderChannels = channels === 1 ? 1 : 4;
  if (width !== info.width || height !== info.height || !(data instanceof Float32Array) ||
      data.length !== info.width * info.height * loaderChannels) {
    throw new ImageError(file, 'EXR decoder returned unexpected data');
  }

  const out = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const srcRow = (height - 1 - y) * width; // bottom-first -> top-first
    for (let x = 0; x < width; x++) {
      const s = (srcRow + x) * loaderChannels;
      const o = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = data[s + c];
    }
  }
  return { width, height, channels, data: out };
}
