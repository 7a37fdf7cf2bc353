import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  convLayers, macsPerPixel, parameterCount, parseSpec, parseSpecText, sizeMultiple, specHash, SpecError, type NetworkSpec,
} from '../../src/denoise/spec.ts';

const load = (name: string): NetworkSpec =>
  parseSpecText(readFileSync(new URL(`../../denoiser/specs/${name}.json`, import.meta.url), 'utf8'), `${name}.json`);

describe('n2n-paper spec', () => {
  const spec = load('n2n-paper');
  it('has the paper\'s parameter count (Lehtinen et al. 2018, table 2)', () => {
    // enc: 9*9*48 + 6 * 48*9*48 (+ biases); dec: 2 * 96*9*96 + 3 * (144*9*96 + 96*9*96); last: 105*9*64, 64*9*32, 32*9*3
    const hand = (9 * 9 * 48 + 48) + 6 * (48 * 9 * 48 + 48) + 2 * (96 * 9 * 96 + 96) + 3 * (144 * 9 * 96 + 96 + 96 * 9 * 96 + 96)
      + (105 * 9 * 64 + 64) + (64 * 9 * 32 + 32) + (32 * 9 * 3 + 3);
    expect(hand).toBe(997251);
    expect(parameterCount(spec)).toBe(997251);
  });
  it('has the paper\'s layer table', () => {
    const layers = convLayers(spec);
    expect(layers.map((l) => `${l.inChannels}>${l.outChannels}@${l.level}`)).toEqual([
      '9>48@0', '48>48@0', '48>48@1', '48>48@2', '48>48@3', '48>48@4', '48>48@5',
      '96>96@4', '96>96@4', '144>96@3', '96>96@3', '144>96@2', '96>96@2', '144>96@1', '96>96@1',
      '105>64@0', '64>32@0', '32>3@0',
    ]);
    expect(layers.filter((l) => l.poolBefore).map((l) => l.level)).toEqual([1, 2, 3, 4, 5]);
    expect(layers.at(-1)?.activation).toBe(false);
    expect(sizeMultiple(spec)).toBe(32);
  });
  it('counts MACs per pixel from the layer table', () => {
    // full-res convs + 1/4 + 1/16 ... : 104400 + 228096/4 + 228096/16 + 228096/64 + 186624/256 + 20736/1024
    expect(macsPerPixel(spec)).toBeCloseTo(104400 + 57024 + 14256 + 3564 + 729 + 20.25, 6);
    expect(spec.description).toContain('179,993 MACs');
  });
});

describe('n2n-fast spec', () => {
  const spec = load('n2n-fast');
  it('states its MACs per pixel and is much cheaper than the paper network', () => {
    expect(macsPerPixel(spec)).toBe(28224);
    expect(spec.description).toContain('28,224 MACs per pixel');
    expect(spec.description).toContain(`${parameterCount(spec).toLocaleString('en')} parameters`);
    expect(macsPerPixel(spec)).toBeLessThan(macsPerPixel(load('n2n-paper')) / 6);
  });
});

describe('demodulating variants', () => {
  for (const [plain, demod] of [['n2n-fast', 'n2n-fast-demod'], ['n2n-paper', 'n2n-paper-demod']]) {
    it(`${demod} is ${plain}'s layers with demodulation`, () => {
      const a = load(plain), b = load(demod);
      expect(b.demodulate).toBe(true);
      expect(a.demodulate).toBeFalsy();
      expect(convLayers(b)).toEqual(convLayers(a));
      expect(b.inputs).toEqual(a.inputs);
      expect(b.description).toContain(`${parameterCount(b).toLocaleString('en')} parameters`);
      expect(b.description).toContain(`${Math.round(macsPerPixel(b)).toLocaleString('en')} MACs per pixel`);
    });
  }
});

describe('spec validation', () => {
  const base = JSON.parse(readFileSync(new URL('../../denoiser/specs/n2n-fast.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const bad = (patch: Record<string, unknown>) => () => parseSpec({ ...base, ...patch }, 'my.json');
  it('names the file and the field', () => {
    expect(bad({ encoder: [[32], [0]] })).toThrow(/^my\.json: encoder\[1\]\[0\] must be an integer channel count/);
    expect(bad({ decoder: [[32]] })).toThrow(/my\.json: decoder must have one entry per pooled level \(3/);
    expect(bad({ inputs: ['albedo', 'color'] })).toThrow(/inputs\[0\] must be "color"/);
    expect(bad({ inputs: ['color', 'depth'] })).toThrow(/inputs\[1\] must be one of color, albedo, normal/);
    expect(bad({ version: 2 })).toThrow(/unsupported version 2/);
    expect(bad({ outputChannels: 4 })).toThrow(/outputChannels must be 3/);
    expect(bad({ extra: 1 })).toThrow(/unknown field 'extra'/);
    expect(() => parseSpecText('{', 'x.json')).toThrow(SpecError);
    expect(() => parseSpecText('{', 'x.json')).toThrow(/^x\.json: invalid JSON/);
  });
  it('hashes the architecture, not the name or description', () => {
    const a = parseSpec(base, 'a');
    expect(specHash(parseSpec({ ...base, name: 'other', description: 'x' }, 'b'))).toBe(specHash(a));
    expect(specHash(parseSpec({ ...base, leakySlope: 0.2 }, 'c'))).not.toBe(specHash(a));
    expect(specHash(a)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('built-in specs', () => {
  it('bundles the shipped JSON files under their names', async () => {
    const { BUILTIN_SPECS, builtinSpec } = await import('../../src/denoise/specs.ts');
    expect(Object.keys(BUILTIN_SPECS).sort()).toEqual(['n2n-fast', 'n2n-fast-demod', 'n2n-paper', 'n2n-paper-demod']);
    expect(specHash(builtinSpec('n2n-paper'))).toBe(specHash(load('n2n-paper')));
    expect(() => builtinSpec('oidn')).toThrow(/oidn: no built-in network of that name \(available: n2n-paper, n2n-fast, n2n-fast-demod, n2n-paper-demod\)/);
  });
});
