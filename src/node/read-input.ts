// Reading a file that the user named as an input (an image, a scene, weights, a spec or a config). Node's readFile
// reads a character device such as /dev/zero or /dev/urandom without end (until memory runs out), so a device is
// refused before anything is read; regular files and pipes (`<(...)`, a piped /dev/stdin), which end, are read as
// usual. The refusal is an Error without a `code`, whose message says what is wrong ("/dev/zero is a device, not a
// file"), so callers that print `code ?? message` print it.
import { open } from 'node:fs/promises';

export async function readInputFile(path: string): Promise<Buffer>;
export async function readInputFile(path: string, encoding: 'utf8'): Promise<string>;
export async function readInputFile(path: string, encoding?: 'utf8'): Promise<Buffer | string> {
  const file = await open(path, 'r');
  try {
    const st = await file.stat();
    if (st.isCharacterDevice() || st.isBlockDevice()) throw new Error(`${path} is a device, not a file`);
    return encoding ? await file.readFile(encoding) : await file.readFile();
  } finally {
    await file.close();
  }
}
