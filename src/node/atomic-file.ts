// Writing a file so that readers see the old complete file or the new complete one, never a partial one: write
// a temporary file beside the target, then rename it over the target (atomic within a directory).
import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { makeDirectory } from './make-directory.ts';

/** Writes `data` to `path` atomically, creating missing parent directories; the temporary file never stays behind. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await makeDirectory(dir);
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
