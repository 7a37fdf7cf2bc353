// The CLI test helper: a run that hangs is killed at the limit with what it was doing in its stderr, so a rare
// hang in CI leaves a diagnosis behind instead of only "expected -1 to be 0".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliRunner } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tracelab-cli-helper-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cliRunner', () => {
  // a preloaded module that never finishes loading, so the CLI never starts (no spaces: NODE_OPTIONS splits on them;
  // Promise.race([]) never settles): waiting with an interval keeping the event loop alive, or busy on the main thread
  const idle = 'data:text/javascript,setInterval(()=>{},500);await(Promise.race([]))';
  const busy = 'data:text/javascript,for(globalThis.t0=Date.now();Date.now()-t0<8000;);';

  it('kills a waiting run past its limit with its JavaScript stack and active handles', async () => {
    const t0 = performance.now();
    const r = await cliRunner(dir, { NODE_OPTIONS: `--import=${idle}` }, 5000)('scenes');
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(r.code).toBe(-1);
    expect(r.stderr).toMatch(/^cli test helper: no exit after 5 s: killed\. CPU over the last 2 s by thread \(\d+ threads\): /m);
    expect(r.stderr).toMatch(/^javascript stack: .+/m);
    expect(r.stderr).toMatch(/^active handles: .*timer \(ref\)/m);
    expect(r.stderr).not.toMatch(/"reportVersion"/); // the report's own line is summarised, not kept
  }, 40_000);

  it('kills a busy run past its limit and names the thread that used the CPU', async () => {
    const r = await cliRunner(dir, { NODE_OPTIONS: `--import=${busy}` }, 5000)('scenes');
    expect(r.code).toBe(-1);
    const head = /^cli test helper: no exit after 5 s: killed\. CPU over the last 2 s by thread \(\d+ threads\): (.*)$/m.exec(r.stderr);
    expect(head, r.stderr).not.toBeNull();
    // the main thread spins throughout: at least a tenth of the 2 s even on a loaded 2-core machine
    expect(Number(/(?:^|, )node ([\d.]+) s/.exec(head![1])?.[1]), head![1]).toBeGreaterThan(0.2);
    expect(r.stderr).toMatch(/^no diagnostic report came: the main thread did not get back to its event loop/m);
  }, 40_000);

  it('passes a run that ends in time through unchanged', async () => {
    const r = await cliRunner(dir)('scenes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/cli test helper/);
  }, 60_000);
});
