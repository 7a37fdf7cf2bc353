// Public surface of the image stage: types, codecs, tone mapping.
export {
  assertImage, convertChannels, createImage, ImageError, type ImageChannels, type ImageF32,
} from './image.ts';
export {
  acesNarkowicz, applyOperator, reinhard, srgbDecode, srgbEncode, tonemap, tonemap8, tonemapValue, TONE_OPERATORS,
  type ImageU8, type ToneOperator, type TonemapOptions,
} from './tonemap.ts';
export {
  decodeImage, detectFormat, encodeImage, READ_FORMATS, WRITE_FORMATS,
  type DecodeOptions, type EncodeOptions, type ReadFormat, type WriteFormat,
} from './codec.ts';
export { decodePng, encodePng, type PngDecodeOptions } from './png.ts';
export { decodeExr, encodeExr, fromHalf, readExrHeader, toHalf, type ExrChannel, type ExrHeaderInfo, type ExrCompression, type ExrPixelType, type ExrWriteOptions } from './exr.ts';
export { decodePfm, encodePfm } from './pfm.ts';
export { decodeHdr } from './hdr.ts';
