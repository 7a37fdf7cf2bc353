// `tracelab train` stopped by a signal: once the steps have begun, Ctrl-C (SIGINT) or SIGTERM saves a checkpoint
// at the step reached and exits 130 / 143, and the run resumes from that step exactly as if it had not been stopped;
// during the data rendering the signal stops it at once, leaving no checkpoint behind.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, type CliRun } from '../support/cli.ts';

const BIN = new URL('../../bin/tracelab.js', import.meta.url).pathname;
const CONFIG = new URL('../fixtures/train/tiny.json', import.meta.url).pathname;
let dir: string;
let run: (...args: string[]) => Promise<CliRun>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tracelab-train-int-'));
  run = cliRunner(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * Runs `tracelab ...args` and sends `signal` once stderr matches `when`, and with `again` the same signal again that
 * many ms later (two signals sent at once may merge into one before the process sees the first).
 */
function runAndSignal(args: string[], when: RegExp, signal: NodeJS.Signals, again?: number): Promise<CliRun & { signalled: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (!signalled && when.test(stderr)) {
        signalled = true;
        child.kill(signal);
        if (again !== undefined) setTimeout(() => child.kill(signal), again);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, signalled });
    });
  });
}

const lastStep = async (out: string) => JSON.parse(await readFile(join(dir, out, 'log.json'), 'utf8')).loss.at(-1).step as number;

describe('tracelab train, interrupted', () => {
  it('saves a checkpoint at the step reached on SIGINT (delivered twice, as `timeout` does), and resumes from it to the same weights as an uninterrupted run', async () => {
    const base = JSON.parse(await readFile(CONFIG, 'utf8'));
    // no checkpoint before step 5000 and no validation after step 0: what the interrupted run keeps, the signal saved
    await writeFile(join(dir, 'long.json'), JSON.stringify({ ...base, name: 'long', steps: 5000, checkpointEvery: 5000, validation: { ...base.validation, every: 5000 } }));
    // batches from a worker thread (what a GPU run uses), so the pool's shutdown on the signal is covered too
    const args = ['train', '--config', 'long.json', '--data-threads', '0', '--batch-threads', '1', '--cache', 'none'];
    // `timeout` signals the command, then its process group: the same SIGINT twice, which must not count as a second
    // Ctrl-C (sent 50 ms apart here, so that the process sees both)
    const r = await runAndSignal([...args, '--out', 'int'], /^step 100\/5000/m, 'SIGINT', 50);
    expect(r.signalled, r.stderr).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/tracelab: SIGINT: saving a checkpoint at this step, then stopping/);
    const m = r.stdout.match(/^stopped by SIGINT, checkpoint saved: step (\d+)\/5000/m);
    expect(m, r.stdout).not.toBeNull();
    const stopped = Number(m![1]);
    expect(stopped).toBeGreaterThanOrEqual(100);
    expect(stopped).toBeLessThan(5000);
    const log = JSON.parse(await readFile(join(dir, 'int', 'log.json'), 'utf8'));
    expect(log.done).toBe(false);
    expect(log.loss.at(-1).step).toBe(stopped);
    expect(existsSync(join(dir, 'int', 'checkpoint.tlck'))).toBe(true);
    // resumed for 3 more steps: the weights of an uninterrupted run stopped at the same step, bit for bit
    const resumed = await run(...args, '--out', 'int', '--session-steps', '3');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await lastStep('int')).toBe(stopped + 3);
    const straight = await run(...args, '--out', 'straight', '--session-steps', String(stopped + 3));
    expect(straight.code, straight.stderr).toBe(0);
    expect(await lastStep('straight')).toBe(stopped + 3);
    const a = await readFile(join(dir, 'int', 'n2n-fast.bin'));
    const b = await readFile(join(dir, 'straight', 'n2n-fast.bin'));
    expect(a.equals(b)).toBe(true);
  }, 180_000);

  it('stops at once on SIGTERM while the training pairs are rendered, writing no checkpoint', async () => {
    const base = JSON.parse(await readFile(CONFIG, 'utf8'));
    await writeFile(join(dir, 'data.json'), JSON.stringify({ ...base, name: 'data', data: { ...base.data, scenes: 200 } }));
    const r = await runAndSignal(['train', '--config', 'data.json', '--data-threads', '0', '--cache', 'none', '--out', 'data'], /rendering training pairs 2\/200/, 'SIGTERM');
    expect(r.signalled, r.stderr).toBe(true);
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toMatch(/tracelab: SIGTERM: stopped before the training steps began; the last checkpoint in data is kept/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'data', 'checkpoint.tlck'))).toBe(false);
  }, 120_000);
});
