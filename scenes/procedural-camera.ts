// Camera placement for the procedural scenes: look at the objects from a random direction, far enough back to
// frame them, but inside the room (if any) and outside every object.
import * as THREE from 'three';
import type { Rng } from './procedural-random.ts';
import { lookAtCamera } from './util.ts';

const MARGIN = 0.2;

/** Distance along `dir` from `origin` (inside `box`) to the box's boundary. */
function exitDistance(origin: THREE.Vector3, dir: THREE.Vector3, box: THREE.Box3): number {
  let t = Infinity;
  for (const axis of ['x', 'y', 'z'] as const) {
    const d = dir[axis];
    if (d > 1e-9) t = Math.min(t, (box.max[axis] - origin[axis]) / d);
    else if (d < -1e-9) t = Math.min(t, (box.min[axis] - origin[axis]) / d);
  }
  return Math.max(0, t);
}

/**
 * A square-aspect camera aimed at `content` (the objects' bounds), fov 30-70 degrees, looking down 6-40 degrees.
 * `room`, when given, keeps the camera MARGIN inside its walls; `obstacles` are boxes the camera must not be in.
 */
export function placeCamera(rng: Rng, content: THREE.Box3, room: THREE.Box3 | null, obstacles: readonly THREE.Box3[]): THREE.PerspectiveCamera {
  const fovDeg = rng.uniform(30, 70);
  const half = THREE.MathUtils.degToRad(fovDeg / 2);
  const sphere = content.getBoundingSphere(new THREE.Sphere());
  const radius = Math.max(0.3, sphere.radius);
  // Aim a little below the bounds' centre: the objects stand on the floor, which then fills the lower frame.
  const target = sphere.center.clone();
  target.y = content.min.y + (content.max.y - content.min.y) * rng.uniform(0.25, 0.6);
  target.x += rng.uniform(-0.15, 0.15) * radius;
  target.z += rng.uniform(-0.15, 0.15) * radius;
  const want = (radius / Math.sin(half)) * rng.uniform(0.6, 1.15);
  const inner = room ? room.clone().expandByScalar(-MARGIN) : null;
  if (inner) target.clamp(inner.min, inner.max);
  const azimuth0 = rng.uniform(0, 2 * Math.PI);
  const pitch0 = THREE.MathUtils.degToRad(rng.uniform(6, 40));
  let best: { position: THREE.Vector3; score: number } | null = null;
  // Try 12 azimuths around the random one and keep the first that gets (nearly) the wanted distance.
  for (let k = 0; k < 12; k++) {
    const azimuth = azimuth0 + (k * 2 * Math.PI) / 12;
    const pitch = k < 6 ? pitch0 : Math.max(pitch0, THREE.MathUtils.degToRad(30));
    const back = new THREE.Vector3(Math.cos(pitch) * Math.cos(azimuth), Math.sin(pitch), Math.cos(pitch) * Math.sin(azimuth));
    let d = want;
    if (inner) d = Math.min(d, exitDistance(target, back, inner));
    // Step in from `d` until the camera is outside every object (the view then starts in free space).
    let position = target.clone().addScaledVector(back, d);
    while (d > 0.3 && obstacles.some((b) => b.clone().expandByScalar(0.05).containsPoint(position))) {
      d -= 0.1;
      position = target.clone().addScaledVector(back, d);
    }
    if (obstacles.some((b) => b.clone().expandByScalar(0.05).containsPoint(position))) continue;
    const score = d / want;
    if (!best || score > best.score) best = { position, score };
    if (score > 0.9) break;
  }
  const position = best ? best.position : target.clone().add(new THREE.Vector3(0, 0.5 * radius, radius));
  return lookAtCamera({ position: [position.x, position.y, position.z], target: [target.x, target.y, target.z], fovDeg, aspect: 1 });
}
