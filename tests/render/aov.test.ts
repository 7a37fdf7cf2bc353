// Denoiser AOVs through delta bounces: albedo and normal follow smooth mirrors and glass to the first non-delta
// surface (tinted by the delta bounces), while rough surfaces keep their own; depth stays the first hit's.
// Megakernel and wavefront agree.
import * as THREE from 'three';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glass, lambert, lookAtCamera, metal, sceneOf } from '../../scenes/util.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import type { FrameData } from '../../src/render/path-tracer.ts';
import { WavefrontTracer } from '../../src/render/wavefront/wavefront-tracer.ts';
import { compileScene, type CompiledScene } from '../../src/scene/compile.ts';
import type { Vec3 } from '../../scenes/util.ts';
import { renderCompiled } from '../support/render.ts';

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await createNodeGpuContext();
});
afterAll(() => gpu?.destroy());

const SIZE = 16;
const RED: Vec3 = [0.8, 0.1, 0.05];
const GREEN: Vec3 = [0.05, 0.6, 0.1];

/**
 * Camera at z = 4 looking down -z at a 6x6 panel through the origin turned 45 degrees about y (normal (1,0,1)/sqrt 2),
 * which sends the camera's rays towards +x, where a red wall faces them at x = 3.
 */
function mirrorScene(panel: THREE.Material): CompiledScene {
  const mirror = new THREE.Mesh(new THREE.PlaneGeometry(6, 6).rotateY(Math.PI / 4), panel);
  const wall = new THREE.Mesh(new THREE.PlaneGeometry(20, 20).rotateY(-Math.PI / 2).translate(3, 0, 0), lambert(RED));
  const camera = lookAtCamera({ position: [0, 0, 4], target: [0, 0, 0], fovDeg: 20, aspect: 1 });
  return compileScene({ scene: sceneOf('aov mirror', [mirror, wall]), camera }, { name: 'aov-mirror', environment: { kind: 'constant', color: [0.5, 0.5, 0.5] } });
}

/** A clear glass slab (0.2 thick) at z = 0 in front of a green wall at z = -2, seen head-on. */
function glassScene(): CompiledScene {
  const slab = new THREE.Mesh(new THREE.BoxGeometry(6, 6, 0.2), glass(0));
  const wall = new THREE.Mesh(new THREE.PlaneGeometry(20, 20).translate(0, 0, -2), lambert(GREEN));
  const camera = lookAtCamera({ position: [0, 0, 4], target: [0, 0, 0], fovDeg: 20, aspect: 1 });
  return compileScene({ scene: sceneOf('aov glass', [slab, wall]), camera }, { name: 'aov-glass', environment: { kind: 'none' } });
}

async function renderWavefront(scene: CompiledScene, spp: number, seed: number, depths = { maxDepth: 8, rrDepth: 3 }): Promise<FrameData> {
  const wf = await WavefrontTracer.create(gpu, scene, { width: SIZE, height: SIZE, ...depths });
  try {
    await wf.render({ spp, seed });
    return await wf.readFrame();
  } finally {
    wf.destroy();
  }
}

function pixels(f: FrameData, buf: Float32Array): Vec3[] {
  const out: Vec3[] = [];
  for (let i = 0; i < f.width * f.height; i++) out.push([buf[i * 3], buf[i * 3 + 1], buf[i * 3 + 2]]);
  return out;
}

describe('denoiser AOVs through delta bounces', () => {
  it('a smooth mirror (F0 = 1) shows the reflected wall\'s albedo and normal; depth is the mirror\'s', async () => {
    const scene = mirrorScene(metal([1, 1, 1], 0));
    for (const f of [await renderCompiled(gpu, scene, { width: SIZE, height: SIZE, spp: 4, seed: 1 }), await renderWavefront(scene, 4, 1)]) {
      const normals = pixels(f, f.normal);
      pixels(f, f.albedo).forEach((a, i) => {
        // Schlick with F0 = 1 is exactly 1: the albedo is the wall's.
        for (let c = 0; c < 3; c++) expect(a[c]).toBeCloseTo(RED[c], 5);
        expect(normals[i][0]).toBeCloseTo(-1, 4); // the wall faces -x, towards the reflected rays
      });
      // First-hit depth along the camera axis: the panel through the origin, 4 +- its tilt within the view.
      const centre = f.depth[(SIZE / 2) * SIZE + SIZE / 2];
      expect(Math.abs(centre - 4)).toBeLessThan(0.3);
    }
  });

  it('a tinted smooth mirror multiplies the reflected albedo by its Fresnel tint (F0 at 45 degrees, Schlick)', async () => {
    const f0: Vec3 = [0.9, 0.5, 0.2];
    const f = await renderCompiled(gpu, mirrorScene(metal(f0, 0)), { width: SIZE, height: SIZE, spp: 1, seed: 2 });
    // Centre pixel: incidence 45 degrees, Schlick F = F0 + (1 - F0)(1 - cos 45)^5.
    const w = (1 - Math.SQRT1_2) ** 5;
    const i = (SIZE / 2) * SIZE + SIZE / 2;
    for (let c = 0; c < 3; c++) expect(f.albedo[i * 3 + c]).toBeCloseTo((f0[c] + (1 - f0[c]) * w) * RED[c], 2);
  });

  it('a rough mirror keeps its own albedo (F0) and normal', async () => {
    const f0: Vec3 = [0.9, 0.5, 0.2];
    const f = await renderCompiled(gpu, mirrorScene(metal(f0, 0.5)), { width: SIZE, height: SIZE, spp: 4, seed: 3 });
    const normals = pixels(f, f.normal);
    pixels(f, f.albedo).forEach((a, i) => {
      for (let c = 0; c < 3; c++) expect(a[c]).toBeCloseTo(f0[c], 5);
      expect(normals[i][0]).toBeCloseTo(Math.SQRT1_2, 4);
      expect(normals[i][2]).toBeCloseTo(Math.SQRT1_2, 4);
    });
  });

  it('clear glass shows the wall behind it: the albedo is the wall\'s times the chance of passing through', async () => {
    const spp = 256;
    const scene = glassScene();
    // No Russian roulette and room for many internal reflections: a chain that ends inside the glass would leave
    // its (white) tint as the albedo; with these depths that takes ~60 internal reflections (probability ~0.04^60).
    const depths = { maxDepth: 64, rrDepth: 64 };
    for (const f of [await renderCompiled(gpu, scene, { width: SIZE, height: SIZE, spp, seed: 4, ...depths }), await renderWavefront(scene, spp, 4, depths)]) {
      let sum = 0;
      let n = 0;
      for (const a of pixels(f, f.albedo)) {
        // Each sample's albedo is the wall's (transmitted) or 0 (reflected back to the black environment), so
        // the mean is GREEN times the transmitted fraction, ~0.92 for two faces at ior 1.5 near normal incidence.
        const t = a[1] / GREEN[1];
        expect(a[0] / GREEN[0]).toBeCloseTo(t, 4);
        expect(a[2] / GREEN[2]).toBeCloseTo(t, 4);
        sum += t;
        n++;
      }
      // Per sample t is 0 or 1 (Bernoulli, p ~ 0.92): the mean over 256 pixels x 256 samples has s.e. ~0.001.
      expect(sum / n).toBeGreaterThan(0.9);
      expect(sum / n).toBeLessThan(0.94);
      for (let i = 0; i < SIZE * SIZE; i++) expect(Math.abs(f.normal[i * 3 + 2])).toBeGreaterThan(0.5);
    }
  });
});
