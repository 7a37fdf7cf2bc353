import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, parseParams } from '../../src/app/params.ts';

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
});
