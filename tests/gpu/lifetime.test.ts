// Dawn's Node bindings end the process when a destroyed context's GPU object is garbage-collected; the Node
// entry holds one instance for the process's life. Checked in a child process, since failing ends it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('GPU contexts in a long-lived Node process', () => {
  it('survives garbage collection after its contexts are destroyed', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', 'bin/run-ts.js', 'tests/gpu/gc-after-destroy.ts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: r.status, signal: r.signal, stderr: r.status === 0 ? '' : r.stderr }).toEqual({
      status: 0,
      signal: null,
      stderr: '',
    });
    expect(r.stdout).toContain('collected');
  });
});
