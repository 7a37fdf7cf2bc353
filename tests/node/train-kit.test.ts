// The training kit (scripts/pack-train-kit.sh): packed (lean, inside this checkout, fast compression), it runs
// `tracelab train` and a time-budgeted stage with its own Node.js on a PATH that has no node, and its scripts
// refuse bad options with one line.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSpec } from '../../src/denoise/specs.ts';
import { decodeWeights } from '../../src/denoise/weights.ts';
import { parseTrainConfig } from '../../src/train/config.ts';

const repo = resolve(__dirname, '../..');
const kit = join(repo, '.cache', `test-train-kit-${process.pid}`);
const tmp = mkdtempSync(join(tmpdir(), 'tracelab-kit-'));
/** A PATH with the shell tools the kit uses and no node. */
const tools = join(tmp, 'tools');

function sh(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('bash', args, { cwd: tmp, encoding: 'utf8', env: { HOME: process.env.HOME ?? tmp, PATH: tools, ...env }, timeout: 240_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  const pack = spawnSync('bash', ['scripts/pack-train-kit.sh', '--in-checkout', kit], { cwd: repo, encoding: 'utf8', env: { ...process.env, XZ_LEVEL: '0' } });
  if (pack.status !== 0) {
    // everything there is to know: a signal or a failed spawn leaves stderr empty
    const how = pack.error ? `spawn error ${pack.error.message}` : pack.signal ? `signal ${pack.signal}` : `status ${pack.status}`;
    throw new Error(`pack-train-kit.sh failed (${how}):\n${pack.stderr}\n${pack.stdout}`);
  }
  mkdirSync(tools);
  const which = (t: string) => spawnSync('bash', ['-c', `command -v ${t}`], { encoding: 'utf8' }).stdout.trim();
  for (const t of ['bash', 'sh', 'xz', 'sed', 'grep', 'awk', 'date', 'timeout', 'mkdir', 'ln', 'dirname', 'basename', 'cp', 'mv', 'chmod', 'ldconfig', 'ls', 'head', 'cat', 'rm', 'tail', 'tee', 'tar', 'gzip', 'find']) {
    const p = which(t);
    if (p) symlinkSync(p, join(tools, t));
  }
}, 180_000);
afterAll(() => {
  rmSync(kit, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

describe('training kit', () => {
  it('has no node on the test PATH, and finds this checkout as its root', () => {
    expect(sh(['-c', 'command -v node']).status).not.toBe(0);
    const r = sh([join(kit, 'run.sh'), 'root']);
    expect(r.status).toBe(0);
    expect(r.out.trim()).toBe(repo);
  });

  it('trains a config with its own Node.js and writes loadable weights', () => {
    const out = join(tmp, 'run');
    const r = sh([join(kit, 'run.sh'), 'tracelab', 'train', '--config', 'tests/fixtures/train/tiny.json', '--out', out]);
    expect(r.status, r.out).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'log.json'), 'utf8')).done).toBe(true);
    const w = decodeWeights(builtinSpec('n2n-fast'), new Uint8Array(readFileSync(join(out, 'n2n-fast.bin'))), 'n2n-fast.bin');
    expect(Object.values(w).every((l) => l.weight.every(Number.isFinite))).toBe(true);
  }, 240_000);

  it('stage.sh writes a valid config for new scene layouts, trains it, copies the results, and resumes the same stage', () => {
    const runs = join(tmp, 'runs');
    const out = join(tmp, 'out');
    const args = [join(kit, 'stage.sh'), '--name', 'kit-stage', '--spec', 'n2n-fast', '--steps', '4', '--batch', '2', '--crop', '16',
      '--size', '32', '--scenes', '2', '--first-scene', '400', '--val-scenes', '1', '--val-size', '32', '--ref-spp', '16', '--target-spp', '8', '--ema', '0.5', '--separate-emission', 'yes', '--runs', runs, '--out', out];
    const r = sh(args);
    expect(r.status, r.out).toBe(0);
    const cfg = parseTrainConfig(JSON.parse(readFileSync(join(runs, 'kit-stage.json'), 'utf8')), 'kit-stage.json');
    expect(cfg).toMatchObject({ steps: 4, spec: 'n2n-fast', batch: 2, crop: 16, emaDecay: 0.5, data: { scenes: 2, firstScene: 400, size: 32, targetSpp: 8, separateEmission: true } });
    expect(JSON.parse(readFileSync(join(out, 'kit-stage.log.json'), 'utf8')).done).toBe(true);
    expect(existsSync(join(out, 'kit-stage.bin'))).toBe(true);
    // again: the stage's config is kept (not re-sized), and the finished run just reports
    const again = sh(args.map((a) => (a === '4' ? '8' : a)));
    expect(again.status, again.out).toBe(0);
    expect(again.out).toMatch(/kit-stage\.json exists: resuming that stage/);
    expect(JSON.parse(readFileSync(join(runs, 'kit-stage.json'), 'utf8')).steps).toBe(4);
  }, 240_000);

  it('stage.sh --seconds measures the rate, and the run fits its steps to the time left once its data are rendered', () => {
    const runs = join(tmp, 'fit-runs');
    // planned at a third of the measured rate: a CI run's rate fell from 36 to 30 steps/s during the stage (test
    // files run one at a time, so not for other tests: the machine's own variation) and ran out of its budget
    const r = sh([join(kit, 'stage.sh'), '--seconds', '60', '--data-seconds', '35', '--rate-scale', '0.3', '--name', 'kit-fit', '--spec', 'n2n-fast', '--batch', '1', '--crop', '16',
      '--size', '32', '--scenes', '1', '--val-scenes', '1', '--val-size', '32', '--ref-spp', '16', '--runs', runs]);
    expect(r.status, r.out).toBe(0);
    const [, measured, planned] = /stage\.sh: ([\d.]+) x 0\.3 = ([\d.]+) steps\/s -> /.exec(r.out) ?? [];
    expect(Math.abs(Number(planned) / (Number(measured) * 0.3) - 1), r.out).toBeLessThan(1e-3);
    const provisional = Number(/-> (\d+) steps in \d+s \(provisional/.exec(r.out)?.[1]);
    const fitted = Number(/fitted to the time left: (\d+) steps/.exec(r.out)?.[1]);
    // the data took a second or two, not the 35 s set aside: the run takes the time the guess left unused
    expect(fitted, r.out).toBeGreaterThan(provisional);
    const cfg = JSON.parse(readFileSync(join(runs, 'kit-fit.json'), 'utf8'));
    expect(cfg.steps).toBe(fitted);
    expect(JSON.parse(readFileSync(join(runs, 'kit-fit', 'log.json'), 'utf8'))).toMatchObject({ done: true, config: { steps: fitted } });
  }, 120_000);

  it.each([
    [['--name', 'x', '--colour', 'red'], /stage\.sh: unknown option '--colour'/],
    [['--seconds', '60'], /stage\.sh: --name is required/],
    [['--name', 'x'], /stage\.sh: give --seconds \(or --steps\)/],
    [['--name'], /stage\.sh: '--name' needs a value/],
    [['--name', 'x', '--steps', '4', '--separate-emission', 'on'], /stage\.sh: --separate-emission must be yes or no, got 'on'/],
    [['--name', 'x', '--seconds', '60', '--rate-scale', '1.5'], /stage\.sh: --rate-scale must be a number above 0 and at most 1, got '1\.5'/],
    [['--name', 'x', '--seconds', '60', '--rate-scale', 'half'], /stage\.sh: --rate-scale must be a number above 0 and at most 1, got 'half'/],
  ])('stage.sh %j fails with one line', (args, re) => {
    const r = sh([join(kit, 'stage.sh'), ...args]);
    expect(r.status).toBe(2);
    expect(r.out).toMatch(re);
  });

  it.each([
    [['--out', 'o', '--model', 'n2n-fast'], /session\.sh: --budget must be a whole number, got ''/],
    [['--budget', '60', '--model', 'n2n-fast'], /session\.sh: --out is required/],
    [['--budget', '60', '--out', 'o', '--model', 'n2n-fast', '--', '--spec', 'n2n-fast'], /session\.sh: the stage's arguments \(after --\) must give --name/],
    [['--budget', '60', '--out', 'o', '--model', 'n2n-fast', '--ref-spp', 'many'], /session\.sh: --ref-spp must be a whole number, got 'many'/],
    [['--budget', '60', '--colour', 'red'], /session\.sh: unknown option '--colour'/],
  ])('session.sh %j fails with one line', (args, re) => {
    const r = sh([join(kit, 'session.sh'), ...args]);
    expect(r.status).toBe(2);
    expect(r.out).toMatch(re);
  });

  it('session.sh runs a stage, validates and compares its weights and the shipped ones, logs each step and packs the results', () => {
    const out = join(tmp, 'session');
    const r = sh([join(kit, 'session.sh'), '--budget', '600', '--stage-seconds', '300', '--out', out, '--model', 'n2n-fast', '--software', 'yes',
      '--ref-spp', '16', '--val-size', '32', '--val-scenes', '1', '--compare-scenes', 'cornell-box', '--compare-size', '16x16', '--compare-ref-spp', '8',
      '--skip', 'denoise,online', '--', '--name', 'kit-session', '--spec', 'n2n-fast', '--steps', '2', '--batch', '1', '--crop', '16', '--size', '32',
      '--scenes', '1', '--first-scene', '400', '--val-scenes', '1', '--val-size', '32', '--ref-spp', '16', '--runs', join(tmp, 'session-runs')]);
    expect(r.status, r.out).toBe(0);
    const log = readFileSync(join(out, 'session.log'), 'utf8');
    expect(log).toMatch(/^adapter: llvmpipe/m);
    for (const s of ['stage', 'validate kit-session plain', 'validate shipped plain', 'validate kit-session separated', 'validate shipped separated', 'compare shipped', 'compare kit-session']) {
      expect(log, s).toMatch(new RegExp(`\\] ${s}: exit status 0$`, 'm'));
    }
    expect(log).not.toMatch(/online|bench-denoise/);
    expect(existsSync(join(out, 'kit-session.bin'))).toBe(true);
    expect(existsSync(join(out, 'session'))).toBe(false); // packed, then removed
    const listed = spawnSync('tar', ['tzf', join(out, 'results.tgz')], { encoding: 'utf8' }).stdout.split('\n').filter((f) => !f.endsWith('/') && f);
    expect(listed.sort()).toEqual([
      'session/compare-kit-session/results.json', 'session/compare-shipped/results.json', 'session/stage/kit-session.bin', 'session/stage/kit-session.json',
      'session/stage/kit-session.log.json', 'session/validate-kit-session-plain.json', 'session/validate-kit-session-separated.json',
      'session/validate-shipped-plain.json', 'session/validate-shipped-separated.json',
    ]);
  }, 400_000);

  it('session.sh names the adapter first and stops on a software one unless told to run anyway', () => {
    const out = join(tmp, 'session-software');
    const r = sh([join(kit, 'session.sh'), '--budget', '60', '--out', out, '--model', 'n2n-fast', '--skip', 'stage,validate,compare,denoise,online']);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/the adapter is a software one: stopping \(--software yes runs anyway\)/);
    expect(readFileSync(join(out, 'session.log'), 'utf8')).toMatch(/^adapter: llvmpipe/m);
  }, 60_000);

  it('session.sh skips a step the budget has no room for, says so, and still packs what it has', () => {
    const out = join(tmp, 'session-short');
    const r = sh([join(kit, 'session.sh'), '--budget', '20', '--out', out, '--model', 'n2n-fast', '--software', 'yes', '--skip', 'stage,validate,compare',
      '--online-seconds', '1']);
    expect(r.status, r.out).toBe(0);
    const log = readFileSync(join(out, 'session.log'), 'utf8');
    expect(log).toMatch(/denoise: skipped, \d+s left \(needs 40s\)/);
    expect(log).toMatch(/online: skipped, \d+s left \(needs 55s\)/);
    expect(existsSync(join(out, 'results.tgz'))).toBe(true);
  }, 120_000);

  it('session.sh times the conv strips side by side (bench-denoise)', () => {
    const out = join(tmp, 'session-denoise');
    const r = sh([join(kit, 'session.sh'), '--budget', '150', '--out', out, '--model', 'n2n-fast', '--software', 'yes', '--skip', 'stage,validate,compare,online',
      '--denoise-specs', 'n2n-fast', '--denoise-sizes', '24x16']);
    expect(r.status, r.out).toBe(0);
    const log = readFileSync(join(out, 'session.log'), 'utf8');
    expect(log).toMatch(/\] denoise: exit status 0$/m);
    expect(log).toMatch(/^n2n-fast +24x16 +rgba32float \(8x16 strip, (subgroup|plain) lanes\): \d+ ms\/frame/m);
    expect(log).toMatch(/^n2n-fast +24x16 +rgba32float \(4x8 strip\): \d+ ms\/frame/m);
    expect(log).toMatch(/against 8x16: 4x8 [\d.]+x as fast/);
    // only the bundle's entry runs: bench/fma-peak.ts's own main (its lines start 'FMA peak f32:') stays quiet
    expect(log.match(/FMA peak f32/g)).toHaveLength(1);
  }, 160_000);

  it('runs tracelab compare, whose report inlines the uPlot the kit carries', () => {
    // a copy of the kit in a checkout without node_modules (as on a GPU machine): nothing above it resolves packages
    const co = join(tmp, 'checkout');
    mkdirSync(co);
    writeFileSync(join(co, 'package.json'), '{ "name": "tracelab", "private": true }\n');
    cpSync(kit, join(co, 'kit'), { recursive: true });
    const out = join(tmp, 'cmp');
    const r = sh([join(co, 'kit', 'run.sh'), 'tracelab', 'compare', '--scenes', 'cornell-box', '--spp', '1', '--size', '16x16', '--ref-spp', '4',
      '--denoisers', 'atrous', '--repeat', '1', '--cache', join(tmp, 'refs'), '--out', out]);
    expect(r.status, r.out).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).settings.scenes).toEqual(['cornell-box']);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/uPlot/);
  }, 120_000);

  it('runs bench-online (its own errors for an unknown scene and bad options)', () => {
    const r = sh([join(kit, 'run.sh'), 'bench-online', '--scene', 'nope']);
    expect(r.out).toMatch(/bench\/online\.ts: unknown scene 'nope'/);
    for (const [args, message] of [
      [['--windows', '128,0'], /bench\/online\.ts: --windows must be a whole number >= 1, got '0'/],
      [['--seed', '1.5'], /bench\/online\.ts: --seed must be a whole number >= 0, got '1.5'/],
      [['--sedd', '1'], /bench\/online\.ts: Unknown option '--sedd'/],
    ] as const) {
      const bad = sh([join(kit, 'run.sh'), 'bench-online', ...args]);
      expect([bad.status, bad.out]).toEqual([2, expect.stringMatching(message)]);
    }
  });

  it('bench-denoise refuses bad options with one line, before any GPU work', () => {
    for (const [args, message] of [
      [['--strips', '8x16,2x2'], /bench\/denoise: --strips takes 8x16, 4x8 \(comma-separated\), got '2x2'/],
      [['--sizes', '512'], /bench\/denoise: --sizes takes WxH sizes \(comma-separated\), got '512'/],
      [['--specs', 'n2n-fats'], /bench\/denoise: --specs: no built-in network 'n2n-fats' \(available: n2n-paper, n2n-fast, /],
      [['--repeats', '0'], /bench\/denoise: --repeats must be a whole number of at least 1, got '0'/],
      [['--strip', '4x8'], /bench\/denoise: Unknown option '--strip'/],
    ] as const) {
      const bad = sh([join(kit, 'run.sh'), 'bench-denoise', ...args]);
      expect([bad.status, bad.out]).toEqual([2, expect.stringMatching(message)]);
      expect(bad.out.trim().split('\n')).toHaveLength(1);
    }
  });

  it('run.sh names an unknown command', () => {
    const r = sh([join(kit, 'run.sh'), 'trian']);
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/run\.sh: unknown command 'trian'/);
  });
});
