// Output and cache directories named on the command line, checked before any long work (a render, a training
// data set) so that a path that cannot hold the results fails at once with the option's name, not after the work.
import { accessSync, constants, statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { makeDirectory } from '../node/make-directory.ts';
import { UsageError } from './args.ts';

/**
 * Why `dir` could not become a writable directory without creating anything, or null when it could: it is one,
 * or its nearest existing ancestor is a writable directory. `message` is the phrase for the directory itself,
 * `reason` the cause alone (for a file in it).
 */
function dirProblem(dir: string): { message: string; reason: string } | null {
  let p = resolve(dir);
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(p) !== p) {
        p = dirname(p);
        continue;
      }
      const reason = `${code ?? (e as Error).message} at ${p}`;
      return { message: `cannot be created (${reason})`, reason };
    }
    if (!st.isDirectory()) return { message: `cannot be created as a directory (${p} is a file)`, reason: `${p} is a file` };
    try {
      accessSync(p, constants.W_OK);
    } catch {
      return { message: `${p} is not writable`, reason: `${p} is not writable` };
    }
    return null;
  }
}

/**
 * Fails (UsageError naming --<option>) unless `dir` is a writable directory or could be created as one: its nearest
 * existing ancestor is a writable directory. Creates nothing.
 */
export function checkOutDir(dir: string, option = 'out'): void {
  if (dir.trim() === '') throw new UsageError(`--${option} must name a directory`);
  const problem = dirProblem(dir);
  if (!problem) return;
  throw new UsageError(`--${option} ${dir}: ${problem.message}`);
}

/**
 * Fails (UsageError naming --<option> and the file) unless `file` could be written: it is not a directory, and its
 * directory is writable or could be created. Creates nothing; for outputs written after long work (a render).
 */
export function checkOutFile(file: string, option = 'out'): void {
  if (file.trim() === '') throw new UsageError(`--${option} must name a file`);
  let st;
  try {
    st = statSync(file);
  } catch {
    st = null; // no such file (or a parent is not a directory: dirProblem names it)
  }
  if (st?.isDirectory()) throw new UsageError(`--${option} ${file}: is a directory, not a file`);
  const problem = dirProblem(dirname(resolve(file)));
  if (problem) throw new UsageError(`--${option} ${file}: cannot be written there (${problem.reason})`);
}

const WHY: Record<string, string> = {
  ENOTDIR: 'it or one of its parents is a file',
  ENOENT: 'the file system refuses it',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left',
};

/**
 * Creates `dir` (and missing parents) unless it exists, and checks that it is a writable directory; fails with a
 * UsageError that starts with `label` (an option, '--cache', or words such as 'the run directory') and the path.
 * For directories that are written into from the start, or that must be usable before long work is spent on their
 * contents (reference caches, training runs).
 */
export async function prepareDir(dir: string, label: string): Promise<void> {
  if (dir.trim() === '') throw new UsageError(`${label} must name a directory`);
  try {
    await makeDirectory(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code ? WHY[code] : undefined;
    throw new UsageError(`${label} ${dir}: cannot be created as a directory (${why ? `${why}, ` : ''}${code ?? (e as Error).message})`);
  }
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${label} ${dir}: is not writable`);
  }
}
