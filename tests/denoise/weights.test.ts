import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convLayers, parseSpecText } from '../../src/denoise/spec.ts';
import { decodeWeights, encodeWeights, initWeights, WeightsError } from '../../src/denoise/weights.ts';

const spec = parseSpecText(readFileSync(new URL('../../denoiser/specs/n2n-fast.json', import.meta.url), 'utf8'), 'n2n-fast.json');
const paper = parseSpecText(readFileSync(new URL('../../denoiser/specs/n2n-paper.json', import.meta.url), 'utf8'), 'n2n-paper.json');

describe('weights file', () => {
  const w = initWeights(spec, 7);
  w['out'].bias.set([0.25, -0.5, 1e-3]);
  it('round-trips float32 exactly', () => {
    const back = decodeWeights(spec, encodeWeights(spec, w, 'f32'), 'w.bin');
    for (const l of convLayers(spec)) {
      expect(back[l.name].weight).toEqual(w[l.name].weight);
      expect(back[l.name].bias).toEqual(w[l.name].bias);
    }
  });
  it('stores float16 to half precision (relative error <= 2^-11)', () => {
    const bytes = encodeWeights(spec, w, 'f16');
    expect(bytes.byteLength).toBeLessThan(encodeWeights(spec, w, 'f32').byteLength * 0.55);
    const back = decodeWeights(spec, bytes, 'w16.bin');
    const a = w['dec1.0'].weight, b = back['dec1.0'].weight;
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(Math.abs(a[i]) * 2 ** -11 + 2 ** -25);
  });
  it('He init is seeded and has std sqrt(2 / (1.01 fan_in))', () => {
    expect(initWeights(spec, 7)['enc1.0'].weight).toEqual(w['enc1.0'].weight);
    expect(initWeights(spec, 8)['enc1.0'].weight).not.toEqual(w['enc1.0'].weight);
    const big = initWeights(paper, 3)['dec3.0'].weight; // 144*9*96 = 124416 samples
    const std = Math.sqrt(big.reduce((s, v) => s + v * v, 0) / big.length);
    const expected = Math.sqrt(2 / (1.01 * 144 * 9));
    // std of the sample std is about expected / sqrt(2n): allow 5 sigma
    expect(Math.abs(std - expected)).toBeLessThan((5 * expected) / Math.sqrt(2 * big.length));
  });
  it('rejects a bad magic, version, spec hash, truncation, extra bytes, names and shapes', () => {
    const good = encodeWeights(spec, w);
    const patched = (f: (b: Uint8Array, v: DataView) => void): Uint8Array => {
      const b = good.slice();
      f(b, new DataView(b.buffer));
      return b;
    };
    const read = (b: Uint8Array) => () => decodeWeights(spec, b, 'model.bin');
    expect(read(patched((b) => b.set([0x50, 0x4b, 3, 4], 0)))).toThrow(/^model\.bin: not a tracelab weights file \(magic "PK/);
    expect(read(patched((_, v) => v.setUint32(4, 9, true)))).toThrow(/model\.bin: unsupported weights version 9/);
    expect(() => decodeWeights(paper, good, 'model.bin')).toThrow(/model\.bin: weights were made for a different network \(spec hash [0-9a-f]{16}, 'n2n-paper' has/);
    expect(read(good.subarray(0, 12))).toThrow(/model\.bin: truncated: the header needs 20 bytes, the file has 12/);
    expect(read(good.subarray(0, good.length - 6))).toThrow(/model\.bin: truncated: the data of tensor 'out\.bias'/);
    expect(read(good.subarray(0, 40))).toThrow(/model\.bin: truncated/);
    const longer = new Uint8Array(good.length + 8);
    longer.set(good);
    expect(read(longer)).toThrow(/model\.bin: has 8 unexpected bytes after the last tensor/);
    // first table entry: u16 length 13 "enc0.0.weight", dtype, rank 4, dims 32, 9, 3, 3
    expect(read(patched((b) => b.set(new TextEncoder().encode('enc0.0.wEight'), 22)))).toThrow(/tensor 0 is 'enc0\.0\.wEight', expected 'enc0\.0\.weight'/);
    expect(read(patched((_, v) => v.setUint32(22 + 13 + 2 + 4, 8, true)))).toThrow(/tensor 'enc0\.0\.weight' has shape \[32, 8, 3, 3\], expected \[32, 9, 3, 3\]/);
    expect(read(patched((_, v) => v.setUint8(22 + 13, 5)))).toThrow(/unknown dtype code 5/);
    // a name that is not UTF-8: a WeightsError naming the file, not the decoder's bare TypeError
    expect(read(patched((b) => (b[22] = 0xff)))).toThrow(/^model\.bin: tensor 0's name is not UTF-8/);
    expect(read(patched((b) => (b[22] = 0xff)))).toThrow(WeightsError);
    expect(read(patched((b) => b.fill(0)))).toThrow(WeightsError);
  });
  it('rejects in-memory weights of the wrong size', () => {
    const broken = { ...w, 'dec0.1': { weight: new Float32Array(5), bias: w['dec0.1'].bias } };
    expect(() => encodeWeights(spec, broken)).toThrow(/layer 'dec0\.1' weight has 5 values, expected 4608 \(\[16, 32, 3, 3\]\)/);
  });
});
