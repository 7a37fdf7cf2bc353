// A glass sphere and a glass Stanford bunny on a diffuse floor against a back wall, lit only by a small, very
// bright area light: the sphere focuses it into a bright caustic spot on the floor (focal length n R / (2 (n - 1))
// = 0.75 R from the centre, close to the floor for a sphere resting on it).
import type { BuiltScene } from '../src/scene/built-scene.ts';
import * as THREE from 'three';
import { bunnyArrays } from './bunny-mesh.ts';
import { emitter, glass, horizontalRect, lambert, lookAtCamera, meshFromArrays, polygonMesh, sceneOf } from './util.ts';

export function buildGlassCaustics(): BuiltScene {
  const floorMaterial = lambert([0.75, 0.75, 0.75], 'floor');
  const floor = polygonMesh('floor', [horizontalRect(0, -5, 5, -2, 5, 'up')], floorMaterial);
  const backWall = polygonMesh('back wall', [[[-5, 0, -2], [5, 0, -2], [5, 4, -2], [-5, 4, -2]]], floorMaterial);

  const sphere = new THREE.Mesh(new THREE.SphereGeometry(0.5, 128, 64), glass(0, [1, 1, 1], 1.5, 'glass'));
  sphere.name = 'glass sphere';
  sphere.position.set(-0.65, 0.5, 0);

  const b = bunnyArrays();
  const bunny = meshFromArrays('glass bunny', b.positions, b.normals, b.indices, glass(0, [0.85, 0.95, 1.0], 1.5, 'tinted glass'));
  bunny.position.set(0.7, 0, 0.1);
  bunny.rotation.y = -0.5;
  bunny.scale.setScalar(0.9);

  // 0.2 m square 3 m up and behind the objects, so the caustics fall on the camera side of them;
  // irradiance on the floor ~ L A / d^2 = 600 * 0.04 / 10 ~ 2.4.
  const light = polygonMesh('light', [horizontalRect(3, -0.4, -0.2, -1.3, -1.1, 'down')], emitter([600, 570, 520]));

  const camera = lookAtCamera({ position: [0, 1.5, 3.4], target: [0, 0.35, 0], fovDeg: 40, aspect: 4 / 3 });
  return { scene: sceneOf('glass-caustics', [floor, backWall, sphere, bunny, light]), camera };
}
