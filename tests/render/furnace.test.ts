// Analytic scenes with known radiance: white furnaces (diffuse and smooth glass spheres under a uniform
// environment of radiance 1 render 1) and a closed emitting sphere (Le / (1 - albedo) = 2 everywhere).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { SPHERE_INTERIOR_RADIANCE } from '../../scenes/analytic.ts';
import { compileBuiltin, regionStat, renderCompiled } from '../support/render.ts';

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await createNodeGpuContext();
});
afterAll(() => gpu?.destroy());

// Unbounded depth: Russian roulette ends paths without bias; a depth cap would lose energy.
const DEPTH = 1000;

describe('analytic scenes', () => {
  for (const [scene, expected] of [
    ['furnace-diffuse', 1],
    ['furnace-glass', 1],
    ['sphere-interior', SPHERE_INTERIOR_RADIANCE],
  ] as const) {
    it(`${scene} renders ${expected} everywhere within 3 standard errors`, async () => {
      const compiled = await compileBuiltin(scene);
      const f = await renderCompiled(gpu, compiled, { width: 32, height: 32, spp: 64, seed: 7, maxDepth: DEPTH });
      for (let c = 0; c < 3; c++) {
        const s = regionStat(f, 0, 0, f.width, f.height, c);
        expect(s.se).toBeGreaterThan(0);
        expect(Math.abs(s.mean - expected), `channel ${c}: ${s.mean} +- ${s.se}`).toBeLessThan(3 * s.se);
      }
      // And the centre of the image (the sphere itself) on its own.
      const centre = regionStat(f, 8, 8, 24, 24);
      expect(Math.abs(centre.mean - expected), `centre ${centre.mean} +- ${centre.se}`).toBeLessThan(3 * centre.se);
    });
  }
});
