// `tracelab validate`: the validation set's scores as the training run computes them (same references through the
// reference cache, the runtime denoiser instead of the trainer's inference), cached references on the second run,
// the self-ensemble, and bad input failing cleanly.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { decodeWeights } from '../../src/denoise/weights.ts';
import { psnrFromMse } from '../../src/metrics/index.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { NetworkTrainer } from '../../src/train/trainer.ts';
import { buildValidationSet, validate } from '../../src/train/validation.ts';
import { cliRunner, expectCleanFailure, type CliRun } from '../support/cli.ts';

const WEIGHTS = new URL('../../denoiser/weights/n2n-fast.bin', import.meta.url).pathname;
const OPTS = ['--scenes', '2', '--size', '32', '--spp', '4,16', '--ref-spp', '48', '--cache', 'refs'];
let dir: string;
let gpu: GpuContext;
let run: (...args: string[]) => Promise<CliRun>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tracelab-validate-'));
  run = cliRunner(dir);
  gpu = await createNodeGpuContext();
});
afterAll(async () => {
  gpu?.destroy();
  await rm(dir, { recursive: true, force: true });
});

interface Doc {
  format: string;
  model: string;
  ensemble: number;
  scores: { spp: number; noisy: number; denoised: number }[];
  images: { name: string; spp: number; noisy: number; denoised: number; referenceCeiling: number; referenceSpp: number }[];
  estimatedAgainstConverged: { spp: number; noisy: number; denoised: number; referenceShare: number }[];
}

