// The Cornell box from Cornell's "Cornell Box data" page (graphics.cornell.edu/online/box/data.html), in metres,
// with the reflectances and light of the common pbrt/Mitsuba versions. All surfaces are diffuse.
import * as THREE from 'three';
import type { BuiltScene } from '../src/scene/built-scene.ts';
import { emitter, facing, lambert, lookAtCamera, polygonMesh, sceneOf, type Vec3 } from './util.ts';

const MM = 0.001;
type Polygon = Vec3[];
const mm = (polygon: readonly Vec3[]): Polygon => polygon.map(([x, y, z]) => [x * MM, y * MM, z * MM] as Vec3);

// Published vertices (mm). The room is slightly irregular on purpose: keep these exact numbers.
export const CORNELL_ROOM_MM = {
  floor: [[552.8, 0, 0], [0, 0, 0], [0, 0, 559.2], [549.6, 0, 559.2]],
  ceiling: [[556.0, 548.8, 0], [556.0, 548.8, 559.2], [0, 548.8, 559.2], [0, 548.8, 0]],
  backWall: [[549.6, 0, 559.2], [0, 0, 559.2], [0, 548.8, 559.2], [556.0, 548.8, 559.2]],
  rightWall: [[0, 0, 559.2], [0, 0, 0], [0, 548.8, 0], [0, 548.8, 559.2]], // green, x = 0
  leftWall: [[552.8, 0, 0], [549.6, 0, 559.2], [556.0, 548.8, 559.2], [556.0, 548.8, 0]], // red, x ~ 552.8..556
} satisfies Record<string, Vec3[]>;

/** Block footprints (mm, counter-clockwise order irrelevant) and heights; side faces go from y = 0 to the top. */
export const CORNELL_SHORT_BLOCK_MM = { top: [[130, 165, 65], [82, 165, 225], [240, 165, 272], [290, 165, 114]] as Vec3[], height: 165 };
export const CORNELL_TALL_BLOCK_MM = { top: [[423, 330, 247], [265, 330, 296], [314, 330, 456], [472, 330, 406]] as Vec3[], height: 330 };

/** The light: 343..213 x 227..332 mm, 0.1 mm below the ceiling so it does not coincide with it. */
export const CORNELL_LIGHT_MM = { x0: 213, x1: 343, z0: 227, z1: 332, y: 548.7 };

const WHITE: Vec3 = [0.725, 0.71, 0.68];
const RED: Vec3 = [0.63, 0.065, 0.05];
const GREEN: Vec3 = [0.14, 0.45, 0.091];
const LIGHT_RADIANCE: Vec3 = [17, 12, 4];

function centroid(points: readonly Vec3[]): Vec3 {
  const c = points.reduce((s, p) => [s[0] + p[0], s[1] + p[1], s[2] + p[2]] as Vec3, [0, 0, 0] as Vec3);
  return [c[0] / points.length, c[1] / points.length, c[2] / points.length];
}

/** Front face towards `point` (room walls face the inside) or away from it (block faces face outwards). */
function orient(polygon: Polygon, point: Vec3, side: 'towards' | 'away'): Polygon {
  const c = centroid(polygon);
  const s = side === 'towards' ? 1 : -1;
  return facing(polygon, [s * (point[0] - c[0]), s * (point[1] - c[1]), s * (point[2] - c[2])]);
}

/** A closed block: top, four sides and a bottom (the bottom is hidden by the floor but keeps the solid closed). */
function blockPolygons(block: { top: Vec3[]; height: number }): Polygon[] {
  const top = mm(block.top);
  const bottom = top.map(([x, , z]) => [x, 0, z] as Vec3);
  const sides = top.map((_, i) => {
    const j = (i + 1) % top.length;
    return [bottom[i], bottom[j], top[j], top[i]];
  });
  const center = centroid([...top, ...bottom]);
  return [top, bottom, ...sides].map((p) => orient(p, center, 'away'));
}

export function buildCornellBox(): BuiltScene {
  const room = CORNELL_ROOM_MM;
  const inside: Vec3 = [0.278, 0.2744, 0.2796];
  const white = lambert(WHITE, 'white');
  const walls = [room.floor, room.ceiling, room.backWall].map((p) => orient(mm(p), inside, 'towards'));
  const l = CORNELL_LIGHT_MM;
  const lightQuad: Vec3[] = [[l.x1, l.y, l.z0], [l.x1, l.y, l.z1], [l.x0, l.y, l.z1], [l.x0, l.y, l.z0]];
  const meshes = [
    polygonMesh('floor, ceiling, back wall', walls, white),
    polygonMesh('left wall (red)', [orient(mm(room.leftWall), inside, 'towards')], lambert(RED, 'red')),
    polygonMesh('right wall (green)', [orient(mm(room.rightWall), inside, 'towards')], lambert(GREEN, 'green')),
    polygonMesh('short block', blockPolygons(CORNELL_SHORT_BLOCK_MM), white),
    polygonMesh('tall block', blockPolygons(CORNELL_TALL_BLOCK_MM), white),
    polygonMesh('light', [facing(mm(lightQuad), [0, -1, 0])], emitter(LIGHT_RADIANCE)),
  ];
  // Camera: (278, 273, -800) mm looking along +z, 35 mm lens on a 25 x 25 mm film: fov = 2 atan(12.5/35).
  const camera = lookAtCamera({
    position: [0.278, 0.273, -0.8],
    target: [0.278, 0.273, 0],
    fovDeg: THREE.MathUtils.radToDeg(2 * Math.atan(12.5 / 35)),
    aspect: 1,
  });
  return { scene: sceneOf('cornell-box', meshes), camera };
}
