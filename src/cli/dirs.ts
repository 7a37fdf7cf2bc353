// Output and cache directories named on the command line, checked before any long work (a render, a training
// data set) so that a path that cannot hold the results fails at once with the option's name, not after the work.
import { statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { makeDirectory } from '../node/make-directory.ts';
import { UsageError } from './args.ts';

/**
 * Fails (UsageError naming --out) unless `dir` is a writable directory or could be created as one: its nearest
 * existing ancestor is a writable directory. Creates nothing.
 */
export async function checkOutDir(dir: string, option = 'out'): Promise<void> {
  if (dir.trim() === '') throw new UsageError(`--${option} must name a directory`);
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
      throw new UsageError(`--${option} ${dir}: cannot be created (${code ?? (e as Error).message} at ${p})`);
    }
    if (!st.isDirectory()) throw new UsageError(`--${option} ${dir}: cannot be created as a directory (${p} is a file)`);
    try {
      await access(p, 2 /* W_OK */);
    } catch {
      throw new UsageError(`--${option} ${dir}: ${p} is not writable`);
    }
    return;
  }
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
    await access(dir, 2 /* W_OK */);
  } catch {
    throw new UsageError(`${label} ${dir}: is not writable`);
  }
}
