// Rows of spheres across roughness 0..1: gold conductor (back), glass (middle), plastic (front), on a grey floor,
// lit by an overhead area light and a constant sky.
import * as THREE from 'three';
import type { BuiltScene } from '../src/scene/built-scene.ts';
import { emitter, glass, horizontalRect, lambert, lookAtCamera, metal, plastic, polygonMesh, sceneOf, type Vec3 } from './util.ts';

export const MATERIAL_TEST_ROUGHNESS = [0, 0.1, 0.2, 0.35, 0.5, 0.75, 1] as const;
const GOLD_F0: Vec3 = [1.0, 0.71, 0.29];
const RADIUS = 0.4;
const SPACING = 1.0;
const ROW_Z = { conductor: -1.4, glass: 0, plastic: 1.4 };

export function buildMaterialTest(): BuiltScene {
  // One shared sphere geometry: each mesh places it with its own world transform.
  const sphere = new THREE.SphereGeometry(RADIUS, 64, 32);
  const meshes: THREE.Object3D[] = [];
  const columns = MATERIAL_TEST_ROUGHNESS.length;
  MATERIAL_TEST_ROUGHNESS.forEach((roughness, i) => {
    const x = (i - (columns - 1) / 2) * SPACING;
    const rows: [keyof typeof ROW_Z, THREE.Material][] = [
      ['conductor', metal(GOLD_F0, roughness, `gold r=${roughness}`)],
      ['glass', glass(roughness, [1, 1, 1], 1.5, `glass r=${roughness}`)],
      ['plastic', plastic([0.05, 0.2, 0.6], roughness, `plastic r=${roughness}`)],
    ];
    for (const [row, material] of rows) {
      const mesh = new THREE.Mesh(sphere, material);
      mesh.name = `${row} sphere, roughness ${roughness}`;
      mesh.position.set(x, RADIUS, ROW_Z[row]);
      meshes.push(mesh);
    }
  });
  meshes.push(polygonMesh('floor', [horizontalRect(0, -10, 10, -10, 10, 'up')], lambert([0.5, 0.5, 0.5], 'floor')));
  meshes.push(polygonMesh('light', [horizontalRect(4, -1, 1, -1.2, 0.8, 'down')], emitter([12, 12, 12])));
  const camera = lookAtCamera({ position: [0, 3.6, 6.2], target: [0, 0.2, 0], fovDeg: 38, aspect: 16 / 9 });
  return { scene: sceneOf('material-test', meshes), camera, environment: { color: [0.25, 0.27, 0.3] } };
}
