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
});
