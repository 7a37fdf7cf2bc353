import { describe, expect, it } from 'vitest';
import { Reference } from '../../src/app/reference.ts';

const image = (w: number, h: number) => ({ width: w, height: h, channels: 3 as const, data: new Float32Array(w * h * 3) });

describe('Reference', () => {
  it('a loaded file must match the render size; discard() reports whether there was one', () => {
    const r = new Reference();
    expect(r.state).toBe('none');
    expect(() => r.setFile('ref.exr', image(4, 2), 4, 4)).toThrow('ref.exr: the reference is 4x2 but the render is 4x4');
    expect(r.state).toBe('none');
    r.setFile('ref.exr', image(4, 4), 4, 4);
    expect([r.state, r.result?.source, r.spp, r.pending]).toEqual(['ready', 'file', 0, false]);
    expect(r.discard()).toBe(true);
    expect(r.discard()).toBe(false);
    expect(r.state).toBe('none');
  });

  it('a loaded file with a NaN or infinite pixel is refused, naming the file and the pixel; the reference is unchanged', () => {
    const r = new Reference();
    const good = image(4, 4);
    r.setFile('good.exr', good, 4, 4);
    for (const v of [NaN, Infinity, -Infinity]) {
      const bad = image(4, 4);
      bad.data[3 * (2 * 4 + 1) + 1] = v;
      expect(() => r.setFile('bad.exr', bad, 4, 4)).toThrow(`bad.exr: the reference has a non-finite value (${v}) at pixel (1, 2); a reference must be finite`);
      expect([r.state, r.result?.name, r.result?.image]).toEqual(['ready', 'good.exr', good]);
    }
  });
});
