import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, parseParams, readParams } from '../../src/app/params.ts';

describe('app URL parameters', () => {
  it('defaults, and the reference and denoise settings', () => {
    expect(parseParams('')).toEqual(DEFAULT_PARAMS);
    expect(parseParams('?size=64x32&spp=4&ref-spp=256&denoise=1&denoise-every=2')).toMatchObject({
      width: 64, height: 32, targetSpp: 4, referenceSpp: 256, denoise: true, denoiseEvery: 2,
    });
  });

  it('denoiser picks the app denoiser; auto when left out', () => {
    expect(parseParams('').denoiser).toBe('auto');
    expect(parseParams('?denoiser=n2n').denoiser).toBe('n2n');
    expect(parseParams('?denoiser=n2n-paper-demod').denoiser).toBe('n2n-paper-demod');
    expect(parseParams('?denoiser=atrous').denoiser).toBe('atrous');
    expect(parseParams('?denoiser=bilateral').denoiser).toBe('bilateral');
    expect(() => parseParams('?denoiser=nlm')).toThrow(/^URL parameter denoiser=nlm: expected one of auto, n2n, n2n-fast-demod, n2n-paper-demod, atrous, bilateral, oidn$/);
    expect(() => parseParams('?denoiser=')).toThrow(/denoiser=: expected one of/);
  });

  it('ensemble sets the final denoise\'s self-ensemble: 1, 2, 4 or 8, default 1', () => {
    expect(parseParams('').ensemble).toBe(1);
    expect(parseParams('?ensemble=8').ensemble).toBe(8);
    expect(parseParams('?ensemble=2').ensemble).toBe(2);
    expect(() => parseParams('?ensemble=3')).toThrow(/^URL parameter ensemble=3: expected one of 1, 2, 4, 8$/);
    expect(() => parseParams('?ensemble=16')).toThrow(/^URL parameter ensemble=16: expected a whole number from 1 to 8$/);
  });

  it('emission sets the denoiser\'s emission separation: rays per pixel, default 32, 0 off', () => {
    expect(parseParams('').emissionSpp).toBe(32);
    expect(parseParams('?emission=0').emissionSpp).toBe(0);
    expect(parseParams('?emission=64').emissionSpp).toBe(64);
    expect(() => parseParams('?emission=-1')).toThrow(/^URL parameter emission=-1: expected a whole number from 0 to 65536$/);
  });

  it('a bad value names the parameter', () => {
    expect(() => parseParams('?ref-spp=0')).toThrow(/ref-spp=0: expected a whole number from 1/);
    expect(() => parseParams('?denoise=yes')).toThrow(/denoise=yes/);
    expect(() => parseParams('?scene=nope')).toThrow(/scene=nope: no built-in scene/);
  });

  it('only decimal whole numbers: empty, hex, exponent, fractional and NaN values are refused', () => {
    for (const bad of ['', ' ', '0x10', '0b11', '0o7', '1e3', '4.0', '4.5', 'NaN', 'Infinity', '-0x1', '+', '%ZZ']) {
      expect(() => parseParams(`?spp=${encodeURIComponent(bad)}`), `spp=${bad}`).toThrow(/^URL parameter spp=.*: expected a whole number from 1 to 1048576$/);
    }
    expect(() => parseParams('?seed=')).toThrow(/^URL parameter seed=: expected a whole number/);
    expect(() => parseParams('?max-depth=')).toThrow(/^URL parameter max-depth=: expected a whole number/);
    expect(() => parseParams('?emission=')).toThrow(/^URL parameter emission=: expected a whole number/);
    expect(() => parseParams('?spp=1000000000')).toThrow(/spp=1000000000: expected a whole number from 1 to 1048576/);
    expect(() => parseParams('?size=100000')).toThrow(/size=100000: expected N or WxH/);
    expect(parseParams('?spp=%204%20').targetSpp).toBe(4);
  });

  it('a parameter given twice or an unknown parameter is refused', () => {
    expect(() => parseParams('?spp=4&spp=8')).toThrow(/^URL parameter spp is given 2 times \(4, 8\): give it once$/);
    expect(() => parseParams('?scene=cornell-box&scene=cornell-box')).toThrow(/scene is given 2 times/);
    expect(() => parseParams('?sp=4')).toThrow(/^URL parameter sp: unknown \(known: scene, size, spp,/);
  });

  it('readParams reports every bad parameter and uses its default, so the app still starts', () => {
    const q = '?spp=1e9&size=100000&scene=nope&denoiser=nlm&ensemble=3&seed=0x10&max-depth=&spp2=1&denoise-every=4&denoise-every=8&emission=-1';
    const { params, problems } = readParams(q);
    expect(params).toEqual(DEFAULT_PARAMS);
    expect(problems).toEqual([
      'URL parameter spp2: unknown (known: scene, size, spp, seed, max-depth, ref-spp, denoise, denoise-every, denoiser, ensemble, emission)',
      `URL parameter scene=nope: no built-in scene by that name (using ${DEFAULT_PARAMS.scene})`,
      'URL parameter size=100000: expected N or WxH with sides from 1 to 4096 (using 256x256)',
      'URL parameter denoiser=nlm: expected one of auto, n2n, n2n-fast-demod, n2n-paper-demod, atrous, bilateral, oidn (using auto)',
      'URL parameter ensemble=3: expected one of 1, 2, 4, 8 (using 1)',
      'URL parameter spp=1e9: expected a whole number from 1 to 1048576 (using 256)',
      'URL parameter seed=0x10: expected a whole number from 0 to 4294967295 (using 0)',
      'URL parameter max-depth=: expected a whole number from 0 to 64 (using 8)',
      'URL parameter denoise-every is given 2 times (4, 8): give it once (using 8)',
      'URL parameter emission=-1: expected a whole number from 0 to 65536 (using 32)',
    ]);
    // good parameters beside bad ones are kept
    expect(readParams('?spp=4&seed=x')).toEqual({ params: { ...DEFAULT_PARAMS, targetSpp: 4 }, problems: ['URL parameter seed=x: expected a whole number from 0 to 4294967295 (using 0)'] });
    expect(readParams('?size=64x32&spp=4')).toEqual({ params: { ...DEFAULT_PARAMS, width: 64, height: 32, targetSpp: 4 }, problems: [] });
  });

  it('percent-encoded junk is shown escaped and cut short, never thrown', () => {
    const { params, problems } = readParams(`?scene=%E0%A4%A&denoiser=a%0Ab&spp=${'9'.repeat(500)}&%00=1`);
    expect(params).toEqual(DEFAULT_PARAMS);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^URL parameter "\\u0000": unknown/);
    expect(problems[2]).toBe('URL parameter denoiser="a\\nb": expected one of auto, n2n, n2n-fast-demod, n2n-paper-demod, atrous, bilateral, oidn (using auto)');
    expect(problems[3]).toBe(`URL parameter spp=${'9'.repeat(40)}…: expected a whole number from 1 to 1048576 (using 256)`);
    for (const p of problems) expect(p).not.toMatch(/[\n\u0000]/);
  });
});
