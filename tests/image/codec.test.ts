import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeImage, detectFormat, encodeImage, type WriteFormat } from '../../src/image/codec.ts';
import { convertChannels, ImageError, type ImageF32 } from '../../src/image/image.ts';
import { mulberry32 } from '../support/random.ts';

const ascii = (s: string) => new TextEncoder().encode(s);

const rng = mulberry32; // the fuzz cases are the same on every run

const sample: ImageF32 = {
  width: 7, height: 5, channels: 3, data: new Float32Array(105).map((_, i) => Math.floor(i / 9) / 4),
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('format detection and dispatch', () => {
  it('detects each format by magic bytes', () => {
    expect(detectFormat(encodeImage(sample, 'png'))).toBe('png');
    expect(detectFormat(encodeImage(sample, 'exr'))).toBe('exr');
    expect(detectFormat(encodeImage(sample, 'pfm'))).toBe('pfm');
    expect(detectFormat(ascii('#?RADIANCE\n'))).toBe('hdr');
    expect(detectFormat(ascii('PFX'))).toBeUndefined();
    expect(detectFormat(ascii('GIF89a'))).toBeUndefined();
  });

  it('names the file and lists the supported formats for unknown or empty input', () => {
    expect(() => decodeImage(ascii('GIF89a....'), 'pic.gif')).toThrow(
      /^pic\.gif: unrecognized image format \(supported: png, exr, pfm, hdr\)$/,
    );
    expect(() => decodeImage(new Uint8Array(0), 'empty.png')).toThrow(/^empty\.png: file is empty$/);
  });

  it('validates images before encoding', () => {
    const short: ImageF32 = { width: 7, height: 5, channels: 3, data: new Float32Array(10) };
    expect(() => encodeImage(short, 'exr', { name: 'out.exr' })).toThrow(/^out\.exr: data length 10 does not match 7x5x3 = 105$/);
    const noPixels: ImageF32 = { width: 0, height: 5, channels: 3, data: new Float32Array(0) };
    expect(() => encodeImage(noPixels, 'png')).toThrow(/invalid image size 0x5/);
    const twoChannel = { width: 1, height: 1, channels: 2, data: new Float32Array(2) } as unknown as ImageF32;
    expect(() => encodeImage(twoChannel, 'pfm')).toThrow(/unsupported channel count 2/);
    expect(() => encodeImage(sample, 'tiff' as WriteFormat)).toThrow(/cannot write format 'tiff' \(supported: png, exr, pfm\)/);
  });

  it('converts between channel counts', () => {
    const rgba = convertChannels(sample, 4);
    expect(rgba.channels).toBe(4);
    expect(Array.from(rgba.data.subarray(0, 8))).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
    const grey = convertChannels({ width: 1, height: 1, channels: 3, data: new Float32Array([1, 1, 1]) }, 1);
    expect(grey.data[0]).toBeCloseTo(1, 6);
    expect(Array.from(convertChannels(grey, 3).data)).toEqual([grey.data[0], grey.data[0], grey.data[0]]);
  });

  // Every damaged file must end in a one-line ImageError naming the file (or decode): never another
  // error type, a stack-trace message, or a hang.
  const hdr = new Uint8Array([
    ...ascii('#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 2 +X 8\n'),
    ...[0, 1].flatMap(() => [2, 2, 0, 8, 136, 200, 136, 100, 136, 50, 136, 130]),
  ]);
  const files: [string, Uint8Array][] = [
    ['png', encodeImage(sample, 'png')],
    ['exr', encodeImage(sample, 'exr')],
    ['exr-raw', encodeImage(sample, 'exr', { exrCompression: 'none', exrPixelType: 'half' })],
    ['pfm', encodeImage(sample, 'pfm')],
    ['hdr', hdr],
  ];
  for (const [name, good] of files) {
    it(`survives truncation, bit flips and garbage: ${name}`, () => {
      // three's EXRLoader warns on console about the mangled attribute types it skips: keep the log clean.
      vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const random = rng(name.length * 7919 + good.length);
      const outcomes = { decoded: 0, rejected: 0 };
      const attempt = (bytes: Uint8Array) => {
        try {
          const image = decodeImage(bytes, `fuzz.${name}`);
          expect(image.data.length).toBe(image.width * image.height * image.channels);
          outcomes.decoded++;
        } catch (error) {
          if (!(error instanceof ImageError)) throw error;
          expect(error.message.startsWith(`fuzz.${name}: `)).toBe(true);
          expect(error.message).not.toContain('\n');
          outcomes.rejected++;
        }
      };
      for (let cut = 0; cut < good.length; cut += Math.max(1, Math.floor(good.length / 60))) attempt(good.subarray(0, cut));
      for (let k = 0; k < 150; k++) {
        const bytes = good.slice();
        const flips = 1 + Math.floor(random() * 4);
        for (let f = 0; f < flips; f++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        attempt(bytes);
      }
      for (let k = 0; k < 30; k++) {
        const junk = new Uint8Array(8 + Math.floor(random() * 200)).map(() => Math.floor(random() * 256));
        junk.set(good.subarray(0, 4)); // keep the magic so the format's own decoder sees the junk
        attempt(junk);
      }
      expect(outcomes.rejected).toBeGreaterThan(30);
    });
  }
});
