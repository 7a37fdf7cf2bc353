// Scene compilation (CPU): material mapping, emitter table, octahedral normals, environment CDFs, bad input.
import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { buildCornellBox } from '../../scenes/cornell-box.ts';
import { SceneError } from '../../src/scene/built-scene.ts';
import { compileScene, octEncode } from '../../src/scene/compile.ts';
import { compileEnvironment } from '../../src/scene/environment.ts';
import { aliasTableProbabilities, buildLightTable, luminance } from '../../src/scene/lights.ts';
import { MaterialKind } from '../../src/render/layout.ts';
import { compileMaterial } from '../../src/scene/materials.ts';
import { mulberry32 } from '../support/random.ts';

function octDecode(p: number): [number, number, number] {
  const sx = ((p & 0xffff) << 16) >> 16, sy = p >> 16;
  const ex = Math.max(-1, sx / 32767), ey = Math.max(-1, sy / 32767);
  let x = ex, y = ey;
  const z = 1 - Math.abs(ex) - Math.abs(ey);
  if (z < 0) { x = (1 - Math.abs(ey)) * (ex >= 0 ? 1 : -1); y = (1 - Math.abs(ex)) * (ey >= 0 ? 1 : -1); }
  const l = Math.hypot(x, y, z);
  return [x / l, y / l, z / l];
}

describe('compileScene', () => {
  it('compiles the Cornell box: triangles, one emitter pair facing down, total power', () => {
    const c = compileScene(buildCornellBox(), { name: 'cornell' });
    expect(c.triangleCount).toBeGreaterThanOrEqual(30);
    expect(c.lights.count).toBe(2);
    // Light: 130 x 105 mm, emission (17, 12, 4), single-sided.
    const area = 0.13 * 0.105;
    expect(c.lights.totalPower).toBeCloseTo(luminance(17, 12, 4) * area, 4);
    expect(c.triPos.length).toBe(c.triangleCount * 12);
  });

  it('rejects NaN vertices and empty scenes with a SceneError naming the mesh', () => {
    const scene = new THREE.Scene();
    const g = new THREE.BufferGeometry();
    g.setAttribute('position', new THREE.Float32BufferAttribute([0, 0, 0, 1, 0, 0, 0, NaN, 0], 3));
    scene.add(Object.assign(new THREE.Mesh(g, new THREE.MeshLambertMaterial()), { name: 'broken' }));
    const camera = new THREE.PerspectiveCamera();
    expect(() => compileScene({ scene, camera }, { name: 'bad.glb' })).toThrow(SceneError);
    expect(() => compileScene({ scene, camera }, { name: 'bad.glb' })).toThrow(/bad\.glb: broken has a non-finite vertex/);
    expect(() => compileScene({ scene: new THREE.Scene(), camera }, { name: 'empty' })).toThrow(/no triangles/);
  });

  it('maps three.js materials to the renderer model', () => {
    const w: string[] = [];
    expect(compileMaterial(new THREE.MeshLambertMaterial(), w).kind).toBe(MaterialKind.Diffuse);
    expect(compileMaterial(new THREE.MeshStandardMaterial({ metalness: 1 }), w).kind).toBe(MaterialKind.Conductor);
    expect(compileMaterial(new THREE.MeshStandardMaterial({ metalness: 0.3 }), w).kind).toBe(MaterialKind.Standard);
    expect(compileMaterial(new THREE.MeshPhysicalMaterial({ transmission: 1, ior: 1.33 }), w)).toMatchObject({ kind: MaterialKind.Dielectric, ior: 1.33 });
    expect(compileMaterial(new THREE.MeshPhysicalMaterial({ specularIntensity: 0 }), w).kind).toBe(MaterialKind.Diffuse);
    const e = compileMaterial(new THREE.MeshStandardMaterial({ emissive: 0xffffff, emissiveIntensity: 5, side: THREE.DoubleSide }), w);
    expect(e.emission).toEqual([5, 5, 5]);
    expect(e.flags).toBe(1);
    expect(w).toEqual([]);
    compileMaterial(new THREE.MeshBasicMaterial(), w);
    expect(w[0]).toMatch(/not supported/);
  });

  it('octahedral normals round-trip within 1e-4', () => {
    const rng = mulberry32(1);
    for (let i = 0; i < 2000; i++) {
      const z = 2 * rng() - 1, phi = 2 * Math.PI * rng(), r = Math.sqrt(1 - z * z);
      const v: [number, number, number] = [r * Math.cos(phi), r * Math.sin(phi), z];
      const d = octDecode(octEncode(...v));
      expect(Math.hypot(d[0] - v[0], d[1] - v[1], d[2] - v[2])).toBeLessThan(1e-4);
    }
  });
});

describe('light table', () => {
  it('picks each emitter in proportion to its power', () => {
    const powers = [1, 5, 0.25, 3, 3, 0.01, 7];
    const t = buildLightTable(powers.map((_, i) => i * 10), powers);
    const p = aliasTableProbabilities(t);
    const total = powers.reduce((a, b) => a + b);
    powers.forEach((w, i) => expect(p[i]).toBeCloseTo(w / total, 6));
  });
});

describe('environment map CDFs', () => {
  it('marginal and conditional CDFs are monotone and end at 1', () => {
    const w = 8, h = 4;
    const data = new Float32Array(w * h * 3).map((_, i) => (i % 7) + 0.1);
    const env = compileEnvironment({ kind: 'map', width: w, height: h, channels: 3, data });
    const cdf = (i: number) => env.data[i * 4];
    expect(cdf(env.marginalOffset)).toBe(0);
    expect(cdf(env.marginalOffset + h)).toBeCloseTo(1, 6);
    for (let y = 0; y < h; y++) {
      const base = env.conditionalOffset + y * (w + 1);
      expect(cdf(base + w)).toBeCloseTo(1, 6);
      for (let x = 0; x < w; x++) expect(cdf(base + x + 1)).toBeGreaterThanOrEqual(cdf(base + x));
    }
  });
  it('rejects a black map', () => {
    expect(() => compileEnvironment({ kind: 'map', width: 2, height: 2, channels: 3, data: new Float32Array(12), name: 'sky.hdr' })).toThrow(/sky\.hdr.*black/);
  });
});
