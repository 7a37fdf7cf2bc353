// Running the tracelab CLI from tests: spawn bin/tracelab.js in a scratch directory and check that bad input
// fails the way the CLI promises (one line on stderr, `tracelab: error: ...`, non-zero exit, no stack trace).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';

const BIN = new URL('../../bin/tracelab.js', import.meta.url).pathname;

/** A run still going after this long is killed (after the diagnosis below, which takes {@link DIAGNOSIS_MS}). */
const DEFAULT_LIMIT_MS = 60_000;
const DIAGNOSIS_MS = 2_000;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** CPU seconds (user + system) of each of a process's threads, by thread id, with the thread's name; {} off Linux. */
function threadCpu(pid: number): Record<string, { name: string; seconds: number }> {
  const out: Record<string, { name: string; seconds: number }> = {};
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
      out[tid] = { name, seconds: (Number(fields[11]) + Number(fields[12])) / 100 }; // utime, stime in clock ticks
    }
  } catch {
    // the process or a thread ended meanwhile, or no /proc
  }
  return out;
}

/**
 * What a hung run was doing, for the test's failure message: which threads used the CPU over the diagnosis's
 * interval (busy: the GPU work or a loop still running; idle: waiting on something that never came), and from
 * Node's diagnostic report (SIGUSR2, `--report-on-signal`: written from the event loop, so only by a process that
 * gets back to it) the JavaScript stack and the event loop's active handles. The report's own line is taken out of
 * `stderr`.
 */
function diagnose(limitMs: number, stderr: string, before: ReturnType<typeof threadCpu>, after: ReturnType<typeof threadCpu>): string {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith('{"header":{"reportVersion"'));
  const busy = Object.entries(after)
    .map(([tid, t]) => ({ name: t.name, used: t.seconds - (before[tid]?.seconds ?? 0) }))
    .filter((t) => t.used > 0)
    .map((t) => `${t.name} ${t.used.toFixed(2)} s`);
  const out = [`cli test helper: no exit after ${limitMs / 1000} s: killed. CPU over the last ${DIAGNOSIS_MS / 1000} s by thread (${Object.keys(after).length} threads): ${busy.join(', ') || 'none (idle: waiting)'}`];
  if (at >= 0) {
    try {
      const r = JSON.parse(lines[at]) as {
        javascriptStack?: { message?: string; stack?: string[] };
        libuv?: Array<{ type: string; is_active?: boolean; is_referenced?: boolean }>;
      };
      const handles = (r.libuv ?? []).filter((h) => h.is_active && h.type !== 'loop').map((h) => `${h.type}${h.is_referenced ? ' (ref)' : ''}`);
      out.push(`javascript stack: ${[r.javascriptStack?.message, ...(r.javascriptStack?.stack ?? [])].filter(Boolean).join(' | ') || '(none: in the event loop)'}`);
      out.push(`active handles: ${handles.join(', ') || 'none'}`);
    } catch (e) {
      out.push(`(its diagnostic report did not parse: ${(e as Error).message})`);
    }
    lines.splice(at, 1);
  } else {
    out.push('no diagnostic report came: the main thread did not get back to its event loop (busy in JavaScript or native code)');
  }
  return [...lines, ...out].join('\n');
}

/**
 * A function running `tracelab ...args` with `cwd` as its working directory (and `env` added to the environment). A
 * run still going after `limitMs` is killed, with what it was doing added to its stderr (and code -1).
 */
export function cliRunner(cwd: string, env: Record<string, string> = {}, limitMs = DEFAULT_LIMIT_MS): (...args: string[]) => Promise<CliRun> {
  return (...args) =>
    new Promise((resolve) => {
      // a hung run is diagnosed before it is killed: Node writes a diagnostic report to stderr on SIGUSR2
      const nodeOptions = [process.env.NODE_OPTIONS, env.NODE_OPTIONS, '--report-on-signal --report-compact --report-filename=stderr'].filter(Boolean).join(' ');
      const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env, NODE_OPTIONS: nodeOptions }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      let before: ReturnType<typeof threadCpu> | null = null;
      let after: ReturnType<typeof threadCpu> = {};
      const timer = setTimeout(() => {
        before = threadCpu(child.pid!);
        child.kill('SIGUSR2');
        setTimeout(() => {
          after = threadCpu(child.pid!);
          child.kill('SIGKILL');
        }, DIAGNOSIS_MS);
      }, limitMs - DIAGNOSIS_MS);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (before) resolve({ code: -1, stdout, stderr: diagnose(limitMs, stderr, before, after) });
        else resolve({ code: code ?? -1, stdout, stderr });
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
