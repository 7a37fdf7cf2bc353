// Rooms, floors and area lights for the procedural scenes. Everything is built at unit light level and carries the
// numbers the exposure step needs: surface area, mean albedo, and emitted "power" sum(Le x area) of the lights.
import * as THREE from 'three';
import { luminance } from '../src/scene/lights.ts';
import { randomAlbedo } from './procedural-objects.ts';
import type { Rng } from './procedural-random.ts';
import { emitter, facing, horizontalRect, lambert, plastic, polygonMesh, type Vec3 } from './util.ts';

/** Axis-aligned rectangle x0..x1 by z0..z1. */
export interface Rect { x0: number; x1: number; z0: number; z1: number }

export interface Surfaces {
  meshes: THREE.Object3D[];
  /** Area-weighted mean luminance of the reflectance, and the area it was taken over. */
  albedo: number;
  area: number;
}

const lum = (c: Vec3) => luminance(c[0], c[1], c[2]);

/**
 * The floor over `rect`: plain diffuse, glossy plastic, or a checkerboard (fine detail for the denoiser to keep).
 * With `outer`, plain ground continues out to +-outer so that it reaches the horizon.
 */
export function makeFloor(rng: Rng, rect: Rect, outer?: number): Surfaces {
  const pattern = rng.weighted({ plain: 0.5, glossy: 0.22, checker: 0.28 });
  const a = randomAlbedo(rng, 0.12, 0.7);
  const b = randomAlbedo(rng, 0.05, 0.8);
  const materialA = pattern === 'glossy' ? plastic(a, rng.uniform(0, 0.4), 'floor (glossy)') : lambert(a, 'floor');
  const meshes: THREE.Object3D[] = [];
  const area = (rect.x1 - rect.x0) * (rect.z1 - rect.z0);
  let albedo = lum(a);
  if (pattern === 'checker') {
    const materialB = lambert(b, 'floor (checker)');
    const tile = Math.max(rng.uniform(0.25, 0.8), (rect.x1 - rect.x0) / 48, (rect.z1 - rect.z0) / 48);
    const nx = Math.ceil((rect.x1 - rect.x0) / tile), nz = Math.ceil((rect.z1 - rect.z0) / tile);
    const tiles: Vec3[][][] = [[], []];
    for (let i = 0; i < nx; i++) {
      for (let j = 0; j < nz; j++) {
        const x0 = rect.x0 + i * tile, z0 = rect.z0 + j * tile;
        tiles[(i + j) % 2].push(horizontalRect(0, x0, Math.min(rect.x1, x0 + tile), z0, Math.min(rect.z1, z0 + tile), 'up'));
      }
    }
    meshes.push(polygonMesh('floor tiles A', tiles[0], materialA), polygonMesh('floor tiles B', tiles[1], materialB));
    albedo = (lum(a) + lum(b)) / 2;
  } else {
    meshes.push(polygonMesh('floor', [horizontalRect(0, rect.x0, rect.x1, rect.z0, rect.z1, 'up')], materialA));
  }
  if (outer !== undefined) {
    const o = outer;
    const ring = [
      horizontalRect(0, -o, o, -o, rect.z0, 'up'),
      horizontalRect(0, -o, o, rect.z1, o, 'up'),
      horizontalRect(0, -o, rect.x0, rect.z0, rect.z1, 'up'),
      horizontalRect(0, rect.x1, o, rect.z0, rect.z1, 'up'),
    ];
    meshes.push(polygonMesh('ground', ring, materialA));
  }
  return { meshes, albedo, area };
}

/** A rectangle in a plane: corner + u (along) + v (across), with an optional rectangular hole (fractions 0..1). */
function panel(corner: Vec3, u: Vec3, v: Vec3, inward: Vec3, hole?: [number, number, number, number]): Vec3[][] {
  const at = (s: number, t: number): Vec3 => [
    corner[0] + s * u[0] + t * v[0], corner[1] + s * u[1] + t * v[1], corner[2] + s * u[2] + t * v[2],
  ];
  const quad = (s0: number, s1: number, t0: number, t1: number) => facing([at(s0, t0), at(s1, t0), at(s1, t1), at(s0, t1)], inward);
  if (!hole) return [quad(0, 1, 0, 1)];
  const [s0, s1, t0, t1] = hole;
  return [quad(0, 1, 0, t0), quad(0, 1, t1, 1), quad(0, s0, t0, t1), quad(s1, 1, t0, t1)];
}

