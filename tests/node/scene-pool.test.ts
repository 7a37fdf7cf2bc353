// Scene-compiling workers for the training data: a scene built on a worker is the very scene built here, jobs
// come back to the right callers whatever order they finish in, and a worker that cannot start fails the pool's
// promises with a message instead of hanging them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileProceduralScene, trainingSeed, VALIDATION_SEEDS } from '../../scenes/procedural.ts';
import { sceneContentHash } from '../../src/harness/reference-cache.ts';
import { ScenePool } from '../../src/node/scene-pool.ts';

const BIN = new URL('../../bin/tracelab.js', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'tracelab-pool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ScenePool', () => {
  it('builds the same scenes as this thread, each answered to its own request', async () => {
    const seeds = [trainingSeed(0), trainingSeed(7), trainingSeed(401), VALIDATION_SEEDS[2], trainingSeed(7)];
    const pool = new ScenePool(2, BIN);
    try {
      const scenes = await Promise.all(seeds.map((s) => pool.compile(s)));
      for (const [i, seed] of seeds.entries()) {
        const here = compileProceduralScene(seed);
        expect(scenes[i].name).toBe(here.name);
        expect(sceneContentHash(scenes[i])).toBe(sceneContentHash(here));
        expect(scenes[i].triPos).toBeInstanceOf(Float32Array);
      }
      expect(sceneContentHash(scenes[0])).not.toBe(sceneContentHash(scenes[1]));
    } finally {
      await pool.destroy();
    }
  }, 120_000);

  it('rejects (does not hang) when its workers cannot run, and after destroy', async () => {
    const broken = join(tmp, 'broken.mjs');
    writeFileSync(broken, "throw new Error('no scenes here');\n");
    const pool = new ScenePool(1, broken);
    await expect(pool.compile(1)).rejects.toThrow(/scene worker failed: no scenes here/);
    await expect(pool.compile(2)).rejects.toThrow(/scene worker failed/);
    await pool.destroy();
    const ok = new ScenePool(1, BIN);
    await ok.destroy();
    await expect(ok.compile(1)).rejects.toThrow(/ScenePool is closed/);
    expect(() => new ScenePool(0, BIN)).toThrow(/at least one thread/);
  }, 60_000);
});
