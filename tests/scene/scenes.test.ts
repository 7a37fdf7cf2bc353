import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENE, builtinScenes, findScene } from '../../scenes/index.ts';
import { CORNELL_SHORT_BLOCK_MM, CORNELL_TALL_BLOCK_MM } from '../../scenes/cornell-box.ts';
import { SPHERE_INTERIOR_RADIANCE } from '../../scenes/analytic.ts';
import type { BuiltScene } from '../../src/scene/built-scene.ts';
import { cameraHitFraction, checkNormals, isEmitter, meshesOf, parseCount, triangleCount, worldTriangles } from './scene-checks.ts';

async function build(name: string): Promise<BuiltScene> {
  const entry = findScene(name);
  if (!entry) throw new Error(`no scene ${name}`);
  return entry.build();
}

const materialOf = (mesh: THREE.Mesh) => mesh.material as THREE.Material;
const radiance = (m: THREE.MeshLambertMaterial | THREE.MeshStandardMaterial) => m.emissive.toArray().map((c) => c * m.emissiveIntensity);

describe('built-in scene list', () => {
  it('has unique names and the default scene', () => {
    const names = builtinScenes.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(findScene(DEFAULT_SCENE)).toBeDefined();
    expect(findScene('no-such-scene')).toBeUndefined();
    for (const required of ['cornell-box', 'material-test', 'glass-caustics', 'bunny-field', 'furnace-diffuse', 'furnace-glass', 'sphere-interior']) {
      expect(names).toContain(required);
    }
  });
});

describe.each(builtinScenes.map((s) => [s.name, s] as const))('scene %s', (name, entry) => {
  it('builds with the promised triangle count, valid normals, light and a camera on the content', async () => {
    const t0 = performance.now();
    const built = await entry.build();
    const ms = performance.now() - t0;
    const meshes = meshesOf(built.scene);
    const triangles = meshes.reduce((s, m) => s + triangleCount(m), 0);
    console.log(`${name}: ${triangles} triangles, ${meshes.length} meshes, built in ${ms.toFixed(1)} ms`);
    expect(Math.abs(triangles / parseCount(entry.triangles) - 1)).toBeLessThan(0.1);

    for (const mesh of meshes) {
      const g = mesh.geometry;
      expect(g.getAttribute('normal')?.count, mesh.name).toBe(g.getAttribute('position').count);
      const report = checkNormals(mesh);
      expect(report.nonFinite, mesh.name).toBe(0);
      expect(report.notUnit, mesh.name).toBe(0);
      // Shading normals agree with the counter-clockwise winding (front faces), bunny's smooth normals included.
      expect(report.againstWinding, mesh.name).toBe(0);
      expect(mesh.matrixWorld.elements.every(Number.isFinite)).toBe(true);
    }

    const emitters = meshes.filter((m) => isEmitter(materialOf(m)));
    expect(emitters.length > 0 || built.environment !== undefined).toBe(true);
    if (built.environment) expect(built.environment.color.every((c) => c >= 0 && Number.isFinite(c))).toBe(true);

    const camera = built.camera;
    expect(camera).toBeInstanceOf(THREE.PerspectiveCamera);
    expect(camera.userData.apertureRadius).toBe(0);
    expect(camera.focus).toBeGreaterThan(0);
    const view = cameraHitFraction(camera, built.scene);
    expect(view.center).toBe(true);
    expect(view.fraction).toBeGreaterThanOrEqual(0.5);
  });
});

