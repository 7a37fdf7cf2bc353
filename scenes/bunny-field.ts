// A field of 17 x 17 Stanford bunnies (~1.06 M triangles) in mixed materials under a sky and an overhead area
// light: the large-scene benchmark. Bunnies are merged per material directly in typed arrays so the build stays fast.
import * as THREE from 'three';
import type { BuiltScene } from '../src/scene/built-scene.ts';
import { placeBunnies, type Placement } from './bunny-mesh.ts';
import {
  emitter, glass, horizontalRect, lambert, lookAtCamera, meshFromArrays, metal, plastic, polygonMesh, sceneOf, seededRandom,
} from './util.ts';

export const BUNNY_FIELD_GRID = 17;
const SPACING = 1.2;

export function buildBunnyField(): BuiltScene {
  const materials: THREE.Material[] = [
    lambert([0.8, 0.78, 0.72], 'ivory'),
    lambert([0.7, 0.3, 0.15], 'terracotta'),
    metal([1.0, 0.71, 0.29], 0.25, 'gold'),
    metal([0.95, 0.64, 0.54], 0.45, 'copper'),
    glass(0.02, [0.9, 0.97, 1.0], 1.5, 'glass'),
    plastic([0.1, 0.25, 0.7], 0.3, 'blue plastic'),
  ];
  const random = seededRandom(20240611);
  const groups: Placement[][] = materials.map(() => []);
  const half = (BUNNY_FIELD_GRID - 1) / 2;
  for (let i = 0; i < BUNNY_FIELD_GRID; i++) {
    for (let j = 0; j < BUNNY_FIELD_GRID; j++) {
      // Height 0.5..0.8 m and jitter +-0.1 m keep neighbours (footprint radius <= 0.52 m) from overlapping.
      const placement: Placement = {
        x: (i - half) * SPACING + (random() - 0.5) * 0.2,
        z: (j - half) * SPACING + (random() - 0.5) * 0.2,
        yaw: random() * 2 * Math.PI,
        scale: 0.5 + 0.3 * random(),
      };
      groups[Math.floor(random() * materials.length)].push(placement);
    }
  }
  const meshes: THREE.Object3D[] = [];
  groups.forEach((placements, m) => {
    if (placements.length === 0) return;
    const arrays = placeBunnies(placements);
    meshes.push(meshFromArrays(`bunnies (${materials[m].name})`, arrays.positions, arrays.normals, arrays.indices, materials[m]));
  });
  meshes.push(polygonMesh('floor', [horizontalRect(0, -30, 30, -30, 30, 'up')], lambert([0.45, 0.45, 0.42], 'floor')));
  meshes.push(polygonMesh('light', [horizontalRect(12, -3, 3, -3, 3, 'down')], emitter([8, 7.6, 7])));
  const camera = lookAtCamera({ position: [-11, 5.5, 13], target: [0, 0, 0], fovDeg: 45, aspect: 16 / 9 });
  return { scene: sceneOf('bunny-field', meshes), camera, environment: { color: [0.35, 0.45, 0.6] } };
}
