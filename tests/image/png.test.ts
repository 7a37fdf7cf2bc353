import { encode } from 'fast-png';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodeImage } from '../../src/image/codec.ts';
import { ImageError, type ImageF32 } from '../../src/image/image.ts';
import { srgbDecode, srgbEncode } from '../../src/image/tonemap.ts';

/** Linear image whose sRGB 8-bit encoding is exactly the byte pattern k(i) = (i * 37 + 11) % 256. */
function exactImage(width: number, height: number, channels: 1 | 3 | 4): { image: ImageF32; bytes: number[] } {
  const bytes: number[] = [];
  const data = new Float32Array(width * height * channels);
  for (let i = 0; i < data.length; i++) {
    const k = (i * 37 + 11) % 256;
    bytes.push(k);
    const isAlpha = channels === 4 && i % 4 === 3;
    data[i] = isAlpha ? k / 255 : srgbDecode(k / 255);
  }
  return { image: { width, height, channels, data }, bytes };
}

describe('PNG', () => {
  for (const channels of [1, 3, 4] as const) {
    for (const [w, h] of [[7, 5], [1, 1], [33, 2]]) {
      it(`round-trips ${w}x${h}x${channels} through 8-bit sRGB exactly`, () => {
        const { image, bytes } = exactImage(w, h, channels);
        const png = encodeImage(image, 'png', { operator: 'clamp' });
        const raw = decodeImage(png, 'raw.png', { transfer: 'none' });
        expect([raw.width, raw.height, raw.channels]).toEqual([w, h, channels]);
        expect(Array.from(raw.data, (v) => Math.round(v * 255))).toEqual(bytes);
        const linear = decodeImage(png, 'linear.png');
        for (let i = 0; i < image.data.length; i++) expect(linear.data[i]).toBeCloseTo(image.data[i], 6);
      });
    }
  }

  it('keeps the top row first', () => {
    const image: ImageF32 = { width: 2, height: 3, channels: 1, data: new Float32Array([1, 1, 0, 0, 0, 0]) };
    const back = decodeImage(encodeImage(image, 'png', { operator: 'clamp' }), 'rows.png');
    expect(Array.from(back.data)).toEqual([1, 1, 0, 0, 0, 0]);
  });

  it('tone maps with ACES by default and honours exposure', () => {
    const image: ImageF32 = { width: 1, height: 1, channels: 3, data: new Float32Array([1, 0.25, 0]) };
    const raw = decodeImage(encodeImage(image, 'png'), 'aces.png', { transfer: 'none' });
    expect(Math.round(raw.data[0] * 255)).toBe(Math.round(255 * srgbEncode(2.54 / 3.16)));
    const brighter = decodeImage(encodeImage(image, 'png', { operator: 'reinhard', exposure: 2 }), 'r.png', { transfer: 'none' });
    expect(Math.round(brighter.data[1] * 255)).toBe(188); // 0.25 * 4 = 1 -> 0.5 -> sRGB 0.7354
  });

  it('reads 16-bit grey+alpha, 1-bit grey and palette PNGs', () => {
    const grey16 = encode({ width: 2, height: 1, channels: 2, depth: 16, data: new Uint16Array([65535, 32768, 0, 65535]) });
    const a = decodeImage(grey16, 'grey16.png');
    expect(a.channels).toBe(4);
    expect(Array.from(a.data)).toEqual([1, 1, 1, expect.closeTo(32768 / 65535, 6), 0, 0, 0, 1]);

    const bits = encode({ width: 10, height: 1, channels: 1, depth: 1, data: new Uint8Array([0b10110000, 0b01000000]) });
    const b = decodeImage(bits, 'bits.png');
    expect(Array.from(b.data)).toEqual([1, 0, 1, 1, 0, 0, 0, 0, 0, 1]);

    const palette = [[255, 0, 0], [0, 0, 255]];
    const indexed = encode({ width: 3, height: 1, channels: 1, depth: 8, palette, data: new Uint8Array([0, 1, 0]) });
    const c = decodeImage(indexed, 'indexed.png', { transfer: 'none' });
    expect(c.channels).toBe(3);
    expect(Array.from(c.data)).toEqual([1, 0, 0, 0, 0, 1, 1, 0, 0]);
  });

  it('rejects truncated and corrupt PNGs with an ImageError naming the file', () => {
    const png = encodeImage(exactImage(7, 5, 3).image, 'png');
    for (const cut of [png.length - 1, png.length - 12, 40, 12, 8]) {
      expect(() => decodeImage(png.subarray(0, cut), 'cut.png')).toThrow(ImageError);
      expect(() => decodeImage(png.subarray(0, cut), 'cut.png')).toThrow(/^cut\.png: /);
    }
    const flipped = png.slice();
    flipped[45] ^= 0xff; // inside IDAT: the CRC no longer matches
    expect(() => decodeImage(flipped, 'flipped.png')).toThrow(/^flipped\.png: corrupt or truncated PNG/);
  });

  it('refuses a header declaring more pixels than supported before decoding, by its size', () => {
    // A 1x1 PNG with its IHDR size (and the chunk's CRC) rewritten: fast-png decoded it first and failed on whatever
    // it met ("Unsupported filter: undefined" for 30000x30000, a typed array length for 100000x100000).
    const png = encodeImage(exactImage(1, 1, 3).image, 'png');
    for (const side of [30000, 100000]) {
      const big = png.slice();
      const view = new DataView(big.buffer);
      view.setUint32(16, side);
      view.setUint32(20, side);
      view.setUint32(29, crc32(big.subarray(12, 29)) >>> 0);
      expect(() => decodeImage(big, 'big.png')).toThrow(new RegExp(`^big\\.png: image size ${side}x${side} is larger than the supported \\d+ pixels$`));
    }
  });
});
