import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  conv3x3, createTensor, forward, maxPool2, paddedSize, postprocess, preprocess, upsampleConcat,
} from '../../src/denoise/reference.ts';
import { parseSpecText } from '../../src/denoise/spec.ts';
import { exposureScale, outputToLinear, prepAlbedo, prepColor, prepNormal } from '../../src/denoise/transform.ts';
import { initWeights } from '../../src/denoise/weights.ts';

const spec = parseSpecText(readFileSync(new URL('../../denoiser/specs/n2n-fast.json', import.meta.url), 'utf8'), 'n2n-fast.json');

function tensor(channels: number, width: number, height: number, values: number[]) {
  const t = createTensor(channels, width, height);
  t.data.set(values);
  return t;
}

describe('conv3x3', () => {
  // 1 channel, 3x3 image 1..9
  const img = tensor(1, 3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  it('sums the 3x3 neighbourhood with zero padding', () => {
    const out = conv3x3(img, new Float32Array(9).fill(1), new Float32Array([0.5]), 1);
    // corner (0,0): 1+2+4+5 = 12; centre: 45; edge (1,0): 1+2+3+4+5+6 = 21
    expect(out.data[0]).toBe(12.5);
    expect(out.data[4]).toBe(45.5);
    expect(out.data[1]).toBe(21.5);
    expect(out.data[8]).toBe(5 + 6 + 8 + 9 + 0.5);
  });
  it('is a cross-correlation: weight [ky=0][kx=0] reads the pixel up-left', () => {
    const w = new Float32Array(9);
    w[0] = 1;
    const out = conv3x3(img, w, new Float32Array(1), 1);
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 1, 2, 0, 4, 5]);
  });
  it('mixes channels with [out][in][ky][kx] weights and applies the leaky ReLU', () => {
    const two = tensor(2, 1, 1, [2, 3]);
    const w = new Float32Array(2 * 2 * 9);
    w[(0 * 2 + 0) * 9 + 4] = 1; // out 0 = in0 - 2 in1 = -4
    w[(0 * 2 + 1) * 9 + 4] = -2;
    w[(1 * 2 + 1) * 9 + 4] = 10; // out 1 = 10 in1 + 1 = 31
    const out = conv3x3(two, w, new Float32Array([0, 1]), 2, 0.1);
    expect(out.data[0]).toBeCloseTo(-0.4, 6);
    expect(out.data[1]).toBe(31);
    expect(conv3x3(two, w, new Float32Array([0, 1]), 2).data[0]).toBe(-4); // linear
  });
});

describe('pooling and upsampling', () => {
  it('max-pools 2x2 blocks per channel', () => {
    const t = tensor(1, 4, 2, [1, 5, -1, -2, 3, 2, -3, -4]);
    const p = maxPool2(t);
    expect([p.width, p.height]).toEqual([2, 1]);
    expect(Array.from(p.data)).toEqual([5, -1]);
    expect(() => maxPool2(createTensor(1, 3, 2))).toThrow(/not even/);
  });
  it('upsamples nearest 2x and puts the upsampled channels first', () => {
    const coarse = tensor(1, 1, 1, [7]);
    const skip = tensor(2, 2, 2, [1, 2, 3, 4, 5, 6, 7, 8]);
    const c = upsampleConcat(coarse, skip);
    expect(c.channels).toBe(3);
    expect(Array.from(c.data)).toEqual([7, 7, 7, 7, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('input and output transforms', () => {
  it('tone-maps colour to [-0.5, 0.5) and replaces NaN/Inf', () => {
    expect(prepColor(1)).toBeCloseTo(Math.pow(0.5, 1 / 2.2) - 0.5, 12);
    expect(prepColor(0)).toBe(-0.5);
    expect(prepColor(-3)).toBe(-0.5);
    expect(prepColor(NaN)).toBe(-0.5);
    expect(prepColor(Infinity)).toBe(-0.5);
    expect(prepColor(1e30)).toBeCloseTo(0.5, 12);
    expect([prepAlbedo(1.5), prepAlbedo(-1), prepAlbedo(NaN), prepAlbedo(0.3)]).toEqual([1, 0, 0, 0.3]);
    expect([prepNormal(-2), prepNormal(Infinity), prepNormal(0.5)]).toEqual([-1, 0, 0.5]);
  });
  it('the output transform inverts the colour transform', () => {
    for (const v of [0, 1e-3, 0.18, 1, 7.5, 300]) expect(outputToLinear(prepColor(v))).toBeCloseTo(v, Math.max(2, 10 - Math.ceil(Math.log10(1 + v) * 3)));
    expect(outputToLinear(0.6)).toBeCloseTo(2 ** 20 - 1, 0); // saturates, finite
    expect(outputToLinear(-0.9)).toBe(0);
  });
});

describe('network', () => {
  const width = 37, height = 23;
  const n = width * height * 3;
  const color = new Float32Array(n).map((_, i) => (i % 7) * 0.5);
  const images = { width, height, color, albedo: new Float32Array(n).fill(0.5), normal: new Float32Array(n).fill(-0.25) };
  it('pads to a multiple of 2^levels by repeating the last row and column', () => {
    expect(paddedSize(spec, width, height)).toEqual({ width: 40, height: 24 });
    const t = preprocess(spec, images);
    expect([t.channels, t.width, t.height]).toEqual([9, 40, 24]);
    const at = (c: number, x: number, y: number) => t.data[(c * 24 + y) * 40 + x];
    expect(at(0, 39, 23)).toBe(at(0, 36, 22));
    expect(at(1, 38, 5)).toBe(at(1, 36, 5));
    // the colour is scaled by the image's autoexposure k first
    const k = exposureScale(spec.autoexposure, color, width, height);
    expect(k).not.toBe(1);
    expect(at(0, 3, 4)).toBeCloseTo(prepColor(k * color[(4 * width + 3) * 3]), 6);
    expect(at(3, 0, 0)).toBe(0.5);
    expect(at(8, 0, 0)).toBe(-0.25);
  });
  it('keeps sizes through the U-Net and crops back', () => {
    const out = forward(spec, initWeights(spec, 1), preprocess(spec, images));
    expect([out.channels, out.width, out.height]).toEqual([3, 40, 24]);
    const rgb = postprocess(spec, out, images);
    expect(rgb.length).toBe(n);
    expect(rgb.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  });
  it('rejects missing aux inputs and wrong sizes', () => {
    expect(() => preprocess(spec, { width, height, color })).toThrow(/albedo image: model 'n2n-fast' needs color \+ albedo \+ normal inputs/);
    expect(() => preprocess(spec, { ...images, normal: new Float32Array(3) })).toThrow(/normal image: has 3 values, expected 37x23x3/);
  });
});
