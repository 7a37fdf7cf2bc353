// makeDirectory: Node's recursive mkdir without its endless retry on a path the file system will not hold.
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirectory } from '../../src/node/make-directory.ts';

const dir = mkdtempSync(join(tmpdir(), 'tracelab-mkdir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('makeDirectory', () => {
  it('makes missing parents, and accepts a directory (or a link to one) that exists', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    await makeDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    await makeDirectory(deep);
    await makeDirectory(join(dir, 'a', 'b', '..', 'b')); // (join normalises this one; the next is relative)
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await makeDirectory('rel/x');
      await makeDirectory('rel');
    } finally {
      process.chdir(cwd);
    }
    expect(statSync(join(dir, 'rel', 'x')).isDirectory()).toBe(true);
    symlinkSync(join(dir, 'a'), join(dir, 'link'));
    await makeDirectory(join(dir, 'link'));
    await makeDirectory(join(dir, 'link', 'd'));
    expect(statSync(join(dir, 'a', 'd')).isDirectory()).toBe(true);
  });

  it('rejects a file, a path through a file and a dangling link with ENOTDIR, creating nothing', async () => {
    writeFileSync(join(dir, 'file'), 'x');
    await expect(makeDirectory(join(dir, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeDirectory(join(dir, 'file', 'sub', 'deeper'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    await expect(makeDirectory(join(dir, 'dangling', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });

  // Node's own mkdir(path, { recursive: true }) spins forever here: procfs answers ENOENT for a new name in /proc,
  // whose parent exists. makeDirectory retries each level once, so it rejects.
  it.runIf(process.platform === 'linux' && existsSync('/proc/self'))('rejects a path under /proc instead of retrying forever', async () => {
    await expect(makeDirectory('/proc/tracelab-no-such-dir/sub')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
