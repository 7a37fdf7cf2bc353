// Procedural scenes by name (`procedural-<8 hex digits>`, e.g. the denoiser's validation scenes) in the CLI: render,
// reference and compare build the generator's scene with its own sky, as the training code does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileProceduralScene, proceduralScene } from '../../scenes/procedural.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { readImageFile } from '../../src/node/image-files.ts';
import { compileScene } from '../../src/scene/compile.ts';
import { cliRunner, expectCleanFailure } from '../support/cli.ts';
import { renderCompiled } from '../support/render.ts';

const dir = mkdtempSync(join(tmpdir(), 'tracelab-procedural-'));
const tracelab = cliRunner(dir);
let gpu: GpuContext;
beforeAll(async () => {
  gpu = await createNodeGpuContext();
});
afterAll(() => {
  gpu?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const SEED = 0x7000_0002; // validation scene 2: outdoor, under a sky map
const settings = { width: 16, height: 16, spp: 2, seed: 3, maxDepth: 8 };

describe('procedural scenes by name', () => {
  it('render procedural-70000002 renders the generator\'s scene with its sky map, as the training code compiles it', async () => {
    const r = await tracelab('render', 'procedural-70000002', '--spp', '2', '--size', '16x16', '--seed', '3', '--out', 'p.pfm');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/scene: procedural-70000002, /);
    const cli = await readImageFile(join(dir, 'p.pfm'));
    const expected = await renderCompiled(gpu, compileProceduralScene(SEED), settings);
    let maxDiff = 0;
    for (let i = 0; i < expected.color.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cli.data[i] - expected.color[i]) / (1e-3 + Math.abs(expected.color[i])));
    expect(maxDiff).toBeLessThan(1e-4);
    // without the scene's own environment (the constant stand-in) the image would differ: the sky map matters here
    const built = proceduralScene(SEED);
    const flat = await renderCompiled(gpu, compileScene(built, { name: 'flat-sky' }), settings);
    let diff = 0;
    for (let i = 0; i < flat.color.length; i++) diff += Math.abs(flat.color[i] - expected.color[i]);
    expect(diff / flat.color.length).toBeGreaterThan(1e-3);
  }, 120_000);

  it('a malformed procedural name is an unknown scene that says what names exist', async () => {
    expectCleanFailure(await tracelab('render', 'procedural-7', '--out', 'never.png'), /unknown scene 'procedural-7': .*procedural-<8 hex digits>, e\.g\. procedural-70000000/);
  });
});
