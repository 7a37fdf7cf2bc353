// Seeded procedural scenes: the training and validation data of the Noise2Noise denoiser (issue #4, item 2).
// Scene number `seed` picks a setting (closed room with area lights, room with a window or skylight onto a sky,
// or open ground under a sky), 2-12 objects with random materials, emitters, sky and camera. Every draw comes from
// seeded streams (procedural-random.ts), so a seed gives the same scene every time.
// Exposure: lights and skies are made at unit level and scaled so that a rough radiosity estimate of the mean
// radiance the camera sees hits a random target in [0.15, 0.8]; measured spreads are in the tests.
import * as THREE from 'three';
import type { BuiltScene } from '../src/scene/built-scene.ts';
import { compileScene, type CompiledScene } from '../src/scene/compile.ts';
import type { EnvironmentInput } from '../src/scene/environment.ts';
import { placeCamera } from './procedural-camera.ts';
import { makeObjects } from './procedural-objects.ts';
import { Rng } from './procedural-random.ts';
import { makeAreaLights, makeFloor, makeRoomShell, type Rect } from './procedural-room.ts';
import { makeSky, skyEnvironment, skyIrradiance, skyMeanColor, type Sky } from './procedural-sky.ts';
import { sceneOf } from './util.ts';

export interface ProceduralOptions {
  /** triangle budget guard, default 200_000 */
  maxTriangles?: number;
}

export type ProceduralSetting = 'room' | 'window' | 'outdoor';

export interface ProceduralInfo {
  seed: number;
  setting: ProceduralSetting;
  sky: 'none' | 'constant' | 'map';
  objects: number;
  lights: number;
  triangles: number;
  /** The mean camera radiance the exposure step aimed for. */
  exposureTarget: number;
}

export interface ProceduralScene extends BuiltScene {
  /**
   * The scene's environment as compileScene's `environment` option takes it. Sky maps cannot travel in
   * BuiltScene.environment (a constant colour), which holds the map's mean colour as a stand-in: compile with
   * this (or use compileProceduralScene) to get the real sky.
   */
  environmentInput: EnvironmentInput;
  info: ProceduralInfo;
}

export const DEFAULT_MAX_TRIANGLES = 200_000;
/** Upper bound on the triangles of room + floor + lights (a 48 x 48 checkerboard dominates). */
const SETTING_TRIANGLES_MAX = 2 * 48 * 48 + 100;

/** The validation scenes: never returned by trainingSeed. */
export const VALIDATION_SEEDS: readonly number[] = Object.freeze(Array.from({ length: 8 }, (_, i) => 0x7000_0000 + i));

/** Number of distinct training seeds: seeds 0 .. 0x6fffffff are training scenes, 0x70000000 and up are reserved. */
export const TRAINING_SEED_COUNT = 0x7000_0000;

/** The i-th training scene's seed (i = 0, 1, ...): simply i, below the reserved validation range. */
export function trainingSeed(i: number): number {
  if (!Number.isInteger(i) || i < 0 || i >= TRAINING_SEED_COUNT) {
    throw new RangeError(`training scene index must be an integer in [0, ${TRAINING_SEED_COUNT}), got ${i}`);
  }
  return i;
}

export function proceduralSceneName(seed: number): string {
  return `procedural-${(seed >>> 0).toString(16).padStart(8, '0')}`;
}