describe('cornell-box', () => {
  it('has the published dimensions, colours and camera', async () => {
    const { scene, camera, environment } = await build('cornell-box');
    expect(environment).toBeUndefined();
    const box = new THREE.Box3().setFromObject(scene);
    expect(box.min.toArray()).toEqual([0, 0, 0]);
    expect(box.max.x).toBeCloseTo(0.556, 6);
    expect(box.max.y).toBeCloseTo(0.5488, 6);
    expect(box.max.z).toBeCloseTo(0.5592, 6);
    const all = meshesOf(scene).flatMap(worldTriangles);
    expect(all.length).toBe(36);
    // The irregular corner (549.6, 0, 559.2) and block vertices are kept exactly.
    const has = (p: readonly number[]) => all.some((t) => t.v.some((v) => v.distanceTo(new THREE.Vector3(p[0], p[1], p[2])) < 1e-6));
    expect(has([0.5496, 0, 0.5592])).toBe(true);
    for (const block of [CORNELL_SHORT_BLOCK_MM, CORNELL_TALL_BLOCK_MM]) {
      for (const v of block.top) {
        expect(has(v.map((c) => c / 1000))).toBe(true);
        expect(has([v[0] / 1000, 0, v[2] / 1000])).toBe(true);
      }
    }
    expect(camera.position.toArray().map((c) => +c.toFixed(6))).toEqual([0.278, 0.273, -0.8]);
    expect(camera.getWorldDirection(new THREE.Vector3()).toArray().map((c) => +c.toFixed(6))).toEqual([0, 0, 1]);
    expect(camera.fov).toBeCloseTo(39.3077, 3);
    expect(camera.aspect).toBe(1);

    const byName = (n: string) => meshesOf(scene).find((m) => m.name.startsWith(n))!;
    const colour = (n: string) => (materialOf(byName(n)) as THREE.MeshLambertMaterial).color.toArray();
    expect(colour('left wall')).toEqual([0.63, 0.065, 0.05].map((c) => expect.closeTo(c, 6)));
    expect(colour('right wall')).toEqual([0.14, 0.45, 0.091].map((c) => expect.closeTo(c, 6)));
    expect(colour('floor')).toEqual([0.725, 0.71, 0.68].map((c) => expect.closeTo(c, 6)));
    for (const m of meshesOf(scene)) expect(materialOf(m)).toBeInstanceOf(THREE.MeshLambertMaterial);
    // Red is on the left of the image, green on the right.
    const ndcX = (n: string) => new THREE.Box3().setFromObject(byName(n)).getCenter(new THREE.Vector3()).project(camera).x;
    expect(ndcX('left wall')).toBeLessThan(-0.5);
    expect(ndcX('right wall')).toBeGreaterThan(0.5);
  });

  it('has a downward-facing light just below the ceiling', async () => {
    const { scene } = await build('cornell-box');
    const lights = meshesOf(scene).filter((m) => isEmitter(materialOf(m)));
    expect(lights.length).toBe(1);
    expect(radiance(materialOf(lights[0]) as THREE.MeshLambertMaterial)).toEqual([17, 12, 4].map((c) => expect.closeTo(c, 5)));
    expect(materialOf(lights[0]).side).toBe(THREE.FrontSide);
    const triangles = worldTriangles(lights[0]);
    expect(triangles.length).toBe(2);
    let area = 0;
    for (const t of triangles) {
      expect(t.normal.y).toBeCloseTo(-1, 9);
      for (const v of t.v) {
        expect(v.y).toBeGreaterThan(0.548);
        expect(v.y).toBeLessThan(0.5488);
        expect(v.x).toBeGreaterThanOrEqual(0.213 - 1e-7);
        expect(v.x).toBeLessThanOrEqual(0.343 + 1e-7);
        expect(v.z).toBeGreaterThanOrEqual(0.227 - 1e-7);
        expect(v.z).toBeLessThanOrEqual(0.332 + 1e-7);
      }
      area += new THREE.Triangle(...t.v).getArea();
    }
    expect(area).toBeCloseTo(0.13 * 0.105, 6);
  });

  it('has closed blocks facing out and a room closed except its front, facing in', async () => {
    const { scene } = await build('cornell-box');
    const key = (v: THREE.Vector3) => v.toArray().map((c) => Math.round(c * 1e5)).join(',');
    const edgeCounts = (meshes: THREE.Mesh[]) => {
      const counts = new Map<string, number>();
      for (const t of meshes.flatMap(worldTriangles)) {
        for (let i = 0; i < 3; i++) {
          const e = [key(t.v[i]), key(t.v[(i + 1) % 3])].sort().join('|');
          counts.set(e, (counts.get(e) ?? 0) + 1);
        }
      }
      return [...counts.values()];
    };
    const meshes = meshesOf(scene);
    for (const name of ['short block', 'tall block']) {
      const block = meshes.filter((m) => m.name === name);
      expect(edgeCounts(block).every((c) => c === 2)).toBe(true);
      const center = new THREE.Box3().setFromObject(block[0]).getCenter(new THREE.Vector3());
      for (const t of worldTriangles(block[0])) {
        const centroid = t.v[0].clone().add(t.v[1]).add(t.v[2]).divideScalar(3);
        expect(t.normal.dot(centroid.sub(center))).toBeGreaterThan(0);
      }
    }
    const room = meshes.filter((m) => /wall|floor/.test(m.name));
    const counts = edgeCounts(room);
    expect(counts.filter((c) => c === 1).length).toBe(4); // the open front: floor, ceiling, left, right edges at z = 0
    expect(counts.every((c) => c === 1 || c === 2)).toBe(true);
    const inside = new THREE.Vector3(0.278, 0.274, 0.28);
    for (const t of room.flatMap(worldTriangles)) {
      const centroid = t.v[0].clone().add(t.v[1]).add(t.v[2]).divideScalar(3);
      expect(t.normal.dot(inside.clone().sub(centroid))).toBeGreaterThan(0);
    }
  });
});

