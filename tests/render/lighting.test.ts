// Environment maps (importance sampling against BSDF sampling), emitter sidedness, and the thin-lens camera.
import * as THREE from 'three';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCornellBox } from '../../scenes/cornell-box.ts';
import { buildFurnaceDiffuse } from '../../scenes/analytic.ts';
import { lambert, lookAtCamera, sceneOf, setEmission } from '../../scenes/util.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { zTest } from '../../src/harness/ztest.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { EstimatorMode } from '../../src/render/layout.ts';
import type { FrameData } from '../../src/render/path-tracer.ts';
import { compileScene } from '../../src/scene/compile.ts';
import type { EnvironmentInput } from '../../src/scene/environment.ts';
import { regionStat, renderCompiled, sidakZ } from '../support/render.ts';

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await createNodeGpuContext();
});
afterAll(() => gpu?.destroy());

/** An equirectangular map with a small very bright "sun", a sky gradient and a dark ground. */
function skyMap(w = 64, h = 32): EnvironmentInput {
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const sky = y < h / 2 ? 0.3 + (0.7 * y) / h : 0.05;
      const sun = Math.abs(x - 20) <= 1 && Math.abs(y - 8) <= 1 ? 400 : 0;
      data[i] = sky + sun;
      data[i + 1] = sky * 1.1 + sun * 0.9;
      data[i + 2] = sky * 1.4 + sun * 0.7;
    }
  }
  return { kind: 'map', width: w, height: h, channels: 3, data, name: 'test sky' };
}

describe('environment maps', () => {
  it('a map that is 1 everywhere is a white furnace: the albedo-1 sphere renders 1', async () => {
    const data = new Float32Array(16 * 8 * 3).fill(1);
    const scene = compileScene(buildFurnaceDiffuse(), { name: 'furnace-map', environment: { kind: 'map', width: 16, height: 8, channels: 3, data } });
    const f = await renderCompiled(gpu, scene, { width: 24, height: 24, spp: 64, seed: 2, maxDepth: 1000 });
    for (let c = 0; c < 3; c++) {
      const s = regionStat(f, 0, 0, 24, 24, c);
      expect(Math.abs(s.mean - 1), `${s.mean} +- ${s.se}`).toBeLessThan(3 * s.se);
    }
  });

  it('environment NEE (importance sampled) and BSDF sampling agree under a sky with a sun', async () => {
    // A diffuse sphere on a diffuse ground plane, lit only by the map.
    const sphere = new THREE.Mesh(new THREE.SphereGeometry(1, 64, 32), lambert([0.8, 0.8, 0.8]));
    const ground = new THREE.Mesh(new THREE.PlaneGeometry(20, 20).rotateX(-Math.PI / 2).translate(0, -1, 0), lambert([0.5, 0.4, 0.3]));
    const camera = lookAtCamera({ position: [0, 1.5, 4], target: [0, -0.2, 0], fovDeg: 50, aspect: 1 });
    const scene = compileScene({ scene: sceneOf('sky test', [sphere, ground]), camera }, { name: 'sky', environment: skyMap() });
    const size = 24;
    const render = (mode: EstimatorMode, spp: number) => renderCompiled(gpu, scene, { width: size, height: size, spp, seed: 4, mode, maxDepth: 3 });
    const frames: Record<string, FrameData> = { mis: await render(EstimatorMode.MIS, 256), nee: await render(EstimatorMode.NEE, 256), bsdf: await render(EstimatorMode.BSDF, 1024) };
    const grid = 4;
    const cell = size / grid;
    const pairs = [['mis', 'nee'], ['mis', 'bsdf'], ['nee', 'bsdf']] as const;
    const z = sidakZ(0.01, grid * grid * pairs.length);
    for (let gy = 0; gy < grid; gy++) {
      for (let gx = 0; gx < grid; gx++) {
        for (const [a, b] of pairs) {
          const sa = regionStat(frames[a], gx * cell, gy * cell, (gx + 1) * cell, (gy + 1) * cell);
          const sb = regionStat(frames[b], gx * cell, gy * cell, (gx + 1) * cell, (gy + 1) * cell);
          expect(Math.abs(sa.mean - sb.mean) / Math.hypot(sa.se, sb.se), `region ${gx},${gy} ${a} ${sa.mean} vs ${b} ${sb.mean}`).toBeLessThan(z);
        }
      }
    }
    // Importance sampling the sun pays off: NEE's variance on the sphere is far below BSDF sampling's.
    const v = (f: FrameData) => f.variance.reduce((s, x) => s + x, 0);
    expect(v(frames.nee)).toBeLessThan(v(frames.bsdf) / 4);
  });
});

