// Every shipped training config parses, names a built-in spec, and its `init` weights (if any) start that spec.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { parseTrainConfig } from '../../src/train/config.ts';
import { decodeWeights } from '../../src/denoise/weights.ts';
import { decodeInitWeights } from '../../src/train/init.ts';

const files = readdirSync('denoiser/configs').filter((f) => f.endsWith('.json'));

describe('shipped training configs', () => {
  it('are there', () => expect(files.length).toBeGreaterThanOrEqual(4));
  for (const f of files) {
    it(f, () => {
      const path = `denoiser/configs/${f}`;
      const cfg = parseTrainConfig(JSON.parse(readFileSync(path, 'utf8')), path);
      expect(`${cfg.name}.json`).toBe(f);
      const spec = builtinSpec(cfg.spec);
      if (cfg.init !== undefined) expect(decodeInitWeights(spec, new Uint8Array(readFileSync(cfg.init)), cfg.init).weights).toBeDefined();
    });
  }
});

describe('shipped weights', () => {
  it('each file in denoiser/weights matches the built-in spec of its name', () => {
    const names = readdirSync('denoiser/weights').filter((f) => f.endsWith('.bin'));
    expect(names).toEqual(expect.arrayContaining(['n2n-fast.bin', 'n2n-fast-demod.bin', 'n2n-paper-demod.bin']));
    for (const f of names) {
      const w = decodeWeights(builtinSpec(f.replace(/\.bin$/, '')), new Uint8Array(readFileSync(`denoiser/weights/${f}`)), f);
      expect(Object.values(w).every((l) => l.weight.every(Number.isFinite))).toBe(true);
    }
  });
});