describe('other scenes', () => {
  it('material-test has conductor, glass and plastic rows across roughness', async () => {
    const { scene, environment } = await build('material-test');
    expect(environment).toBeDefined();
    const materials = meshesOf(scene).map(materialOf);
    const roughness = (pick: (m: THREE.Material) => boolean) =>
      new Set(materials.filter(pick).map((m) => (m as THREE.MeshStandardMaterial).roughness));
    const isGlass = (m: THREE.Material) => m instanceof THREE.MeshPhysicalMaterial && m.transmission === 1;
    const isMetal = (m: THREE.Material) => m instanceof THREE.MeshStandardMaterial && m.metalness === 1;
    const isPlastic = (m: THREE.Material) => m instanceof THREE.MeshStandardMaterial && m.metalness === 0 && !isGlass(m);
    for (const kind of [isGlass, isMetal, isPlastic]) {
      const r = roughness(kind);
      expect(r.size).toBeGreaterThanOrEqual(5);
      expect(Math.min(...r)).toBe(0);
      expect(Math.max(...r)).toBe(1);
    }
    expect(materials.some(isEmitter)).toBe(true);
  });

  it('glass-caustics has glass objects and a small bright light', async () => {
    const { scene } = await build('glass-caustics');
    const meshes = meshesOf(scene);
    const glass = meshes.filter((m) => (materialOf(m) as THREE.MeshPhysicalMaterial).transmission === 1);
    expect(glass.length).toBeGreaterThanOrEqual(2);
    for (const m of glass) expect((materialOf(m) as THREE.MeshPhysicalMaterial).ior).toBe(1.5);
    const light = meshes.find((m) => isEmitter(materialOf(m)))!;
    const area = worldTriangles(light).reduce((s, t) => s + new THREE.Triangle(...t.v).getArea(), 0);
    expect(area).toBeLessThan(0.1);
    expect(Math.max(...radiance(materialOf(light) as THREE.MeshLambertMaterial))).toBeGreaterThan(100);
  });

  it('bunny-field has over a million triangles', async () => {
    const t0 = performance.now();
    const { scene } = await build('bunny-field');
    const ms = performance.now() - t0;
    const triangles = meshesOf(scene).reduce((s, m) => s + triangleCount(m), 0);
    console.log(`bunny-field build: ${ms.toFixed(1)} ms for ${triangles} triangles`);
    expect(triangles).toBeGreaterThanOrEqual(1_000_000);
    expect(new Set(meshesOf(scene).map((m) => materialOf(m).type)).size).toBeGreaterThanOrEqual(3);
  });

  it.each(['furnace-diffuse', 'furnace-glass'])('%s: unit sphere filling the view, white environment', async (name) => {
    const { scene, camera, environment } = await build(name);
    expect(environment).toEqual({ color: [1, 1, 1] });
    const [sphere] = meshesOf(scene);
    expect(meshesOf(scene).length).toBe(1);
    expect(triangleCount(sphere)).toBeGreaterThanOrEqual(60_000);
    const box = new THREE.Box3().setFromObject(sphere);
    expect(box.min.toArray().map((c) => +c.toFixed(6))).toEqual([-1, -1, -1]);
    expect(box.max.toArray().map((c) => +c.toFixed(6))).toEqual([1, 1, 1]);
    const angularRadius = Math.asin(1 / camera.position.length());
    expect(angularRadius / THREE.MathUtils.degToRad(camera.fov / 2)).toBeGreaterThan(0.9);
    const m = materialOf(sphere);
    if (name === 'furnace-diffuse') {
      expect(m).toBeInstanceOf(THREE.MeshLambertMaterial);
      expect((m as THREE.MeshLambertMaterial).color.toArray()).toEqual([1, 1, 1]);
    } else {
      expect(m).toMatchObject({ transmission: 1, ior: 1.5, roughness: 0, metalness: 0 });
    }
    expect(isEmitter(m)).toBe(false);
  });

  it('sphere-interior: camera inside a closed double-sided emitter with albedo 0.5 and Le 1', async () => {
    const { scene, camera, environment } = await build('sphere-interior');
    expect(environment).toBeUndefined();
    const [sphere] = meshesOf(scene);
    const m = materialOf(sphere) as THREE.MeshLambertMaterial;
    expect(m).toBeInstanceOf(THREE.MeshLambertMaterial);
    expect(m.side).toBe(THREE.DoubleSide);
    expect(radiance(m)).toEqual([1, 1, 1]);
    expect(m.color.toArray()).toEqual([0.5, 0.5, 0.5]);
    expect(1 / (1 - m.color.r)).toBe(SPHERE_INTERIOR_RADIANCE);
    expect(camera.position.length()).toBeLessThan(0.9);
    expect(cameraHitFraction(camera, scene).fraction).toBe(1);
  });
});
