// Fails the run at once, with the fix, when this machine has no WebGPU adapter (instead of every GPU test
// failing on its own). The check runs in a child process so that the test runner's own process never loads the
// native WebGPU bindings: a crash there would end the whole run instead of failing one test file.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default function setup(): void {
  const r = spawnSync(process.execPath, ['bin/run-ts.js', 'tests/setup/adapter-check.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) {
    const why = r.stderr.trim().split('\n').filter((l) => !/artificially reduced|XDG_RUNTIME_DIR/.test(l)).pop();
    throw new Error(why || `the WebGPU adapter check ended with ${r.signal ?? `status ${r.status}`}`);
  }
  console.log(`WebGPU adapter: ${r.stdout.trim()}`);
}
