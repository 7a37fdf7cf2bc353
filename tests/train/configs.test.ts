// Every shipped training config parses, names a built-in spec, and its `init` weights (if any) start that spec.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { parseTrainConfig } from '../../src/train/config.ts';
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
