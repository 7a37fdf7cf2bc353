// PathTracer.setCamera: moving the camera of a live tracer must give exactly the render of a tracer built with
// that camera (same seed, same sample indices), clear the film, and leave the caller's compiled scene alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findScene } from '../../scenes/index.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { PathTracer } from '../../src/render/path-tracer.ts';
import { compileScene, type CompiledScene } from '../../src/scene/compile.ts';

const SIZE = 16;
const SPP = 2;
const SEED = 11;

let gpu: GpuContext;
let original: CompiledScene;
let moved: CompiledScene;

beforeAll(async () => {
  gpu = await createNodeGpuContext();
  const build = findScene('cornell-box')!.build;
  original = compileScene(await build(), { name: 'cornell-box' });
  const built = await build();
  built.camera.position.x += 0.1;
  built.camera.rotateY(0.2);
  built.camera.updateMatrixWorld(true);
  moved = compileScene(built, { name: 'cornell-box moved' });
});

afterAll(() => gpu?.destroy());

async function renderColor(pt: PathTracer): Promise<Float32Array> {
  await pt.render({ spp: SPP, seed: SEED });
  return (await pt.readFrame()).color;
}

describe('PathTracer.setCamera', () => {
  it('renders exactly what a tracer compiled with that camera renders, and clears the film', async () => {
    const a = await PathTracer.create(gpu, original, { width: SIZE, height: SIZE });
    const b = await PathTracer.create(gpu, moved, { width: SIZE, height: SIZE });
    try {
      const before = await renderColor(a);
      const expected = await renderColor(b);
      expect(expected).not.toEqual(before); // the move is visible at all

      a.setCamera(moved.camera);
      expect(a.samples).toBe(0);
      expect(await a.readFrame().then((f) => f.color.every((v) => v === 0))).toBe(true);
      expect(await renderColor(a)).toEqual(expected);
      expect(a.scene.camera).toBe(original.camera); // the caller's scene is not modified

      a.setCamera(original.camera);
      expect(await renderColor(a)).toEqual(before);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('rejects a camera with non-finite values', async () => {
    const pt = await PathTracer.create(gpu, original, { width: SIZE, height: SIZE });
    try {
      expect(() => pt.setCamera({ ...original.camera, origin: [0, Number.NaN, 0] })).toThrow(/finite/);
    } finally {
      pt.destroy();
    }
  });
});
