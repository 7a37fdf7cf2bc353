// readInputFile: a file the user named as an input, read as readFile would, except that a device (/dev/zero,
// which readFile reads without end) is refused before anything is read.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInputFile } from '../../src/node/read-input.ts';

const dir = mkdtempSync(join(tmpdir(), 'tracelab-read-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readInputFile', () => {
  it('reads a regular file as bytes or as text', async () => {
    writeFileSync(join(dir, 'a.txt'), 'héllo');
    expect(await readInputFile(join(dir, 'a.txt'), 'utf8')).toBe('héllo');
    expect([...(await readInputFile(join(dir, 'a.txt')))]).toEqual([...Buffer.from('héllo')]);
  });

  it('refuses a device at once, with a message and no errno code', async () => {
    for (const device of ['/dev/zero', '/dev/urandom', '/dev/null']) {
      const error = await readInputFile(device).then(() => null, (e: unknown) => e as NodeJS.ErrnoException);
      expect(error?.message).toBe(`${device} is a device, not a file`);
      expect(error?.code).toBeUndefined();
    }
  });

  it('passes on what the file system says about a missing file or a directory', async () => {
    await expect(readInputFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readInputFile(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('reads a pipe to its end (process substitution still works)', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', `printf 'from a pipe' > '${fifo}'`]);
    const exited = new Promise((done) => writer.on('exit', done));
    expect(await readInputFile(fifo, 'utf8')).toBe('from a pipe');
    expect(await exited).toBe(0);
  });
});
