import { describe, expect, it } from 'vitest';
import { wholeNumber } from '../../src/app/controls.ts';

describe('number fields', () => {
  it('reference spp and denoise every take whole numbers within the URL parameters\' ranges', () => {
    expect(wholeNumber('reference spp', '1024', 1, 1 << 20)).toEqual({ value: 1024 });
    expect(wholeNumber('reference spp', ' 16 ', 1, 1 << 20)).toEqual({ value: 16 });
    for (const bad of ['', '0', '-4', '2.5', '1e9', '1000000000', 'abc', '0x10']) {
      expect(wholeNumber('reference spp', bad, 1, 1 << 20), bad).toEqual({ error: `reference spp: expected a whole number from 1 to 1048576, got '${bad}'` });
    }
  });
});
