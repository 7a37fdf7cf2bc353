// `tracelab reference` end to end: render, continue, look up, and one-line errors for bad input.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageFile } from '../../src/node/image-files.ts';
import { cliRunner, expectCleanFailure } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tracelab-refcli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tracelab = cliRunner(dir);


const SMALL = ['--size', '8x6', '--max-depth', '3', '--cache', 'refs'];

describe('tracelab reference', () => {
  it('renders, continues, and reports a cache holding more than asked for', async () => {
    const a = await tracelab('reference', 'cornell-box', '--spp', '4', ...SMALL);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/reference cornell-box 8x6, max depth 3, seed \d+: rendered 4 spp/);
    expect(a.stdout).toMatch(/convergence: mean relative standard error \d.*, PSNR ceiling [\d.]+ dB \(the converged image.s expected PSNR against it/);
    expect(a.stderr).toMatch(/reference \[#+\] 4\/4 spp/);
    const b = await tracelab('reference', 'cornell-box', '--spp', '10', ...SMALL);
    expect(b.stdout).toMatch(/continued 4 -> 10 spp \(6 new/);
    const c = await tracelab('reference', 'cornell-box', '--spp', '5', ...SMALL);
    expect(c.stdout).toMatch(/already holds 10 spp, more than the 5 asked for; nothing rendered/);
    const entries = readdirSync(join(dir, 'refs'));
    expect(entries).toHaveLength(1);
    const meta = JSON.parse(readFileSync(join(dir, 'refs', entries[0], 'meta.json'), 'utf8')) as { spp: number; files: { mean: string } };
    expect(meta.spp).toBe(10);
    const mean = await readImageFile(join(dir, 'refs', entries[0], meta.files.mean));
    expect([mean.width, mean.height, mean.channels]).toEqual([8, 6, 3]);
    // Another seed is another entry.
    expect((await tracelab('reference', 'cornell-box', '--spp', '2', '--seed', '5', ...SMALL)).stdout).toMatch(/rendered 2 spp/);
    expect(readdirSync(join(dir, 'refs'))).toHaveLength(2);
  });

  it('a corrupt entry is an error naming --fresh; --fresh renders it anew', async () => {
    const args = ['reference', 'cornell-box', '--spp', '2', '--size', '4x4', '--cache', 'corrupt'];
    expect((await tracelab(...args)).code).toBe(0);
    const entry = join(dir, 'corrupt', readdirSync(join(dir, 'corrupt'))[0]);
    writeFileSync(join(entry, 'meta.json'), 'not json');
    expectCleanFailure(await tracelab(...args), /meta\.json: corrupt reference cache entry .*--fresh/, 1);
    const fresh = await tracelab(...args, '--fresh');
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/rendered 2 spp/);
  });

  it('prints its usage', async () => {
    const r = await tracelab('reference', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: tracelab reference .*--spp N/);
    expect((await tracelab('--help')).stdout).toMatch(/tracelab reference <scene> --spp N/);
  });

  it.each([
    [['reference'], 2, /needs a scene name/],
    [['reference', 'cornell-box'], 2, /needs --spp N/],
    [['reference', 'cornell-box', '--spp', '0'], 2, /--spp must be between 1 and/],
    [['reference', 'cornell-box', '--spp', 'lots'], 2, /--spp must be a whole number/],
    [['reference', 'cornell-box', '--spp', '4', '--size', '8by8'], 2, /--size must look like WIDTHxHEIGHT/],
    [['reference', 'cornell-box', '--spp', '4', '--bogus', '1'], 2, /Unknown option '--bogus'/],
    [['reference', 'no-such-scene', '--spp', '4'], 1, /unknown scene 'no-such-scene'/],
  ])('rejects %j', async (args, code, pattern) => {
    expectCleanFailure(await tracelab(...args), pattern, code);
  });

  it('fails cleanly, before rendering, when the cache directory cannot be made', async () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    for (const cache of ['a-file/refs', 'a-file']) {
      const r = await tracelab('reference', 'cornell-box', '--spp', '1', '--size', '4x4', '--cache', cache);
      expectCleanFailure(r, new RegExp(`--cache ${cache}: cannot be created as a directory \\(it or one of its parents is a file, ENOTDIR\\)`), 2);
      expect(r.stderr).not.toMatch(/adapter:/); // refused before the GPU was opened, so before any rendering
    }
  });
});