export interface Opening {
  /** Outward unit normal (towards the sky). */
  normal: Vec3;
  area: number;
}

export interface Room extends Surfaces {
  bounds: THREE.Box3;
  /** The window or skylight (rooms with one), else null. */
  opening: Opening | null;
}

/**
 * Four walls and a ceiling (inward-facing, one random colour or one per wall) around `rect`, height `height`;
 * with `withWindow`, one wall or the ceiling gets an opening to the sky. The floor is made separately.
 */
export function makeRoomShell(rng: Rng, rect: Rect, height: number, withWindow: boolean): Room {
  const { x0, x1, z0, z1 } = rect;
  const h = height;
  const perWall = rng.chance(0.4);
  const wallColor = randomAlbedo(rng, 0.3, 0.85);
  const ceilingColor = rng.hsv(rng.float(), rng.uniform(0, 0.1), rng.uniform(0.6, 0.85));
  const walls: { corner: Vec3; u: Vec3; v: Vec3; inward: Vec3; outward: Vec3; length: number }[] = [
    { corner: [x0, 0, z0], u: [x1 - x0, 0, 0], v: [0, h, 0], inward: [0, 0, 1], outward: [0, 0, -1], length: x1 - x0 },
    { corner: [x0, 0, z1], u: [x1 - x0, 0, 0], v: [0, h, 0], inward: [0, 0, -1], outward: [0, 0, 1], length: x1 - x0 },
    { corner: [x0, 0, z0], u: [0, 0, z1 - z0], v: [0, h, 0], inward: [1, 0, 0], outward: [-1, 0, 0], length: z1 - z0 },
    { corner: [x1, 0, z0], u: [0, 0, z1 - z0], v: [0, h, 0], inward: [-1, 0, 0], outward: [1, 0, 0], length: z1 - z0 },
  ];
  const windowAt = withWindow ? rng.int(0, 4) : -1; // 4 = skylight in the ceiling
  const ws = rng.uniform(0.25, 0.6), wt = rng.uniform(0.3, 0.5), sill = rng.uniform(0.2, 0.4), along = rng.float();
  const hole: [number, number, number, number] = [along * (1 - ws), along * (1 - ws) + ws, sill, sill + wt];
  const meshes: THREE.Object3D[] = [];
  let area = 0, weighted = 0;
  let opening: Opening | null = null;
  walls.forEach((wall, i) => {
    const color = perWall ? randomAlbedo(rng, 0.25, 0.85) : wallColor;
    const cut = i === windowAt ? hole : undefined;
    meshes.push(polygonMesh(`wall ${i}`, panel(wall.corner, wall.u, wall.v, wall.inward, cut), lambert(color, `wall ${i}`)));
    const a = wall.length * h * (cut ? 1 - ws * wt : 1);
    area += a;
    weighted += a * lum(color);
    if (cut) opening = { normal: wall.outward, area: wall.length * h * ws * wt };
  });
  const ceilingHole: [number, number, number, number] = [0.5 - ws / 2, 0.5 + ws / 2, 0.5 - wt / 2, 0.5 + wt / 2];
  const cut = windowAt === 4 ? ceilingHole : undefined;
  const ceiling = panel([x0, h, z0], [x1 - x0, 0, 0], [0, 0, z1 - z0], [0, -1, 0], cut);
  meshes.push(polygonMesh('ceiling', ceiling, lambert(ceilingColor, 'ceiling')));
  const ceilingArea = (x1 - x0) * (z1 - z0) * (cut ? 1 - ws * wt : 1);
  area += ceilingArea;
  weighted += ceilingArea * lum(ceilingColor);
  if (cut) opening = { normal: [0, 1, 0], area: (x1 - x0) * (z1 - z0) * ws * wt };
  const bounds = new THREE.Box3(new THREE.Vector3(x0, 0, z0), new THREE.Vector3(x1, h, z1));
  return { meshes, albedo: weighted / area, area, bounds, opening };
}

