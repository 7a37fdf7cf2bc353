// Creating a directory and its missing parents without Node's `mkdir(..., { recursive: true })`, which never
// returns on a path that procfs refuses (mkdir answers ENOENT there while the parent exists, and Node's walk
// creates the parent and retries forever, sync and async alike; Node 20 and 22 on Linux). Here a parent is made at
// most once per level and a second ENOENT is final, so every call ends with the directory or with an error.
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Makes directory `path` and any missing parents; succeeds when it already is a directory, rejects (ErrnoException) otherwise. */
export async function makeDirectory(path: string): Promise<void> {
  // the path as given (the kernel resolves '..' after a link, which a lexical resolve would not); the walk up by
  // dirname ends at '.' or the root, whose dirname is itself
  try {
    await mkdir(path);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return existingDirectory(path, e);
    if (code !== 'ENOENT' || dirname(path) === path) throw e;
  }
  await makeDirectory(dirname(path));
  try {
    await mkdir(path);
  } catch (e) {
    // the parent exists now: another ENOENT means this file system will not hold the child (e.g. under /proc)
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return existingDirectory(path, e);
    throw e;
  }
}

/** EEXIST from mkdir: fine for a directory (or a link to one), an ENOTDIR error for anything else. */
async function existingDirectory(path: string, error: unknown): Promise<void> {
  const st = await stat(path).catch(() => null);
  if (st?.isDirectory()) return;
  const e = new Error(`ENOTDIR: not a directory, mkdir '${path}'`) as NodeJS.ErrnoException;
  e.code = 'ENOTDIR';
  e.path = path;
  e.cause = error;
  throw e;
}
