// `tracelab demo` on a tiny size: the whole pipeline with a weights file, the labelled a-trous fallback when no
// trained weights ship, and clean failures.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { encodeWeights, initWeights } from '../../src/denoise/weights.ts';
import { readImageFile } from '../../src/node/image-files.ts';
import { cliRunner, expectCleanFailure } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tracelab-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tracelab = cliRunner(dir);

beforeAll(() => {
  const fast = builtinSpec('n2n-fast');
  writeFileSync(join(dir, 'fast.bin'), encodeWeights(fast, initWeights(fast, 9)));
});

const TINY = ['--size', '32x24', '--spp', '2', '--ref-spp', '16', '--cache', 'refs'];
const SCORE = /PSNR (\d+\.\d\d) dB {2}SSIM (0\.\d{4}|1\.0000)$/;

describe('tracelab demo', () => {
  it('renders, denoises with the given weights, scores both and writes images and a report', async () => {
    const r = await tracelab('demo', ...TINY, '--weights', 'fast.bin', '--out', 'out');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^demo: cornell-box 32x24, adapter .+/);
    expect(lines[1]).toBe('reference: 16 spp (rendered, cached for next time)');
    expect(lines[2]).toMatch(/^noisy {5}2 spp, render \d+\.\ds: {2}/);
    expect(lines[2]).toMatch(SCORE);
    expect(lines[3]).toMatch(/^denoised {2}n2n-fast, weights fast\.bin, denoise \d+\.\ds \(emission separated, 32 rays per pixel\): {2}/);
    expect(lines[3]).toMatch(SCORE);
    expect(r.stdout).toMatch(/^wrote out\/noisy\.png, out\/denoised\.png, out\/reference\.png \(tone map aces\) and out\/report\.html$/m);
    for (const f of ['noisy.png', 'denoised.png', 'reference.png']) {
      const img = await readImageFile(join(dir, 'out', f));
      expect([img.width, img.height]).toEqual([32, 24]);
    }
    const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
    expect(html).toContain('<h1>tracelab demo: cornell-box</h1>');
    expect(html).toContain('n2n-fast: fast.bin');
    expect(existsSync(join(dir, 'out', 'results.json'))).toBe(false);
  });

  it('falls back to the a-trous baseline, labelled, when n2n-fast has no trained weights', async () => {
    const noWeights = cliRunner(dir, { TRACELAB_WEIGHTS_DIR: join(dir, 'no-weights-here') });
    const r = await noWeights('demo', ...TINY, '--out', 'fallback');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^tracelab: note: n2n-fast has no trained weights \(.*no-weights-here\/n2n-fast\.bin is missing\): denoised with the atrous baseline instead$/m);
    expect(r.stdout).toMatch(/^reference: 16 spp \(from the cache\)$/m);
    expect(r.stdout).toMatch(/^denoised {2}atrous \(baseline; n2n-fast has no trained weights\), denoise/m);
    // the baseline really denoises: better than the noisy image
    const psnr = (line: RegExp) => Number(SCORE.exec(r.stdout.split('\n').find((l) => line.test(l))!)![1]);
    expect(psnr(/^denoised/)).toBeGreaterThan(psnr(/^noisy/));
    expect(readFileSync(join(dir, 'fallback', 'report.html'), 'utf8')).toContain('Note: n2n-fast has no trained weights');
  });

  it('--emission-spp 0 denoises the frame as rendered: the same noisy image, another denoised one', async () => {
    const on = await tracelab('demo', ...TINY, '--weights', 'fast.bin', '--out', 'sep-on');
    const off = await tracelab('demo', ...TINY, '--weights', 'fast.bin', '--emission-spp', '0', '--out', 'sep-off');
    expect(on.code, on.stderr).toBe(0);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/^denoised {2}n2n-fast, weights fast\.bin, denoise \d+\.\ds: {2}/m);
    const read = async (d: string, f: string) => (await readImageFile(join(dir, d, f))).data;
    expect(await read('sep-on', 'noisy.png')).toEqual(await read('sep-off', 'noisy.png'));
    expect(await read('sep-on', 'denoised.png')).not.toEqual(await read('sep-off', 'denoised.png'));
    expectCleanFailure(await tracelab('demo', ...TINY, '--emission-spp', '-1', '--out', 'bad'), /--emission-spp must be between 0 and 65536, got -1/, 2);
  });

  it.each([
    [['--weights', 'missing.bin'], 1, /missing\.bin: cannot read weights file \(ENOENT\)/],
    // was ignored: the shipped weights
    [['--weights', ''], 2, /^tracelab: error: --weights must name a file$/],
    [['--size', '4x4'], 2, /--size must be at least 11x11/],
    [['--scene', 'nope'], 1, /unknown scene 'nope'/],
    [['--cache', 'fast.bin/refs'], 2, /--cache fast\.bin\/refs: cannot be created as a directory \(it or one of its parents is a file, ENOTDIR\)/],
  ])('rejects %j with one line and writes nothing', async (args, code, pattern) => {
    expectCleanFailure(await tracelab('demo', '--out', 'bad', '--cache', 'bad-refs', ...args), pattern, code);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    expect(existsSync(join(dir, 'bad-refs'))).toBe(false);
  });
});
