// Objects for the procedural scenes: three.js primitives and the Stanford bunny with random materials from the
// renderer's set, resting on the floor (y = 0) around the origin without overlapping.
import * as THREE from 'three';
import { bunnyArrays } from './bunny-mesh.ts';
import type { Rng } from './procedural-random.ts';
import { emitter, glass, lambert, metal, plastic, type Vec3 } from './util.ts';

export interface PlacedObject {
  mesh: THREE.Mesh;
  /** World-space bounds after placement. */
  box: THREE.Box3;
  triangles: number;
}

const SHAPES = {
  box: 1, sphere: 1.2, torus: 0.8, torusKnot: 0.8, cylinder: 0.8, cone: 0.6, icosahedron: 0.6,
  dodecahedron: 0.4, octahedron: 0.3, capsule: 0.7, vase: 0.6, bunny: 1.2,
} as const;
type Shape = keyof typeof SHAPES;

/** Shapes that look natural in any orientation (the others stand upright, turned about y). */
const TUMBLE: ReadonlySet<Shape> = new Set(['box', 'torus', 'torusKnot', 'cylinder', 'capsule', 'icosahedron', 'dodecahedron', 'octahedron']);

/** A closed lathe profile (starts and ends on the axis) so glass vases are proper solids. */
function vaseProfile(rng: Rng): THREE.Vector2[] {
  const base = rng.uniform(0.15, 0.3), belly = rng.uniform(0.2, 0.4), neck = rng.uniform(0.05, 0.18), lip = neck * rng.uniform(1, 1.6);
  const bellyAt = rng.uniform(0.25, 0.55);
  const pts: THREE.Vector2[] = [new THREE.Vector2(0, 0)];
  for (let i = 0; i <= 16; i++) {
    const t = i / 16;
    // Smooth radius: base -> belly -> neck -> lip (cosine blends between the control radii).
    const r = t < bellyAt ? base + (belly - base) * Math.sin((t / bellyAt) * Math.PI / 2)
      : t < 0.85 ? neck + (belly - neck) * (0.5 + 0.5 * Math.cos(((t - bellyAt) / (0.85 - bellyAt)) * Math.PI))
      : neck + (lip - neck) * ((t - 0.85) / 0.15);
    pts.push(new THREE.Vector2(r, t));
  }
  pts.push(new THREE.Vector2(0, 1));
  return pts;
}

/** A geometry about 1 m in its largest extent, centred or standing near the origin. */
function shapeGeometry(shape: Shape, rng: Rng): THREE.BufferGeometry {
  switch (shape) {
    case 'box': return new THREE.BoxGeometry(rng.uniform(0.4, 1), rng.uniform(0.4, 1), rng.uniform(0.4, 1));
    case 'sphere': return new THREE.SphereGeometry(0.5, 48, 24);
    case 'torus': return new THREE.TorusGeometry(0.36, rng.uniform(0.07, 0.14), 24, 64);
    case 'torusKnot': {
      const [p, q] = rng.pick([[2, 3], [3, 4], [2, 5], [3, 5], [3, 7]] as const);
      return new THREE.TorusKnotGeometry(0.3, rng.uniform(0.06, 0.11), 160, 16, p, q);
    }
    case 'cylinder': { const r = rng.uniform(0.15, 0.5); return new THREE.CylinderGeometry(r, r, rng.uniform(0.4, 1), 48); }
    case 'cone': return new THREE.ConeGeometry(rng.uniform(0.2, 0.5), rng.uniform(0.5, 1), 48);
    case 'icosahedron': return new THREE.IcosahedronGeometry(0.5, rng.pick([0, 1, 3]));
    case 'dodecahedron': return new THREE.DodecahedronGeometry(0.5, 0);
    case 'octahedron': return new THREE.OctahedronGeometry(0.5, 0);
    case 'capsule': return new THREE.CapsuleGeometry(rng.uniform(0.15, 0.3), rng.uniform(0.2, 0.5), 12, 32);
    case 'vase': return new THREE.LatheGeometry(vaseProfile(rng), 48);
    case 'bunny': {
      const b = bunnyArrays();
      const g = new THREE.BufferGeometry();
      g.setAttribute('position', new THREE.BufferAttribute(b.positions, 3));
      g.setAttribute('normal', new THREE.BufferAttribute(b.normals, 3));
      g.setIndex(new THREE.BufferAttribute(b.indices, 1));
      return g;
    }
  }
}

/** Reflectance with a spread of hues, saturations and brightness (never pure black or pure white). */
export function randomAlbedo(rng: Rng, lo = 0.08, hi = 0.85): Vec3 {
  return rng.hsv(rng.float(), rng.chance(0.3) ? rng.uniform(0, 0.15) : rng.uniform(0.2, 0.9), rng.uniform(lo, hi));
}

const METALS: readonly Vec3[] = [
  [1.0, 0.71, 0.29], // gold
  [0.95, 0.64, 0.54], // copper
  [0.97, 0.96, 0.91], // silver
  [0.91, 0.92, 0.92], // aluminium
  [0.56, 0.57, 0.58], // iron
  [0.98, 0.82, 0.76], // brass-like
];

