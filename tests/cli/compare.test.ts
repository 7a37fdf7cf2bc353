// `tracelab compare` end to end on a tiny configuration (spawning bin/tracelab.js), and a one-line error with no
// output (and no reference cache) for every kind of bad option.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { encodeWeights, initWeights } from '../../src/denoise/weights.ts';
import { defaultDenoisers } from '../../src/cli/compare.ts';
import { checkResults } from '../../src/harness/compare-schema.ts';
import { cliRunner, expectCleanFailure } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tracelab-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tracelab = cliRunner(dir);

beforeAll(() => {
  const fast = builtinSpec('n2n-fast');
  const paper = builtinSpec('n2n-paper');
  writeFileSync(join(dir, 'fast.bin'), encodeWeights(fast, initWeights(fast, 5)));
  writeFileSync(join(dir, 'paper.bin'), encodeWeights(paper, initWeights(paper, 5)));
  writeFileSync(join(dir, 'a-file'), 'x');
});

const TINY = ['--scenes', 'cornell-box', '--size', '32x32', '--spp', '1,4', '--ref-spp', '64', '--cache', 'refs'];

describe('tracelab compare', () => {
  it('runs the whole pipeline: reference, renders, four denoisers, results.json and report.html', async () => {
    const r = await tracelab('compare', ...TINY, '--denoisers', 'n2n-fast,atrous,bilateral,none', '--weights', 'fast.bin', '--target-psnr', '22', '--out', 'report');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^compare \[#+\] 10\/10 {2}cornell-box 4 spp none/m);
    expect(r.stdout).toMatch(/^cornell-box 32x32, reference 64 spp \(rendered\):$/m);
    for (const d of ['n2n-fast', 'atrous', 'bilateral', 'none']) expect(r.stdout).toMatch(new RegExp(`^ +4 {2}${d} +\\d+\\.\\d\\d {2}0\\.\\d{4}`, 'm'));
    expect(r.stdout).toMatch(/^time to 22 dB PSNR \(render \+ denoise\) against rendering alone:$/m);
    expect(r.stdout).toMatch(/^cornell-box {2}bilateral .* (\d+\.\d|\d+)x$/m);
    expect(r.stdout).toMatch(/^wrote report\/results\.json$/m);
    expect(r.stdout).toMatch(/^wrote report\/report\.html$/m);
    expect(readdirSync(join(dir, 'report')).sort()).toEqual(['report.html', 'results.json']); // no temporary files left

    const results = checkResults(JSON.parse(readFileSync(join(dir, 'report', 'results.json'), 'utf8')));
    expect(results.settings).toMatchObject({ scenes: ['cornell-box'], spp: [1, 4], width: 32, height: 32, referenceSpp: 64, targetPsnr: 22 });
    expect(results.settings.denoisers).toEqual(['n2n-fast', 'atrous', 'bilateral', 'none']);
    expect(results.settings.weights).toEqual({ 'n2n-fast': 'fast.bin' });
    expect(results.results).toHaveLength(8);
    expect(results.timeToQuality?.scenes[0].denoisers).toHaveLength(3);
    const html = readFileSync(join(dir, 'report', 'report.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html.match(/<img src="data:image\/png;base64,/g)?.length).toBe(2 * 4 + 1 + 2 * 4 + 2 * (2 * 4 + 1));
    expect(html).toContain('<table class="results ttq">');

    // a second run takes the reference from the cache
    const again = await tracelab('compare', ...TINY, '--denoisers', 'none', '--out', 'report2');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/reference 64 spp \(cached\)/);
  });

  it('oidn: Open Image Denoise as an external comparator, with weights the user brings', async () => {
    const tza = join(process.cwd(), 'tests/fixtures/oidn/rt_hdr_alb_nrm_small.tza');
    const r = await tracelab('compare', '--scenes', 'cornell-box', '--size', '16x16', '--spp', '2', '--ref-spp', '64', '--cache', 'refs',
      '--denoisers', 'oidn,none', '--oidn-weights', tza, '--repeat', '1', '--out', 'oidn');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ +2 {2}oidn +\d+\.\d\d {2}0\.\d{4}/m);
    const results = checkResults(JSON.parse(readFileSync(join(dir, 'oidn', 'results.json'), 'utf8')));
    expect(results.settings.denoisers).toEqual(['oidn', 'none']);
    expect(results.settings.weights).toEqual({ oidn: tza });
    const score = (d: string) => results.results.find((x) => x.denoiser === d)?.psnr ?? NaN;
    expect(score('oidn')).toBeGreaterThan(score('none'));
  });

  it('<model>-x4: the network\'s self-ensemble beside the network, with the same weights', async () => {
    const r = await tracelab('compare', '--scenes', 'cornell-box', '--size', '16x16', '--spp', '2', '--ref-spp', '64', '--cache', 'refs',
      '--denoisers', 'n2n-fast,n2n-fast-x4', '--weights', 'fast.bin', '--repeat', '1', '--out', 'ensemble');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ +2 {2}n2n-fast-x4 +\d+\.\d\d {2}0\.\d{4}/m);
    const results = checkResults(JSON.parse(readFileSync(join(dir, 'ensemble', 'results.json'), 'utf8')));
    expect(results.settings.denoisers).toEqual(['none', 'n2n-fast', 'n2n-fast-x4']);
    expect(results.settings.weights).toEqual({ 'n2n-fast': 'fast.bin', 'n2n-fast-x4': 'fast.bin' });
    const score = (d: string) => results.results.find((x) => x.denoiser === d)?.psnr ?? NaN;
    expect(Number.isFinite(score('n2n-fast-x4'))).toBe(true);
    expect(score('n2n-fast-x4')).not.toBe(score('n2n-fast'));
  });

  it('online-n2n-fast: trains on the scene first (the "training" column, prepareMs in results.json)', async () => {
    const r = await tracelab('compare', '--scenes', 'cornell-box', '--size', '16x16', '--spp', '2', '--ref-spp', '64', '--cache', 'refs',
      '--denoisers', 'online-n2n-fast', '--weights', 'fast.bin', '--online-steps', '2', '--repeat', '1', '--out', 'online');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^compare: training online-n2n-fast on cornell-box/m);
    expect(r.stdout).toMatch(/^ +spp +denoiser +PSNR dB +SSIM +relMSE +SMAPE +render +denoise +training$/m);
    expect(r.stdout).toMatch(/^ +2 {2}online-n2n-fast +\d+\.\d\d .* \d+(\.\d+)? (ms|s)$/m);
    const results = checkResults(JSON.parse(readFileSync(join(dir, 'online', 'results.json'), 'utf8')));
    expect(results.settings.weights).toEqual({ 'online-n2n-fast': 'fast.bin' });
    const row = results.results.find((x) => x.denoiser === 'online-n2n-fast')!;
    expect(row.prepareMs).toBeGreaterThan(0);
    expect(row.totalMs).toBeCloseTo(row.renderMs + row.denoiseMs + row.prepareMs!, 6);
  });

  it('prints its usage', async () => {
    const r = await tracelab('compare', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: tracelab compare .*\n[\s\S]*--target-psnr T/);
    expect((await tracelab('--help')).stdout).toMatch(/tracelab compare \[--scenes a,b --spp 1,4,16,64/);
  });

  const bad: [string, string[], number, RegExp][] = [
    ['an unknown scene', ['--scenes', 'cornell-box,nope'], 1, /unknown scene 'nope'/],
    ['an unknown denoiser', ['--denoisers', 'atrous,oidn2'], 2, /--denoisers: unknown denoiser 'oidn2' \(known: n2n-fast, n2n-fast-demod, n2n-paper, n2n-paper-demod, online-n2n-fast, online-n2n-fast-demod, online-n2n-paper, online-n2n-paper-demod, none, atrous, bilateral/],
    ['an ensemble size that is not 2, 4 or 8', ['--denoisers', 'n2n-fast-x3'], 2, /--denoisers: unknown denoiser 'n2n-fast-x3' \(known: .*; and n2n-fast-x8 etc\.: an n2n model with -x2, -x4 or -x8\)/],
    ['an ensemble of something not a network', ['--denoisers', 'atrous-x2'], 2, /--denoisers: unknown denoiser 'atrous-x2'/],
    ['a bad spp list', ['--spp', '1,x'], 2, /--spp must list whole numbers from 1 to 1000000, got '1,x'/],
    ['a repeated spp', ['--spp', '4,4'], 2, /--spp lists an item twice/],
    ['a malformed size', ['--size', 'big'], 2, /--size must look like WIDTHxHEIGHT/],
    ['a size under the SSIM window', ['--size', '8x8'], 2, /--size must be at least 11x11 \(the SSIM window\), got 8x8/],
    ['an output path under a file', ['--out', 'a-file/report'], 2, /--out a-file\/report: cannot be created as a directory \(.*a-file is a file\)/],
    ['a cache under a file', ['--cache', 'a-file/refs'], 2, /--cache a-file\/refs: cannot be created as a directory \(it or one of its parents is a file, ENOTDIR\)/],
    ['a missing weights file', ['--denoisers', 'n2n-fast', '--weights', 'missing.bin'], 1, /missing\.bin: cannot read weights file \(ENOENT\)/],
    ['weights of another network', ['--denoisers', 'n2n-fast', '--weights', 'paper.bin'], 1, /paper\.bin: weights were made for a different network/],
    ['--weights without a network', ['--denoisers', 'atrous', '--weights', 'fast.bin'], 2, /--weights needs an n2n model/],
    ['one --weights for two networks', ['--denoisers', 'n2n-fast,n2n-paper', '--weights', 'fast.bin'], 2, /--weights FILE is ambiguous with n2n-fast and n2n-paper/],
    // was ": cannot read weights file (ENOENT)"
    ['an empty --weights', ['--denoisers', 'n2n-fast', '--weights', ''], 2, /^tracelab: error: --weights must name a file \(or MODEL=FILE pairs\)$/],
    // the second file was used, the first ignored
    ['two weights files for one network', ['--denoisers', 'n2n-fast', '--weights', 'n2n-fast=paper.bin,n2n-fast=fast.bin'], 2, /--weights gives n2n-fast two files: 'n2n-fast=paper\.bin,n2n-fast=fast\.bin'/],
    // was read as 16 dB
    ['a hexadecimal target', ['--target-psnr', '0x10'], 2, /--target-psnr must be a finite number, got '0x10'/],
    ['zero online steps', ['--denoisers', 'online-n2n-fast', '--weights', 'fast.bin', '--online-steps', '0'], 2, /--online-steps must be between 1 and 100000, got 0/],
    ['--online-steps without an online denoiser', ['--denoisers', 'n2n-fast', '--weights', 'fast.bin', '--online-steps', '5'], 2, /--online-steps needs an online denoiser \(online-n2n-fast, /],
    ['an online denoiser with weights of another network', ['--denoisers', 'online-n2n-fast', '--weights', 'paper.bin'], 1, /paper\.bin: weights were made for a different network/],
    ['a bad emission spp', ['--emission-spp', 'x'], 2, /--emission-spp must be/],
    ['a bad target', ['--target-psnr', 'high'], 2, /--target-psnr must be a finite number, got 'high'/],
    ['a positional argument', ['cornell-box'], 2, /unexpected argument 'cornell-box'/],
    ['oidn without OIDN weights', ['--denoisers', 'oidn'], 2, /oidn needs OIDN weights, which do not ship with tracelab: pass --oidn-weights FILE\.tza/],
    ['--oidn-weights without oidn', ['--oidn-weights', 'a-file'], 2, /--oidn-weights needs oidn in --denoisers/],
    ['OIDN weights that are not', ['--denoisers', 'oidn', '--oidn-weights', 'a-file'], 1, /a-file: not an OIDN weights file \(\.tza\)/],
    ['missing OIDN weights', ['--denoisers', 'oidn', '--oidn-weights', 'none.tza'], 1, /none\.tza: cannot read OIDN weights \(ENOENT\)/],
  ];
  it.each(bad)('rejects %s with one line and writes nothing', async (_, args, code, pattern) => {
    const out = `out-${Math.random().toString(36).slice(2)}`;
    const cache = `cache-${Math.random().toString(36).slice(2)}`;
    const r = await tracelab('compare', '--size', '16x16', '--spp', '1', '--ref-spp', '4', '--denoisers', 'none', '--cache', cache, '--out', out, ...args);
    expectCleanFailure(r, pattern, code);
    expect(existsSync(join(dir, out))).toBe(false);
    expect(existsSync(join(dir, cache))).toBe(false);
  });

  it('runs the shipped networks that have weights by default, and says which it left out', async () => {
    expect(defaultDenoisers(() => true)).toEqual({ names: ['n2n-fast', 'n2n-fast-demod', 'n2n-paper-demod', 'atrous', 'bilateral', 'none'], leftOut: [] });
    expect(defaultDenoisers((m) => m === 'n2n-fast-demod')).toEqual({ names: ['n2n-fast-demod', 'atrous', 'bilateral', 'none'], leftOut: ['n2n-fast', 'n2n-paper-demod'] });
    for (const m of ['n2n-fast', 'n2n-fast-demod', 'n2n-paper-demod']) expect(existsSync(new URL(`../../denoiser/weights/${m}.bin`, import.meta.url))).toBe(true);
    const noWeights = cliRunner(dir, { TRACELAB_WEIGHTS_DIR: join(dir, 'no-weights-here') });
    const r = await noWeights('compare', ...TINY, '--spp', '1', '--out', 'defaults');
    expect(r.code, r.stderr).toBe(0);
    for (const m of ['n2n-fast', 'n2n-fast-demod', 'n2n-paper-demod']) {
      // the file looked for, in $TRACELAB_WEIGHTS_DIR (the note named denoiser/weights/ whatever the variable said)
      expect(r.stderr).toContain(`tracelab: note: ${m} is left out of the default denoisers: no trained weights (${join(dir, 'no-weights-here', `${m}.bin`)})`);
    }
    const results = JSON.parse(readFileSync(join(dir, 'defaults', 'results.json'), 'utf8'));
    expect(checkResults(results).settings.denoisers).toEqual(['atrous', 'bilateral', 'none']);
  });

  it('says which file is missing when a model has no trained weights', async () => {
    const noWeights = cliRunner(dir, { TRACELAB_WEIGHTS_DIR: join(dir, 'no-weights-here') });
    const r = await noWeights('compare', '--denoisers', 'n2n-fast', '--out', 'nothing');
    expectCleanFailure(r, /^tracelab: error: no trained weights for n2n-fast: .*no-weights-here\/n2n-fast\.bin is missing \(pass --weights FILE\)$/, 1);
    expect(existsSync(join(dir, 'nothing'))).toBe(false);
    // n2n-paper ships no weights: the same message with the package's path.
    const p = await tracelab('compare', '--denoisers', 'n2n-paper', '--out', 'nothing');
    expectCleanFailure(p, /^tracelab: error: no trained weights for n2n-paper: denoiser\/weights\/n2n-paper\.bin is missing \(pass --weights FILE\)$/, 1);
  });
});