describe('emitters', () => {
  /** A 1x1 quad light facing +z or -z at the origin, seen from +z, over a diffuse floor. */
  function quadScene(faceCamera: boolean, doubleSided: boolean) {
    const geom = new THREE.PlaneGeometry(1, 1); // front face towards +z
    if (!faceCamera) geom.rotateY(Math.PI);
    const m = lambert([0, 0, 0], 'light');
    setEmission(m, [3, 2, 1]);
    if (doubleSided) m.side = THREE.DoubleSide;
    const light = new THREE.Mesh(geom, m);
    const camera = lookAtCamera({ position: [0, 0, 3], target: [0, 0, 0], fovDeg: 20, aspect: 1 });
    return compileScene({ scene: sceneOf('quad', [light]), camera }, { name: 'quad' });
  }
  it('emit from the front face only unless double-sided', async () => {
    const centre = async (faceCamera: boolean, doubleSided: boolean) => {
      const f = await renderCompiled(gpu, quadScene(faceCamera, doubleSided), { width: 8, height: 8, spp: 4, seed: 1 });
      const i = (4 * 8 + 4) * 3;
      return [f.color[i], f.color[i + 1], f.color[i + 2]];
    };
    expect(await centre(true, false)).toEqual([3, 2, 1]);
    expect(await centre(false, false)).toEqual([0, 0, 0]);
    expect(await centre(false, true)).toEqual([3, 2, 1]);
  });

  it('a floor is lit by a light facing it and not by one facing away', async () => {
    const build = (facing: 'down' | 'up') => {
      const floor = new THREE.Mesh(new THREE.PlaneGeometry(4, 4).rotateX(-Math.PI / 2), lambert([0.5, 0.5, 0.5]));
      const m = lambert([0, 0, 0], 'light');
      setEmission(m, [5, 5, 5]);
      const quad = new THREE.PlaneGeometry(0.5, 0.5).rotateX(facing === 'down' ? Math.PI / 2 : -Math.PI / 2).translate(0, 1, 0);
      const camera = lookAtCamera({ position: [0, 2, 3], target: [0, 0, 0], fovDeg: 40, aspect: 1 });
      return compileScene({ scene: sceneOf('floor', [floor, new THREE.Mesh(quad, m)]), camera }, { name: `floor-${facing}` });
    };
    const lit = await renderCompiled(gpu, build('down'), { width: 16, height: 16, spp: 16, seed: 1 });
    const dark = await renderCompiled(gpu, build('up'), { width: 16, height: 16, spp: 16, seed: 1 });
    const s = regionStat(lit, 0, 8, 16, 16);
    expect(s.mean).toBeGreaterThan(5 * s.se);
    expect(regionStat(dark, 0, 8, 16, 16).mean).toBe(0);
  });
});

describe('thin-lens camera', () => {
  const render = async (apertureRadius: number) => {
    const built = buildCornellBox();
    built.camera.userData.apertureRadius = apertureRadius;
    built.camera.focus = 0.8 + 0.2795; // the blocks' depth: the back wall and the light go out of focus
    const scene = compileScene(built, { name: `cornell lens ${apertureRadius}` });
    const f = await renderCompiled(gpu, scene, { width: 32, height: 32, spp: 256, seed: 9, maxDepth: 4 });
    return { width: 32, height: 32, spp: f.spp, mean: f.color, variance: f.variance };
  };
  it('a vanishing aperture converges to the pinhole image; a wide one does not', async () => {
    const pinhole = await render(0);
    expect(zTest(await render(1e-6), pinhole).ok).toBe(true);
    // Radius 0.15 m blurs the back wall's edges over several pixels.
    expect(zTest(await render(0.15), pinhole).ok).toBe(false);
  });
});