const MATERIAL_KINDS = { diffuse: 0.32, plastic: 0.25, metal: 0.2, glass: 0.16, emissive: 0.07 } as const;

/**
 * A random material. `emission` is the radiance scale for emissive objects (chosen by the caller from the
 * scene's exposure target).
 */
export function randomMaterial(rng: Rng, emission: number, name: string): THREE.Material {
  const kind = rng.weighted(MATERIAL_KINDS);
  switch (kind) {
    case 'diffuse': return lambert(randomAlbedo(rng), `${name} diffuse`);
    case 'plastic': {
      const m = plastic(randomAlbedo(rng), rng.chance(0.3) ? rng.uniform(0, 0.08) : rng.uniform(0.1, 0.7), `${name} plastic`);
      m.specularIntensity = rng.uniform(0.3, 1);
      // Now and then a partly metallic surface: the standard model's blend between conductor and dielectric.
      if (rng.chance(0.15)) m.metalness = rng.uniform(0.2, 0.8);
      return m;
    }
    case 'metal': {
      const f0 = rng.chance(0.8) ? rng.pick(METALS) : rng.hsv(rng.float(), rng.uniform(0.2, 0.6), rng.uniform(0.6, 0.95));
      return metal(f0, rng.chance(0.35) ? rng.uniform(0, 0.05) : rng.uniform(0.1, 0.6), `${name} metal`);
    }
    case 'glass': {
      const tint: Vec3 = rng.chance(0.6) ? [1, 1, 1] : rng.hsv(rng.float(), rng.uniform(0.1, 0.4), 1);
      return glass(rng.chance(0.55) ? 0 : rng.uniform(0.05, 0.4), tint, rng.uniform(1.33, 1.8), `${name} glass`);
    }
    case 'emissive': {
      const c = rng.hsv(rng.float(), rng.uniform(0, 0.8), 1);
      const peak = emission * rng.uniform(0.5, 2);
      return emitter([c[0] * peak, c[1] * peak, c[2] * peak], randomAlbedo(rng, 0.3, 0.8), `${name} emissive`);
    }
  }
}

function triangleCount(g: THREE.BufferGeometry): number {
  return Math.floor((g.index ? g.index.count : g.getAttribute('position').count) / 3);
}

/**
 * 2..12 objects around the origin on the floor. Each object's draws happen whether or not it fits the triangle
 * `budget`, so a smaller budget drops objects without changing the others.
 */
export function makeObjects(layout: Rng, looks: Rng, budget: number, emission: number): PlacedObject[] {
  const count = layout.int(2, 12);
  const placed: PlacedObject[] = [];
  const footprints: { x: number; z: number; r: number }[] = [];
  const clusterRadius = 0.4 + 0.45 * Math.sqrt(count);
  let used = 0;
  for (let i = 0; i < count; i++) {
    const shape = layout.weighted(SHAPES);
    const geometry = shapeGeometry(shape, layout);
    const size = shape === 'bunny' ? layout.uniform(0.4, 1) : layout.uniform(0.3, 1);
    const tumble = TUMBLE.has(shape) && layout.chance(0.4);
    const q = new THREE.Quaternion(layout.uniform(-1, 1), layout.uniform(-1, 1), layout.uniform(-1, 1), layout.uniform(-1, 1));
    const yaw = layout.uniform(0, 2 * Math.PI);
    const tries = Array.from({ length: 40 }, () => [layout.float(), layout.float()]);
    const material = randomMaterial(looks, emission, `object ${i}`);
    const triangles = triangleCount(geometry);
    if (used + triangles > budget) {
      geometry.dispose();
      continue;
    }
    const mesh = new THREE.Mesh(geometry, material);
    mesh.name = `object ${i}: ${shape}`;
    mesh.scale.setScalar(size);
    if (tumble && q.lengthSq() > 1e-6) mesh.quaternion.copy(q.normalize());
    else mesh.rotation.set(0, yaw, 0);
    mesh.updateMatrixWorld(true);
    const box = new THREE.Box3().setFromObject(mesh, true);
    const r = 0.5 * Math.hypot(box.max.x - box.min.x, box.max.z - box.min.z);
    const centre = box.getCenter(new THREE.Vector3());
    for (let t = 0; t < tries.length; t++) {
      // Uniform in a disc that widens with failed tries, so crowded clusters still place most objects.
      const radius = clusterRadius * (1 + t / 20);
      const rho = radius * Math.sqrt(tries[t][0]), phi = 2 * Math.PI * tries[t][1];
      const x = rho * Math.cos(phi), z = rho * Math.sin(phi);
      if (footprints.some((f) => Math.hypot(f.x - x, f.z - z) < f.r + r + 0.05)) continue;
      mesh.position.set(x - centre.x, -box.min.y, z - centre.z);
      mesh.updateMatrixWorld(true);
      footprints.push({ x, z, r });
      placed.push({ mesh, box: new THREE.Box3().setFromObject(mesh, true), triangles });
      used += triangles;
      break;
    }
  }
  return placed;
}
