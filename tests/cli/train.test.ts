// `tracelab train`: a tiny run end to end (weights usable by the runtime, log, checkpoint, resume is a no-op when
// done, validation references through the reference cache), and bad input failing cleanly.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { decodeWeights, encodeWeights, initWeights } from '../../src/denoise/weights.ts';
import { fittedSteps } from '../../src/cli/train.ts';
import { cliRunner, expectCleanFailure, type CliRun } from '../support/cli.ts';

const CONFIG = new URL('../fixtures/train/tiny.json', import.meta.url).pathname;
let dir: string;
let run: (...args: string[]) => Promise<CliRun>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tracelab-train-'));
  run = cliRunner(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('tracelab train', () => {
  it('trains the tiny config and writes weights the runtime loads', async () => {
    const r = await run('train', '--config', CONFIG, '--out', 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^done: step 6\/6/m);
    expect(r.stdout).toMatch(/validation PSNR: 4 spp [\d.]+ -> [\d.]+ dB/);
    expect(r.stderr).toMatch(/validation at step 3: 4 spp/);
    expect(r.stderr).toMatch(/training pairs: 2 in [\d.]+ s \([\d.]+ ms each: waiting for scenes [\d.]+ s, tracers [\d.]+ s, rendering [\d.]+ s, read-back [\d.]+ s, preparation [\d.]+ s, other [\d.]+ s\); validation scenes [\d.]+ s/);
    // The validation reference went to the reference cache (the default .cache/references, under the working directory).
    expect(r.stderr).toMatch(/reference procedural-70000000: rendered \([\d.]+s\), 64 spp/);
    const w = decodeWeights(builtinSpec('n2n-fast'), new Uint8Array(await readFile(join(dir, 'run', 'n2n-fast.bin'))), 'n2n-fast.bin');
    expect(Object.keys(w)).toContain('out');
    const log = JSON.parse(await readFile(join(dir, 'run', 'log.json'), 'utf8'));
    expect(log.format).toBe('tracelab-train-log');
    expect(log.loss).toHaveLength(6);
    expect(log.sessions.map((x: { validationReferenceSpp: number[] }) => x.validationReferenceSpp)).toEqual([[64]]);
    // Running again finds the finished checkpoint and trains nothing more; it writes the run's weights and log
    // again from the checkpoint, the same bytes, so a deleted weights file or a damaged log comes back.
    const [weightsBytes, logText] = [await readFile(join(dir, 'run', 'n2n-fast.bin')), await readFile(join(dir, 'run', 'log.json'), 'utf8')];
    await rm(join(dir, 'run', 'n2n-fast.bin'));
    await writeFile(join(dir, 'run', 'log.json'), '{ "loss": ');
    const again = await run('train', '--config', CONFIG, '--out', 'run');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^done: step 6\/6/m);
    expect((await readFile(join(dir, 'run', 'n2n-fast.bin'))).equals(weightsBytes)).toBe(true);
    expect(await readFile(join(dir, 'run', 'log.json'), 'utf8')).toBe(logText);
  }, 90_000);

  it('starts from given weights (init): step 0 validates as the run that made them ended', async () => {
    const base = JSON.parse(await readFile(CONFIG, 'utf8'));
    await writeFile(join(dir, 'init.json'), JSON.stringify({ ...base, name: 'tiny-init', steps: 2, init: join('run', 'n2n-fast.bin') }));
    const first = JSON.parse(await readFile(join(dir, 'run', 'log.json'), 'utf8'));
    const end = first.validation.at(-1).scores[0];
    const r = await run('train', '--config', 'init.json', '--out', 'run-init');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/reference procedural-70000000: cached, 64 spp/);
    const log = JSON.parse(await readFile(join(dir, 'run-init', 'log.json'), 'utf8'));
    expect(log.sessions[0].validationReferenceSpp).toEqual([64]);
    expect(log.validation[0].step).toBe(0);
    expect(log.validation[0].scores[0].denoised).toBeCloseTo(end.denoised, 6);
    await writeFile(join(dir, 'init-missing.json'), JSON.stringify({ ...base, init: 'nope.bin' }));
    expectCleanFailure(await run('train', '--config', 'init-missing.json', '--out', 'x'), /init-missing\.json: 'init' weights nope\.bin cannot be read \(ENOENT\)/);
    await writeFile(join(dir, 'paper.bin'), new Uint8Array(16));
    await writeFile(join(dir, 'init-bad.json'), JSON.stringify({ ...base, init: 'paper.bin' }));
    expectCleanFailure(await run('train', '--config', 'init-bad.json', '--out', 'x'), /paper\.bin: /);
  }, 90_000);

  it('builds the training scenes on worker threads into the same weights as on the main thread', async () => {
    const base = JSON.parse(await readFile(CONFIG, 'utf8'));
    await writeFile(join(dir, 'threads.json'), JSON.stringify({ ...base, name: 'threads', steps: 2, data: { ...base.data, scenes: 5 } }));
    const r0 = await run('train', '--config', 'threads.json', '--out', 'threads-0', '--data-threads', '0', '--cache', 'none');
    expect(r0.code, r0.stderr).toBe(0);
    expect(r0.stderr).not.toMatch(/reference procedural/);
    const r2 = await run('train', '--config', 'threads.json', '--out', 'threads-2', '--data-threads', '2');
    expect(r2.code, r2.stderr).toBe(0);
    const a = await readFile(join(dir, 'threads-0', 'n2n-fast.bin'));
    const b = await readFile(join(dir, 'threads-2', 'n2n-fast.bin'));
    expect(b.equals(a)).toBe(true);
    // The in-memory reference (--cache none) and the cached one are the same samples: same scores to float rounding.
    const scores = async (d: string) => JSON.parse(await readFile(join(dir, d, 'log.json'), 'utf8')).validation[0].scores[0];
    const [s0, s2] = [await scores('threads-0'), await scores('threads-2')];
    expect(Math.abs(s0.noisy - s2.noisy)).toBeLessThan(1e-3);
    expect(Math.abs(s0.denoised - s2.denoised)).toBeLessThan(1e-3);
    expectCleanFailure(await run('train', '--config', 'threads.json', '--data-threads', 'many'), /--data-threads must be a whole number/, 2);
  }, 90_000);

  it('samples the batches on worker threads, and renders pairs three at a time, into the same weights as one at a time on the main thread', async () => {
    const base = JSON.parse(await readFile(CONFIG, 'utf8'));
    await writeFile(join(dir, 'batches.json'), JSON.stringify({ ...base, name: 'batches', steps: 5, data: { ...base.data, scenes: 3 } }));
    const args = ['train', '--config', 'batches.json', '--data-threads', '0', '--cache', 'none'];
    const r0 = await run(...args, '--out', 'batches-0', '--batch-threads', '0');
    expect(r0.code, r0.stderr).toBe(0);
    expect(r0.stderr).not.toMatch(/batches sampled on/);
    expect(r0.stderr).toMatch(/training pairs: 3 in [\d.]+ s \([\d.]+ ms each: waiting/); // one in flight on a software adapter
    const r2 = await run(...args, '--out', 'batches-2', '--batch-threads', '2', '--pairs-in-flight', '3');
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toMatch(/batches sampled on 2 worker threads/);
    expect(r2.stderr).toMatch(/training pairs: 3 in [\d.]+ s \([\d.]+ ms each, 3 in flight; summed over the pairs: waiting for scenes/);
    const a = await readFile(join(dir, 'batches-0', 'n2n-fast.bin'));
    const b = await readFile(join(dir, 'batches-2', 'n2n-fast.bin'));
    expect(b.equals(a)).toBe(true);
    expectCleanFailure(await run('train', '--config', 'batches.json', '--batch-threads', '-1'), /--batch-threads must be/, 2);
    expectCleanFailure(await run('train', '--config', 'batches.json', '--pairs-in-flight', '0'), /--pairs-in-flight must be between 1 and 64, got 0/, 2);
  }, 90_000);

  it('--fit-seconds / --fit-rate size a new run to the time left and write the steps into its config; a rerun is the same run', async () => {
    const base = JSON.parse(await readFile(CONFIG, 'utf8'));
    await writeFile(join(dir, 'fit.json'), JSON.stringify({ ...base, name: 'fit', $comment: 'kept' }));
    // 0.01 steps/s for ~500 s, 93% of it: 4 steps (data take a second or two here)
    const r = await run('train', '--config', 'fit.json', '--out', 'fit', '--cache', 'none', '--fit-seconds', '500', '--fit-rate', '0.01');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/fitted to the time left: 4 steps, validation every 2 \(written to the config\)/);
    expect(r.stdout).toMatch(/^done: step 4\/4/m);
    const written = JSON.parse(await readFile(join(dir, 'fit.json'), 'utf8'));
    expect(written).toEqual({ ...base, name: 'fit', $comment: 'kept', steps: 4, validation: { ...base.validation, every: 2 } });
    const again = await run('train', '--config', 'fit.json', '--out', 'fit-again', '--cache', 'none');
    expect(again.code, again.stderr).toBe(0);
    expect((await readFile(join(dir, 'fit-again', 'n2n-fast.bin'))).equals(await readFile(join(dir, 'fit', 'n2n-fast.bin')))).toBe(true);
    expectCleanFailure(await run('train', '--config', 'fit.json', '--fit-seconds', '60'), /--fit-seconds and --fit-rate go together/, 2);
    expectCleanFailure(await run('train', '--config', 'fit.json', '--fit-seconds', '60', '--fit-rate', 'fast'), /--fit-rate must be a finite number, got 'fast'/, 2);
  }, 90_000);

  it('fittedSteps: 93% of rate x seconds, whole hundreds from 1,000 on, at least one step', () => {
    expect(fittedSteps(161.3, 300)).toBe(45000); // 45,002.7
    expect(fittedSteps(0.01, 500)).toBe(4); // 4.65
    expect(fittedSteps(10, 100)).toBe(930);
    expect(fittedSteps(100, -5)).toBe(1);
  });

  it('refuses a config name that would put the run outside denoiser/runs, weights with a corrupt tensor table, and a checkpoint whose header is not an object', async () => {
    const base = JSON.parse(await readFile(CONFIG, 'utf8')) as Record<string, unknown>;
    // the default run directory is denoiser/runs/<name>: '../weights' wrote over denoiser/weights/n2n-fast.bin
    await writeFile(join(dir, 'escape.json'), JSON.stringify({ ...base, name: '../weights' }));
    expectCleanFailure(await run('train', '--config', 'escape.json'), /escape\.json: 'name' must be letters, digits/, 1);
    expect(existsSync(join(dir, 'denoiser'))).toBe(false);
    // a tensor name that is not UTF-8 was "internal error: The encoded data was not valid for encoding utf-8"
    const bytes = encodeWeights(builtinSpec('n2n-fast'), initWeights(builtinSpec('n2n-fast'), 1));
    bytes[22] = 0xff;
    await writeFile(join(dir, 'not-utf8.bin'), bytes);
    await writeFile(join(dir, 'init-utf8.json'), JSON.stringify({ ...base, name: 'init-utf8', init: 'not-utf8.bin' }));
    expectCleanFailure(await run('train', '--config', 'init-utf8.json', '--out', 'x'), /not-utf8\.bin: tensor 0's name is not UTF-8/, 1);
    // a checkpoint whose JSON header is null was "internal error: Cannot read properties of null"
    const json = Buffer.from('null');
    const ck = Buffer.alloc(16);
    ck.write('TLCK', 0);
    ck.writeUInt32LE(1, 4);
    ck.writeUInt32LE(json.length, 8);
    json.copy(ck, 12);
    await mkdir(join(dir, 'null-ck'), { recursive: true });
    await writeFile(join(dir, 'null-ck', 'checkpoint.tlck'), ck);
    const r = await run('train', '--config', CONFIG, '--out', 'null-ck', '--cache', 'none');
    expect(r.code, r.stderr).toBe(1); // after the 'training ...' line: the checkpoint is read once the run has started
    expect(r.stderr).toMatch(/^tracelab: error: null-ck\/checkpoint\.tlck: not a usable checkpoint \(header is not a JSON object\)$/m);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  }, 60_000);

  it('fails cleanly on bad input', async () => {
    await writeFile(join(dir, 'bad.json'), '{ "name": ');
    await writeFile(join(dir, 'wrong.json'), JSON.stringify({ name: 'x', spec: 'n2n-fast', steps: -1 }));
    expectCleanFailure(await run('train'), /train needs --config FILE/, 2);
    expectCleanFailure(await run('train', '--config', 'missing.json'), /missing\.json: cannot read the config \(ENOENT\)/, 2);
    expectCleanFailure(await run('train', '--config', '/dev/zero'), /\/dev\/zero: cannot read the config \(\/dev\/zero is a device, not a file\)/, 2);
    expectCleanFailure(await run('train', '--config', 'bad.json'), /bad\.json: not valid JSON/);
    expectCleanFailure(await run('train', '--config', 'wrong.json'), /wrong\.json: 'steps' must be an integer/);
    expectCleanFailure(await run('train', '--config', CONFIG, '--session-steps', '0'), /--session-steps/, 2);
    expectCleanFailure(await run('train', '--config', CONFIG, '--strip-rows', '6'), /--strip-rows takes 4 or 8 \(got '6'\)/, 2);
    expectCleanFailure(await run('train', '--config', CONFIG, '--cache', ' '), /--cache must name a directory/, 2);
    // directories that cannot be made fail before any data is rendered (the references are written after training steps)
    await writeFile(join(dir, 'a-file'), 'x');
    for (const [args, pattern] of [
      [['--out', 'a-file/run'], /--out a-file\/run: cannot be created as a directory \(it or one of its parents is a file, ENOTDIR\)/],
      [['--out', 'ok-run', '--cache', 'a-file/refs'], /--cache a-file\/refs: cannot be created as a directory \(it or one of its parents is a file, ENOTDIR\)/],
    ] as const) {
      const r = await run('train', '--config', CONFIG, ...args);
      expectCleanFailure(r, pattern, 2);
      expect(r.stderr).not.toMatch(/^training /m);
    }
  }, 90_000);
});