/** Scene number `seed` (uint32): same seed -> identical scene (geometry, materials, lights, environment, camera). */
export function proceduralScene(seed: number, options: ProceduralOptions = {}): ProceduralScene {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`procedural scene seed must be an integer in [0, 2^32), got ${seed}`);
  }
  const maxTriangles = options.maxTriangles ?? DEFAULT_MAX_TRIANGLES;
  if (!Number.isInteger(maxTriangles) || maxTriangles < SETTING_TRIANGLES_MAX + 1000) {
    throw new RangeError(`procedural scene maxTriangles must be an integer >= ${SETTING_TRIANGLES_MAX + 1000}, got ${maxTriangles}`);
  }
  const layout = new Rng(seed, 0), looks = new Rng(seed, 1), lighting = new Rng(seed, 2), view = new Rng(seed, 3), rooms = new Rng(seed, 4);
  const setting = lighting.weighted({ room: 0.4, window: 0.25, outdoor: 0.35 });
  const target = lighting.logUniform(0.15, 0.8);
  const objects = makeObjects(layout, looks, maxTriangles - SETTING_TRIANGLES_MAX, target * 8);
  const content = new THREE.Box3();
  for (const o of objects) content.union(o.box);
  if (content.isEmpty()) content.set(new THREE.Vector3(-0.5, 0, -0.5), new THREE.Vector3(0.5, 0.5, 0.5));

  const meshes: THREE.Object3D[] = objects.map((o) => o.mesh);
  let sky: Sky | null = null;
  let skyScale = 0;
  let roomBounds: THREE.Box3 | null = null;
  let lights = 0;
  if (setting === 'outdoor') {
    const floor = makeFloor(rooms, { x0: -12, x1: 12, z0: -12, z1: 12 }, 150);
    meshes.push(...floor.meshes);
    sky = makeSky(lighting);
    // Lit ground (diffuse reflection of the sky's irradiance) fills most of the frame; some sky shows above it.
    const unit = (0.7 * floor.albedo * skyIrradiance(sky, [0, 1, 0])) / Math.PI + 0.3;
    skyScale = target / unit;
  } else {
    const size = content.getSize(new THREE.Vector3());
    const extraX = rooms.uniform(2.5, 6), extraZ = rooms.uniform(2.5, 6);
    const x0 = content.min.x - extraX * rooms.uniform(0.2, 0.8), z0 = content.min.z - extraZ * rooms.uniform(0.2, 0.8);
    const rect: Rect = { x0, x1: x0 + size.x + extraX, z0, z1: z0 + size.z + extraZ };
    const height = Math.max(content.max.y + rooms.uniform(0.8, 2), rooms.uniform(2.4, 3.6));
    const shell = makeRoomShell(rooms, rect, height, setting === 'window');
    const floor = makeFloor(rooms, rect, setting === 'window' ? 60 : undefined);
    meshes.push(...shell.meshes, ...floor.meshes);
    roomBounds = shell.bounds;
    const area = shell.area + floor.area;
    const albedo = Math.min(0.85, Math.max(0.1, (shell.albedo * shell.area + floor.albedo * floor.area) / area));
    // Radiosity balance of a closed room: mean radiance ~ albedo x (sum Le A + window flux / pi) / (A (1 - albedo)).
    let windowPower = 0;
    if (shell.opening) {
      sky = makeSky(lighting, {
        sunToward: shell.opening.normal[1] === 0 ? shell.opening.normal : undefined,
        sunElevationDeg: shell.opening.normal[1] === 0 ? [10, 50] : [30, 80],
      });
      windowPower = (shell.opening.area * skyIrradiance(sky, shell.opening.normal)) / Math.PI;
    }
    const count = setting === 'room' ? lighting.int(1, 3) : lighting.chance(0.4) ? 1 : 0;
    const lightPower = setting === 'room' ? 1 : count > 0 ? windowPower * lighting.uniform(0.3, 1.5) : 0;
    const unit = (albedo * (lightPower + windowPower)) / (area * (1 - albedo));
    const scale = target / unit;
    skyScale = scale;
    if (count > 0) {
      meshes.push(...makeAreaLights(lighting, shell.bounds, count, shell.opening?.normal ?? null, lightPower * scale));
      lights = count;
    }
  }
  const camera = placeCamera(view, content, roomBounds, objects.map((o) => o.box));
  const name = proceduralSceneName(seed);
  const environmentInput: EnvironmentInput = sky ? skyEnvironment(sky, skyScale, `${name} sky`) : { kind: 'none' };
  const scene = sceneOf(name, meshes);
  let triangles = 0;
  scene.traverse((o) => {
    if (o instanceof THREE.Mesh) {
      const g = o.geometry as THREE.BufferGeometry;
      triangles += Math.floor((g.index ? g.index.count : g.getAttribute('position').count) / 3);
    }
  });
  return {
    scene,
    camera,
    environment: sky ? { color: skyMeanColor(sky, skyScale) } : undefined,
    environmentInput,
    warnings: [],
    info: { seed, setting, sky: sky ? sky.kind : 'none', objects: objects.length, lights, triangles, exposureTarget: target },
  };
}

/** Builds and compiles scene `seed` with its real environment (sky map included). */
export function compileProceduralScene(seed: number, options: ProceduralOptions = {}): CompiledScene {
  const built = proceduralScene(seed, options);
  return compileScene(built, { name: proceduralSceneName(seed), environment: built.environmentInput });
}