const LIGHT_TINTS: readonly Vec3[] = [[1, 1, 1], [1, 0.85, 0.65], [1, 0.72, 0.45], [0.8, 0.9, 1]];

/**
 * `count` rectangular emitters on the ceiling or the walls of `bounds` (not on the wall with the window, whose
 * outward normal is `avoidWall`): their radiance luminances times areas sum to `power`.
 */
export function makeAreaLights(rng: Rng, bounds: THREE.Box3, count: number, avoidWall: Vec3 | null, power: number): THREE.Mesh[] {
  const { min, max } = bounds;
  const specs: { polygon: Vec3[]; color: Vec3; weight: number; area: number }[] = [];
  for (let k = 0; k < count; k++) {
    const offset = 0.002 * (k + 1); // off the surface and off each other: no coincident emitters
    const tint = rng.chance(0.12) ? rng.hsv(rng.float(), rng.uniform(0.2, 0.7), 1) : rng.pick(LIGHT_TINTS);
    const l = lum(tint);
    const color: Vec3 = [tint[0] / l, tint[1] / l, tint[2] / l];
    const weight = rng.uniform(0.5, 1.5);
    const onWall = rng.chance(0.3);
    const a = rng.uniform(0.25, onWall ? 0.8 : 1.2), b = rng.uniform(0.25, onWall ? 0.6 : 1.2);
    const s = rng.float(), t = rng.float();
    const wallIndex = rng.int(0, 3);
    const normals: Vec3[] = [[0, 0, 1], [0, 0, -1], [1, 0, 0], [-1, 0, 0]];
    const inward = normals[wallIndex];
    const blocked = avoidWall && inward.every((c, i) => c === -avoidWall[i]);
    let polygon: Vec3[];
    if (onWall && !blocked) {
      const alongX = inward[0] === 0;
      const lo = alongX ? min.x : min.z, hi = alongX ? max.x : max.z;
      const len = Math.min(a, (hi - lo) * 0.8);
      const c = lo + 0.1 * (hi - lo) + len / 2 + s * (0.8 * (hi - lo) - len);
      const y = max.y * (0.55 + 0.3 * t);
      const plane = inward[0] + inward[2] > 0 ? (alongX ? min.z : min.x) + offset : (alongX ? max.z : max.x) - offset;
      const p = (u: number, v: number): Vec3 => (alongX ? [u, v, plane] : [plane, v, u]);
      polygon = facing([p(c - len / 2, y - b / 2), p(c + len / 2, y - b / 2), p(c + len / 2, y + b / 2), p(c - len / 2, y + b / 2)], inward);
      specs.push({ polygon, color, weight, area: len * b });
    } else {
      const w = Math.min(a, (max.x - min.x) * 0.6), d = Math.min(b, (max.z - min.z) * 0.6);
      const cx = min.x + 0.2 * (max.x - min.x) + w / 2 + s * (0.6 * (max.x - min.x) - w);
      const cz = min.z + 0.2 * (max.z - min.z) + d / 2 + t * (0.6 * (max.z - min.z) - d);
      polygon = horizontalRect(max.y - offset, cx - w / 2, cx + w / 2, cz - d / 2, cz + d / 2, 'down');
      specs.push({ polygon, color, weight, area: w * d });
    }
  }
  const total = specs.reduce((sum, l) => sum + l.weight * l.area, 0);
  return specs.map((l, k) => {
    const radiance = (power * l.weight) / total;
    const material = emitter([l.color[0] * radiance, l.color[1] * radiance, l.color[2] * radiance], [0.78, 0.78, 0.78], `light ${k}`);
    return polygonMesh(`light ${k}`, [l.polygon], material);
  });
}
