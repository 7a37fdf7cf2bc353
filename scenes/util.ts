// Small builders shared by the built-in scenes. Colours are linear RGB (no sRGB conversion), lengths in metres.
import * as THREE from 'three';

export type Vec3 = readonly [number, number, number];

export function rgb(c: Vec3): THREE.Color {
  return new THREE.Color(c[0], c[1], c[2]);
}

/** Sets emission radiance `radiance` as a colour with max component 1 times emissiveIntensity (glTF-friendly). */
export function setEmission(material: THREE.MeshLambertMaterial | THREE.MeshStandardMaterial, radiance: Vec3): void {
  const peak = Math.max(radiance[0], radiance[1], radiance[2]);
  material.emissive = rgb(peak > 0 ? [radiance[0] / peak, radiance[1] / peak, radiance[2] / peak] : [0, 0, 0]);
  material.emissiveIntensity = peak;
}

export function lambert(color: Vec3, name = ''): THREE.MeshLambertMaterial {
  return new THREE.MeshLambertMaterial({ name, color: rgb(color) });
}

/** A diffuse emitter; its front face (counter-clockwise winding) is the one that emits. */
export function emitter(radiance: Vec3, reflectance: Vec3 = [0.78, 0.78, 0.78], name = 'light'): THREE.MeshLambertMaterial {
  const material = lambert(reflectance, name);
  setEmission(material, radiance);
  return material;
}

export function metal(f0: Vec3, roughness: number, name = ''): THREE.MeshStandardMaterial {
  return new THREE.MeshStandardMaterial({ name, color: rgb(f0), metalness: 1, roughness });
}

export function glass(roughness: number, tint: Vec3 = [1, 1, 1], ior = 1.5, name = ''): THREE.MeshPhysicalMaterial {
  return new THREE.MeshPhysicalMaterial({ name, color: rgb(tint), metalness: 0, roughness, transmission: 1, ior });
}

/** Dielectric specular layer (ior 1.5) over a diffuse base: the metal/rough model with metalness 0. */
export function plastic(color: Vec3, roughness: number, name = ''): THREE.MeshPhysicalMaterial {
  return new THREE.MeshPhysicalMaterial({ name, color: rgb(color), metalness: 0, roughness, ior: 1.5 });
}

/**
 * Flat-shaded mesh from convex polygons, each listed counter-clockwise as seen from its front side
 * (fan-triangulated; every triangle gets its own geometric normal, so slightly non-planar quads stay exact).
 */
export function polygonMesh(name: string, polygons: readonly (readonly Vec3[])[], material: THREE.Material): THREE.Mesh {
  const triangles: Vec3[] = [];
  for (const polygon of polygons) {
    for (let i = 1; i + 1 < polygon.length; i++) triangles.push(polygon[0], polygon[i], polygon[i + 1]);
  }
  const positions = new Float32Array(triangles.length * 3);
  triangles.forEach((p, i) => positions.set(p, i * 3));
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(positions, 3));
  geometry.computeVertexNormals(); // non-indexed: per-face normals from the winding
  const mesh = new THREE.Mesh(geometry, material);
  mesh.name = name;
  return mesh;
}

/** Axis-aligned rectangle at height y spanning [x0,x1] x [z0,z1], front face up or down. */
export function horizontalRect(y: number, x0: number, x1: number, z0: number, z1: number, facing: 'up' | 'down'): Vec3[] {
  // Counter-clockwise seen from +y: (x0,z1) -> (x1,z1) -> (x1,z0) -> (x0,z0).
  const up: Vec3[] = [[x0, y, z1], [x1, y, z1], [x1, y, z0], [x0, y, z0]];
  return facing === 'up' ? up : up.reverse();
}

/** Reorders a polygon so that its front face (counter-clockwise) faces along `towards`. */
export function facing(polygon: readonly Vec3[], towards: Vec3): Vec3[] {
  const [a, b, c] = polygon;
  const e1 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const e2 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  const n = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
  const dot = n[0] * towards[0] + n[1] * towards[1] + n[2] * towards[2];
  return dot >= 0 ? [...polygon] : [...polygon].reverse();
}

export function meshFromArrays(
  name: string,
  positions: Float32Array,
  normals: Float32Array,
  indices: Uint32Array | null,
  material: THREE.Material,
): THREE.Mesh {
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(positions, 3));
  geometry.setAttribute('normal', new THREE.BufferAttribute(normals, 3));
  if (indices) geometry.setIndex(new THREE.BufferAttribute(indices, 1));
  const mesh = new THREE.Mesh(geometry, material);
  mesh.name = name;
  return mesh;
}

export interface CameraSpec {
  position: Vec3;
  target: Vec3;
  /** Vertical field of view in degrees. */
  fovDeg: number;
  aspect: number;
  apertureRadius?: number;
  /** Focus distance; default: distance from position to target. */
  focus?: number;
}

export function lookAtCamera(spec: CameraSpec): THREE.PerspectiveCamera {
  const camera = new THREE.PerspectiveCamera(spec.fovDeg, spec.aspect, 0.001, 1000);
  camera.position.set(...spec.position);
  const target = new THREE.Vector3(...spec.target);
  camera.lookAt(target);
  camera.focus = spec.focus ?? camera.position.distanceTo(target);
  camera.userData.apertureRadius = spec.apertureRadius ?? 0;
  camera.updateMatrixWorld(true);
  camera.updateProjectionMatrix();
  return camera;
}

export function sceneOf(name: string, objects: readonly THREE.Object3D[]): THREE.Scene {
  const scene = new THREE.Scene();
  scene.name = name;
  for (const object of objects) scene.add(object);
  scene.updateMatrixWorld(true);
  return scene;
}

/** Small seeded PRNG (mulberry32) so scene layouts are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