describe('tracelab validate', () => {
  it('scores as the training run does: the same references, noisy inputs and (to float rounding) the same network', async () => {
    const r = await run('validate', '--model', 'n2n-fast', ...OPTS, '--json', 'v.json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/reference procedural-70000000: rendered .*48 spp/);
    expect(r.stdout).toMatch(/validation set: 2 scenes \(procedural-70000000 \.\.\. procedural-70000001\), 32x32, references 48 spp/);
    expect(r.stdout).toMatch(/^ {5}4 spp: noisy [\d.]+ dB -> denoised [\d.]+ dB \([+-][\d.]+ dB\)$/m);
    const doc = JSON.parse(await readFile(join(dir, 'v.json'), 'utf8')) as Doc;
    // the per-scene table prints the JSON's per-image scores, one row a scene, one column an spp
    for (const name of ['procedural-70000000', 'procedural-70000001']) {
      const at = doc.images.filter((i) => i.name === name);
      const cells = at.map((i) => `${i.noisy.toFixed(2)} -> ${i.denoised.toFixed(2)}`);
      expect(r.stdout).toMatch(new RegExp(`^  ${name} +${cells.join(' +')} +${at[0].referenceCeiling.toFixed(2)}$`, 'm'));
    }
    // the estimate against the converged images removes the reference's noise: every score goes up, none past the ceiling
    expect(doc.estimatedAgainstConverged.map((e) => e.spp)).toEqual([4, 16]);
    for (const e of doc.estimatedAgainstConverged) {
      const measured = doc.scores.find((s) => s.spp === e.spp)!;
      expect(e.noisy).toBeGreaterThan(measured.noisy);
      expect(e.denoised).toBeGreaterThan(measured.denoised);
      expect(e.referenceShare).toBeGreaterThan(0);
      expect(e.referenceShare).toBeLessThan(1);
      expect(r.stdout).toContain(`${String(e.spp).padStart(4)} spp: noisy ${e.noisy.toFixed(2)} dB -> denoised ${e.denoised.toFixed(2)} dB`);
    }
    expect(doc).toMatchObject({ format: 'tracelab-validation', model: 'n2n-fast', ensemble: 1 });
    expect(doc.images.map((i) => `${i.name}@${i.spp}`)).toEqual(['procedural-70000000@4', 'procedural-70000000@16', 'procedural-70000001@4', 'procedural-70000001@16']);

    // the training run's own validation: references rendered in one go, the trainer's inference
    const spec = builtinSpec('n2n-fast');
    const weights = decodeWeights(spec, new Uint8Array(await readFile(WEIGHTS)), WEIGHTS);
    const set = await buildValidationSet(gpu, { scenes: 2, size: 32, spp: [4, 16], referenceSpp: 48, maxDepth: 8 });
    const trainer = await NetworkTrainer.create(gpu, { spec, loss: 'hdr', batch: 1, crop: 32, weights });
    try {
      const mine = await validate(trainer, set);
      expect(doc.scores.map((s) => s.spp)).toEqual(mine.map((s) => s.spp));
      for (const [i, s] of mine.entries()) {
        // the same samples: the noisy PSNR agrees to float summation order of the reference
        expect(Math.abs(doc.scores[i].noisy - s.noisy)).toBeLessThan(1e-3);
        // runtime vs trainer inference: f32 rounding differences only
        expect(Math.abs(doc.scores[i].denoised - s.denoised)).toBeLessThan(0.01);
      }
      // the same reference samples: the same noise floor (ceiling) from the cache's moments and the render's own
      for (const [i, v] of set.entries()) {
        expect(Math.abs(doc.images[i].referenceCeiling - psnrFromMse(v.referenceNoiseMse))).toBeLessThan(1e-3);
        expect([v.referenceSpp, doc.images[i].referenceSpp]).toEqual([48, 48]);
      }
      // a denoiser that does something: the shipped weights change the score (random ones would too, but not to this)
      expect(mine.every((s) => Math.abs(s.denoised - s.noisy) > 0.05)).toBe(true);
    } finally {
      trainer.destroy();
    }
  }, 120_000);

  it('uses the cached references on the next run, and scores the self-ensemble', async () => {
    // --size as WxH, as the other commands take it: the same square set, so the same cached references
    const opts = OPTS.map((o, i) => (OPTS[i - 1] === '--size' ? `${o}x${o}` : o));
    const r = await run('validate', '--model', 'n2n-fast', ...opts, '--ensemble', '8', '--json', 'v8.json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/reference procedural-70000000: cached, 48 spp/);
    expect(r.stderr).toMatch(/reference procedural-70000001: cached, 48 spp/);
    expect(r.stdout).toMatch(/model n2n-fast \(self-ensemble of 8\)/);
    const one = JSON.parse(await readFile(join(dir, 'v.json'), 'utf8')) as Doc;
    const eight = JSON.parse(await readFile(join(dir, 'v8.json'), 'utf8')) as Doc;
    expect(eight.ensemble).toBe(8);
    expect(eight.images.map((i) => i.noisy)).toEqual(one.images.map((i) => i.noisy));
    // a different computation (mean of 8 transformed passes), not the single pass again
    expect(eight.images.some((e, i) => Math.abs(e.denoised - one.images[i].denoised) > 1e-4)).toBe(true);
  }, 120_000);

  it('--cache none renders the references in memory: the same scores as the cached ones, and no directory named none', async () => {
    const r = await run('validate', '--model', 'n2n-fast', ...OPTS.slice(0, -2), '--cache', 'none', '--json', 'vn.json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/reference procedural-7000000\d: cached/);
    expect(existsSync(join(dir, 'none'))).toBe(false);
    const cached = JSON.parse(await readFile(join(dir, 'v.json'), 'utf8')) as Doc;
    const mem = JSON.parse(await readFile(join(dir, 'vn.json'), 'utf8')) as Doc;
    // the same reference samples (float summation order aside): the same scores
    expect(mem.images.map((i) => `${i.name}@${i.spp}`)).toEqual(cached.images.map((i) => `${i.name}@${i.spp}`));
    for (const [i, e] of mem.images.entries()) {
      expect(Math.abs(e.noisy - cached.images[i].noisy)).toBeLessThan(1e-3);
      expect(Math.abs(e.denoised - cached.images[i].denoised)).toBeLessThan(1e-3);
    }
  }, 120_000);

  it('--emission-spp: the same noisy inputs, the network on them without their first-hit emission', async () => {
    const r = await run('validate', '--model', 'n2n-fast', ...OPTS, '--emission-spp', '8', '--json', 've.json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/references 48 spp, max depth \d+, emission separated \(anti-aliased with 8 rays per pixel\)/);
    const one = JSON.parse(await readFile(join(dir, 'v.json'), 'utf8')) as Doc;
    const sep = JSON.parse(await readFile(join(dir, 've.json'), 'utf8')) as Doc & { settings: { emissionSpp?: number } };
    expect(sep.settings.emissionSpp).toBe(8);
    expect(sep.images.map((i) => i.noisy)).toEqual(one.images.map((i) => i.noisy));
    // scene 1 is outdoors: the sky it sees directly is separated, so its denoised scores change
    expect(sep.images.some((e, i) => Math.abs(e.denoised - one.images[i].denoised) > 1e-3)).toBe(true);
    expectCleanFailure(await run('validate', '--model', 'n2n-fast', '--emission-spp', '-2'), /--emission-spp must be between 0 and 65536, got -2/, 2);
  }, 120_000);

  it('--local-mean off scores the network without the local mean correction: the same inputs, other scores', async () => {
    const r = await run('validate', '--model', 'n2n-fast', ...OPTS, '--local-mean', 'off', '--json', 'vo.json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/model n2n-fast without the local mean correction: mean PSNR/);
    const one = JSON.parse(await readFile(join(dir, 'v.json'), 'utf8')) as Doc & { localMean: boolean };
    const off = JSON.parse(await readFile(join(dir, 'vo.json'), 'utf8')) as Doc & { localMean: boolean };
    expect([one.localMean, off.localMean]).toEqual([true, false]);
    expect(off.images.map((i) => i.noisy)).toEqual(one.images.map((i) => i.noisy));
    expect(off.images.some((e, i) => Math.abs(e.denoised - one.images[i].denoised) > 1e-3)).toBe(true);
    expectCleanFailure(await run('validate', '--model', 'n2n-fast', '--local-mean', 'maybe'), /--local-mean must be one of on, off/, 2);
  }, 120_000);

  it('fails cleanly on bad input', async () => {
    await writeFile(join(dir, 'bad.bin'), new Uint8Array(12));
    expectCleanFailure(await run('validate'), /validate needs --model/, 2);
    expectCleanFailure(await run('validate', '--model', 'n2n-fast', '--scenes', '9'), /--scenes must be between 1 and 8, got 9/, 2);
    expectCleanFailure(await run('validate', '--model', 'n2n-fast', '--size', '64x32'), /--size must be square \(one side, e.g. 256, or 256x256\), got '64x32'/, 2);
    expectCleanFailure(await run('validate', '--model', 'n2n-fast', '--size', '4x4'), /--size must be between 8 and 4096, got 4/, 2);
    expectCleanFailure(await run('validate', '--model', 'n2n-fast', '--spp', '4,x'), /--spp must list whole numbers/, 2);
    expectCleanFailure(await run('validate', '--model', 'n2n-fast', '--ensemble', '3'), /--ensemble must be one of 1, 2, 4, 8/, 2);
    expectCleanFailure(await run('validate', '--model', 'n2n-fast', '--json', 'scores.txt'), /--json must name a \.json file/, 2);
    expectCleanFailure(await run('validate', '--model', 'n2n-fast', '--weights', 'bad.bin'), /bad\.bin/);
    expectCleanFailure(await run('validate', '--model', 'n2n-huge'), /--model 'n2n-huge' is not a built-in network/, 2);
    // a cache that cannot be made fails before the references are rendered, not after
    await writeFile(join(dir, 'a-file'), 'x');
    const r = await run('validate', '--model', 'n2n-fast', ...OPTS.slice(0, -2), '--cache', 'a-file/refs');
    expectCleanFailure(r, /--cache a-file\/refs: cannot be created as a directory \(it or one of its parents is a file, ENOTDIR\)/, 2);
    expect(r.stderr).not.toMatch(/adapter:|reference procedural/);
    const j = await run('validate', '--model', 'n2n-fast', ...OPTS, '--json', 'a-file/scores.json');
    expectCleanFailure(j, /--json a-file\/scores\.json: cannot be written there \(\S*a-file is a file\)/, 2);
    expect(j.stderr).not.toMatch(/adapter:/);
  }, 60_000);
});
