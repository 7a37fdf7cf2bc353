import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodeImage } from '../../src/image/codec.ts';
import { encodeExr, fromHalf, readExrHeader, toHalf } from '../../src/image/exr.ts';
import { ImageError, type ImageF32 } from '../../src/image/image.ts';

function testImage(width: number, height: number, channels: 1 | 3 | 4): ImageF32 {
  const data = new Float32Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.7) * 50 + (i % channels) * 0.001;
  // Values a lossy path would mangle: specials, denormals, extremes, negative zero.
  const specials = [NaN, Infinity, -Infinity, -0, 1e-42, 3.4e38, -1e-30];
  specials.forEach((v, k) => { if (k < data.length) data[k] = v; });
  return { width, height, channels, data };
}

function expectBitExact(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(expected[i])) expect(actual[i]).toBeNaN();
    else if (a[i] !== e[i]) expect.fail(`sample ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

describe('OpenEXR', () => {
  for (const channels of [1, 3, 4] as const) {
    for (const compression of ['zip', 'none'] as const) {
      for (const [w, h] of [[7, 5], [1, 1], [37, 21]]) {
        it(`round-trips float32 exactly: ${w}x${h}x${channels}, ${compression}`, () => {
          const image = testImage(w, h, channels);
          const bytes = encodeImage(image, 'exr', { exrCompression: compression });
          const back = decodeImage(bytes, 'round.exr');
          expect([back.width, back.height, back.channels]).toEqual([w, h, channels]);
          expectBitExact(back.data, image.data);
        });
      }
    }
    it(`round-trips half as round-to-nearest-even halves: ${channels} channels`, () => {
      const image = testImage(9, 17, channels); // 17 rows: two ZIP chunks, the second one line
      const back = decodeImage(encodeImage(image, 'exr', { exrPixelType: 'half' }), 'half.exr');
      const expected = image.data.map((v) => fromHalf(toHalf(v)));
      expectBitExact(back.data, expected);
    });
  }

  it('writes the header attributes OpenEXR requires, channels alphabetical', () => {
    const bytes = encodeExr(testImage(7, 5, 4));
    const header = readExrHeader(bytes, 'h.exr');
    expect([header.width, header.height]).toEqual([7, 5]);
    expect(header.channels.map((c) => c.name)).toEqual(['A', 'B', 'G', 'R']);
    expect(header.channels.every((c) => c.pixelType === 2 && c.xSampling === 1 && c.ySampling === 1)).toBe(true);
    const text = new TextDecoder('latin1').decode(bytes.subarray(0, 400));
    for (const attr of ['channels\0chlist', 'compression\0compression', 'dataWindow\0box2i', 'displayWindow\0box2i',
      'lineOrder\0lineOrder', 'pixelAspectRatio\0float', 'screenWindowCenter\0v2f', 'screenWindowWidth\0float']) {
      expect(text).toContain(attr);
    }
    expect(readExrHeader(encodeExr(testImage(2, 2, 1)), 'y.exr').channels.map((c) => c.name)).toEqual(['Y']);
    expect(readExrHeader(encodeExr(testImage(2, 2, 3), { pixelType: 'half' }), 'h.exr').channels[0].pixelType).toBe(1);
  });

  it('ZIP compresses smooth images', () => {
    const data = new Float32Array(64 * 64 * 3).map((_, i) => Math.floor(i / 192) / 64);
    const image: ImageF32 = { width: 64, height: 64, channels: 3, data };
    const zip = encodeImage(image, 'exr', { exrCompression: 'zip' });
    const raw = encodeImage(image, 'exr', { exrCompression: 'none' });
    expect(zip.length).toBeLessThan(raw.length / 4);
    expectBitExact(decodeImage(zip, 'smooth.exr').data, data);
  });

  it('converts float to half with round-to-nearest-even, Inf and NaN kept', () => {
    for (let h = 0; h < 0x10000; h++) {
      const exp = (h >> 10) & 0x1f;
      if (exp === 0x1f && (h & 0x3ff)) continue; // NaN payloads
      if (toHalf(fromHalf(h)) !== h) expect.fail(`half 0x${h.toString(16)} does not survive`);
    }
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // tie -> even (down)
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(65520)).toBe(0x7c00); // tie at the top rounds to Inf
    expect(toHalf(2 ** -25)).toBe(0); // exactly half the smallest subnormal: tie -> 0
    expect(toHalf(1.5 * 2 ** -25)).toBe(1);
    expect(toHalf(-Infinity)).toBe(0xfc00);
    expect(Number.isNaN(fromHalf(toHalf(NaN)))).toBe(true);
  });

  // Written by the reference OpenEXR library (3.1.5, `exrmaketiled -z piz -t 32 16`) from a half file of
  // ours: R = (x >> 3) / 4, G = (y >> 2) / 2, B = (x >> 2) & 1 ? 0.5 : 0.25. Partial tiles at both edges.
  it('reads a PIZ-compressed tiled file from the reference library', () => {
    const image = decodeImage(fixture('piz-tiled-40x24-rgb-half.exr'), 'piz.exr');
    expect([image.width, image.height, image.channels]).toEqual([40, 24, 3]);
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < 40; x++) {
        const o = (y * 40 + x) * 3;
        const want = [(x >> 3) / 4, (y >> 2) / 2, (x >> 2) & 1 ? 0.5 : 0.25];
        if (image.data[o] !== want[0] || image.data[o + 1] !== want[1] || image.data[o + 2] !== want[2]) {
          expect.fail(`pixel (${x}, ${y}): ${Array.from(image.data.subarray(o, o + 3))} != ${want}`);
        }
      }
    }
  });

  // Reference library again (`exrmaketiled -z pxr24 -t 4 4`): R = (x + 10y) / 8, G = -(x + 1) / 4,
  // B = 1000 + x, A = y / 4; 7x5 with 4x4 tiles.
  it('reads a PXR24-compressed RGBA file from the reference library', () => {
    const image = decodeImage(fixture('pxr24-tiled-7x5-rgba-half.exr'), 'pxr24.exr');
    expect([image.width, image.height, image.channels]).toEqual([7, 5, 4]);
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 7; x++) {
        const o = (y * 7 + x) * 4;
        expect(Array.from(image.data.subarray(o, o + 4))).toEqual([(x + 10 * y) / 8, -(x + 1) / 4, 1000 + x, y / 4]);
      }
    }
  });

  it('rejects truncated, corrupt and unsupported files with an ImageError naming the file', () => {
    const smooth = new Float32Array(37 * 21 * 3).map((_, i) => Math.floor(i / 111) / 8); // compresses
    const bytes = encodeImage({ width: 37, height: 21, channels: 3, data: smooth }, 'exr');
    for (const cut of [bytes.length - 1, bytes.length >> 1, 300, 100, 20, 5]) {
      expect(() => decodeImage(bytes.subarray(0, cut), 'cut.exr')).toThrow(/^cut\.exr: /);
    }
    // Garbage over the zlib stream of the first chunk: inflating must fail. The header has the same size for any RGB float
    // image; a 1x1 one is header + one 8-byte offset + one chunk (8-byte prefix + 12 raw bytes).
    const headerSize = encodeExr(testImage(1, 1, 3)).length - 8 - 8 - 12;
    const firstChunk = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(headerSize, true));
    expect(firstChunk).toBe(headerSize + 2 * 8);
    const smashed = bytes.slice();
    smashed.fill(0xab, firstChunk + 8, firstChunk + 40);
    expect(() => decodeImage(smashed, 'smashed.exr')).toThrow(ImageError);

    const grey = encodeExr(testImage(3, 3, 1)).slice();
    grey[grey.indexOf(0x59 /* 'Y' */, 8)] = 0x5a; // rename the channel to 'Z'
    expect(() => decodeImage(grey, 'z.exr')).toThrow(/^z\.exr: unsupported EXR channels \[Z\]/);

    // Channel layouts three's loader would silently misread: UINT samples, subsampling.
    const uintFile = encodeExr(testImage(3, 3, 1)).slice();
    const yAt = uintFile.indexOf(0x59, 8);
    new DataView(uintFile.buffer).setInt32(yAt + 2, 0, true); // pixelType UINT
    expect(() => decodeImage(uintFile, 'uint.exr')).toThrow(/^uint\.exr: unsupported EXR pixel type 0 in channel 'Y'/);
    const subsampled = encodeExr(testImage(4, 4, 1)).slice();
    new DataView(subsampled.buffer).setInt32(subsampled.indexOf(0x59, 8) + 2 + 8, 2, true); // xSampling 2
    expect(() => decodeImage(subsampled, 'sub.exr')).toThrow(/subsampled channel 'Y'/);

    const huge = encodeExr(testImage(3, 3, 3)).slice();
    const at = new TextDecoder('latin1').decode(huge).indexOf('dataWindow\0box2i\0') + 17 + 4;
    new DataView(huge.buffer).setInt32(at + 8, 1 << 30, true); // xMax
    expect(() => decodeImage(huge, 'huge.exr')).toThrow(/^huge\.exr: image size \d+x3 is larger than/);
  });
});
