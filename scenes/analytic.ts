// Test scenes with known answers.
//  furnace-diffuse: albedo-1 Lambertian sphere under a white environment: radiance 1 everywhere.
//  furnace-glass: smooth ior-1.5 glass sphere under a white environment: radiance 1 everywhere (lossless).
//  sphere-interior: camera inside a closed, double-sided emitting sphere of albedo 0.5 and Le = 1:
//    L = Le + albedo L  =>  L = Le / (1 - albedo) = 2 in every direction.
import * as THREE from 'three';
import type { BuiltScene } from '../src/scene/built-scene.ts';
import { glass, lambert, lookAtCamera, sceneOf, setEmission } from './util.ts';

/** Camera 2.7 m from a unit sphere: the sphere subtends 2 asin(1/2.7) = 43.5 degrees of the 45 degree view. */
function furnace(name: string, material: THREE.Material): BuiltScene {
  const sphere = new THREE.Mesh(new THREE.SphereGeometry(1, 256, 128), material);
  sphere.name = 'unit sphere';
  const camera = lookAtCamera({ position: [0, 0, 2.7], target: [0, 0, 0], fovDeg: 45, aspect: 1 });
  return { scene: sceneOf(name, [sphere]), camera, environment: { color: [1, 1, 1] } };
}

export function buildFurnaceDiffuse(): BuiltScene {
  return furnace('furnace-diffuse', lambert([1, 1, 1], 'albedo 1'));
}

export function buildFurnaceGlass(): BuiltScene {
  return furnace('furnace-glass', glass(0, [1, 1, 1], 1.5, 'smooth glass'));
}

export const SPHERE_INTERIOR_RADIANCE = 2;

export function buildSphereInterior(): BuiltScene {
  const material = lambert([0.5, 0.5, 0.5], 'emitting wall');
  setEmission(material, [1, 1, 1]);
  material.side = THREE.DoubleSide;
  const sphere = new THREE.Mesh(new THREE.SphereGeometry(1, 128, 64), material);
  sphere.name = 'closed emitting sphere';
  const camera = lookAtCamera({ position: [0, 0, 0.2], target: [0, 0, -1], fovDeg: 60, aspect: 1 });
  return { scene: sceneOf('sphere-interior', [sphere]), camera };
}
