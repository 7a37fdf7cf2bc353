// Running the tracelab CLI from tests: spawn bin/tracelab.js in a scratch directory and check that bad input
// fails the way the CLI promises (one line on stderr, `tracelab: error: ...`, non-zero exit, no stack trace).
import { execFile } from 'node:child_process';
import { expect } from 'vitest';

const BIN = new URL('../../bin/tracelab.js', import.meta.url).pathname;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A function running `tracelab ...args` with `cwd` as its working directory (and `env` added to the environment). */
export function cliRunner(cwd: string, env: Record<string, string> = {}): (...args: string[]) => Promise<CliRun> {
  return (...args) =>
    new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { timeout: 60_000, cwd, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });
}

/** Harmless lines on stderr: Dawn's driver warnings, and the progress/adapter lines of long commands. */
const NOISE = /^Warning: maxDynamic|XDG_RUNTIME_DIR|^adapter: |^reference \[/;

/** stderr lines that are not noise. */
export function errorLines(r: CliRun): string[] {
  return r.stderr.split('\n').filter((l) => l.trim() && !NOISE.test(l));
}

/** The run failed with exit `code` (any non-zero when omitted) and exactly one error line matching `pattern`. */
export function expectCleanFailure(r: CliRun, pattern: RegExp, code?: number): void {
  if (code === undefined) expect(r.code, r.stderr).not.toBe(0);
  else expect(r.code, r.stderr).toBe(code);
  const lines = errorLines(r);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tracelab: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}
