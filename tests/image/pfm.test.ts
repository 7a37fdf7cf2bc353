import { describe, expect, it } from 'vitest';
import { decodeImage, encodeImage } from '../../src/image/codec.ts';
import { ImageError, type ImageF32 } from '../../src/image/image.ts';

const ascii = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};

describe('PFM', () => {
  for (const channels of [1, 3] as const) {
    for (const [w, h] of [[7, 5], [1, 1], [2, 9]]) {
      it(`round-trips ${w}x${h}x${channels} exactly`, () => {
        const data = new Float32Array(w * h * channels).map((_, i) => (i - 7) * 1.3e-3 * 10 ** (i % 5));
        data[0] = Infinity;
        if (data.length > 1) data[1] = NaN;
        const image: ImageF32 = { width: w, height: h, channels, data };
        const back = decodeImage(encodeImage(image, 'pfm'), 'round.pfm');
        expect([back.width, back.height, back.channels]).toEqual([w, h, channels]);
        expect(Array.from(back.data)).toEqual(Array.from(data)); // toEqual treats NaN as equal to NaN
      });
    }
  }

  it('writes a little-endian header and stores the bottom row first', () => {
    // 2x3 grey image; rows top to bottom are [1,2], [3,4], [5,6].
    const image: ImageF32 = { width: 2, height: 3, channels: 1, data: new Float32Array([1, 2, 3, 4, 5, 6]) };
    const bytes = encodeImage(image, 'pfm');
    const header = 'Pf\n2 3\n-1.0\n';
    expect(new TextDecoder().decode(bytes.subarray(0, header.length))).toBe(header);
    const stored = new Float32Array(bytes.slice(header.length).buffer);
    expect(Array.from(stored)).toEqual([5, 6, 3, 4, 1, 2]);
  });

  it('reads a hand-written big-endian colour file with loose whitespace', () => {
    const pixels = new Uint8Array(2 * 1 * 3 * 4);
    const view = new DataView(pixels.buffer);
    [0.5, 1, 2, -3, 1e10, 0].forEach((v, i) => view.setFloat32(i * 4, v, false));
    const image = decodeImage(concat(ascii('PF\n2  1\r\n4.0\n'), pixels), 'be.pfm');
    expect([image.width, image.height, image.channels]).toEqual([2, 1, 3]);
    expect(Array.from(image.data)).toEqual([0.5, 1, 2, -3, 1e10, 0]);
  });

  it('refuses to write RGBA, naming the fix', () => {
    const image: ImageF32 = { width: 1, height: 1, channels: 4, data: new Float32Array(4) };
    expect(() => encodeImage(image, 'pfm', { name: 'out.pfm' })).toThrow(/^out\.pfm: PFM stores 1 or 3 channels.*convertChannels/);
  });

  it('rejects truncated and malformed files with an ImageError naming the file', () => {
    const good = encodeImage({ width: 7, height: 5, channels: 3, data: new Float32Array(105) }, 'pfm');
    for (const cut of [good.length - 1, 20, 9, 5, 3]) {
      expect(() => decodeImage(good.subarray(0, cut), 'cut.pfm')).toThrow(ImageError);
      expect(() => decodeImage(good.subarray(0, cut), 'cut.pfm')).toThrow(/^cut\.pfm: PFM (pixel data|header) is truncated/);
    }
    const bad = (header: string) => () => decodeImage(concat(ascii(header), new Uint8Array(64)), 'bad.pfm');
    expect(bad('PF\nseven 5\n-1\n')).toThrow(/^bad\.pfm: PFM header has an invalid size 'seven 5'/);
    expect(bad('PF\n-2 5\n-1\n')).toThrow(/invalid size/);
    expect(bad('PF\n0 5\n-1\n')).toThrow(/invalid image size 0x5/);
    expect(bad('PF\n1 1\n0\n')).toThrow(/invalid scale '0'/);
    expect(bad('PF\n1 1\nabc\n')).toThrow(/invalid scale 'abc'/);
    expect(bad('PF\n100000 100000\n-1\n')).toThrow(/larger than the supported/);
  });
});
