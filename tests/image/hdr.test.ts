import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/image/codec.ts';
import { ImageError } from '../../src/image/image.ts';

const ascii = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: ArrayLike<number>[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const header = (w: number, h: number) =>
  ascii(`#?RADIANCE\n# written by hand\nFORMAT=32-bit_rle_rgbe\nEXPOSURE=1.0\n\n-Y ${h} +X ${w}\n`);
/** three's HDRLoader conversion: mantissa * 2^(exponent - 128) / 255. */
const rgbe = (m: number, e: number) => Math.fround((m * 2 ** (e - 128)) / 255);

describe('Radiance HDR', () => {
  it('reads a hand-written flat (uncompressed) file, top row first', () => {
    const pixels = [
      [128, 64, 32, 129], [255, 0, 1, 128], [10, 20, 30, 140], // row 0
      [1, 2, 3, 100], [128, 128, 128, 128], [0, 0, 0, 0], // row 1
    ];
    const image = decodeImage(concat(header(3, 2), pixels.flat()), 'flat.hdr');
    expect([image.width, image.height, image.channels]).toEqual([3, 2, 3]);
    const want = pixels.flatMap(([r, g, b, e]) => [rgbe(r, e), rgbe(g, e), rgbe(b, e)]);
    expect(Array.from(image.data)).toEqual(want);
    expect(image.data[0]).toBeCloseTo(256 / 255, 6); // 128 * 2 / 255
    expect(image.data[15]).toBeLessThan(1e-38); // exponent 0 is (nearly) black
  });

  it('ignores trailing bytes after a flat file\'s pixels', () => {
    const image = decodeImage(concat(header(1, 1), [128, 128, 128, 129], [9, 9, 9]), 'trailing.hdr');
    expect(Array.from(image.data)).toEqual([rgbe(128, 129), rgbe(128, 129), rgbe(128, 129)]);
  });

  // New-style RLE: per scanline 2,2,width>>8,width&255, then the R, G, B, E planes as runs
  // (count > 128: repeat the next byte count-128 times; else count literal bytes).
  const g = [0, 10, 20, 30, 40, 50, 60, 70];
  const scanline = (rowBias: number) => [
    2, 2, 0, 8,
    136, 200 - rowBias, // R: run of 8
    8, ...g, // G: literal 8
    131, 50, 5, 1, 2, 3, 4, 5 + rowBias, // B: run of 3 then literal 5
    136, 130, // E: run of 8
  ];
  const rleFile = concat(header(8, 2), scanline(0), scanline(7));

  it('reads a hand-written run-length encoded file', () => {
    const image = decodeImage(rleFile, 'rle.hdr');
    expect([image.width, image.height, image.channels]).toEqual([8, 2, 3]);
    const b = [50, 50, 50, 1, 2, 3, 4, 5];
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 8; x++) {
        const o = (y * 8 + x) * 3;
        const blue = x === 7 ? 5 + 7 * y : b[x];
        expect(Array.from(image.data.subarray(o, o + 3))).toEqual([rgbe(200 - 7 * y, 130), rgbe(g[x], 130), rgbe(blue, 130)]);
      }
    }
  });

  it('rejects truncated files instead of returning black pixels', () => {
    for (const cut of [rleFile.length - 1, rleFile.length - 20, header(8, 2).length + 3]) {
      expect(() => decodeImage(rleFile.subarray(0, cut), 'cut.hdr')).toThrow(/^cut\.hdr: HDR pixel data is truncated at scanline/);
    }
    const flat = concat(header(3, 2), new Uint8Array(24));
    expect(() => decodeImage(flat.subarray(0, flat.length - 1), 'flat.hdr')).toThrow(/^flat\.hdr: HDR pixel data is truncated \(23 of 24 bytes\)/);
    expect(() => decodeImage(header(3, 2).subarray(0, 30), 'head.hdr')).toThrow(/^head\.hdr: HDR header is truncated/);
  });

  it('rejects corrupt run-length data and unsupported headers', () => {
    const badRun = rleFile.slice();
    badRun[header(8, 2).length + 4] = 137; // a run of 9 overflows the 8-wide plane
    expect(() => decodeImage(badRun, 'run.hdr')).toThrow(/^run\.hdr: HDR scanline 0 has bad run-length data/);
    const badWidth = rleFile.slice();
    badWidth[header(8, 2).length + 3] = 9;
    expect(() => decodeImage(badWidth, 'width.hdr')).toThrow(/bad run-length header/);
    const file = (text: string) => concat(ascii(text), new Uint8Array(64));
    expect(() => decodeImage(file('#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n+Y 2 +X 2\n'), 'o.hdr')).toThrow(/unsupported HDR orientation/);
    expect(() => decodeImage(file('#?RADIANCE\nFORMAT=32-bit_rle_xyze\n\n-Y 2 +X 2\n'), 'x.hdr')).toThrow(/unsupported HDR FORMAT=32-bit_rle_xyze/);
    expect(() => decodeImage(file('#?RADIANCE\n\n-Y 2 +X 2\n'), 'f.hdr')).toThrow(/no FORMAT line/);
    expect(() => decodeImage(file('#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 0 +X 2\n'), 'z.hdr')).toThrow(ImageError);
  });
});
