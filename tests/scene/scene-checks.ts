// Geometry checks shared by the scene tests (not a test file itself).
import * as THREE from 'three';

export function meshesOf(root: THREE.Object3D): THREE.Mesh[] {
  const meshes: THREE.Mesh[] = [];
  root.traverse((o) => {
    if (o instanceof THREE.Mesh) meshes.push(o);
  });
  return meshes;
}

export function triangleCount(mesh: THREE.Mesh): number {
  const g = mesh.geometry;
  return (g.index ? g.index.count : g.getAttribute('position').count) / 3;
}

export interface NormalReport {
  triangles: number;
  nonFinite: number;
  notUnit: number;
  /** Non-degenerate triangles whose vertex normals point against the winding's geometric normal. */
  againstWinding: number;
}

/** Local-space checks (rotation + positive scale keep them valid in world space). */
export function checkNormals(mesh: THREE.Mesh): NormalReport {
  const g = mesh.geometry;
  const p = g.getAttribute('position');
  const n = g.getAttribute('normal');
  const index = g.index;
  const report: NormalReport = { triangles: 0, nonFinite: 0, notUnit: 0, againstWinding: 0 };
  for (let v = 0; v < n.count; v++) {
    const x = n.getX(v), y = n.getY(v), z = n.getZ(v);
    if (!Number.isFinite(x + y + z)) report.nonFinite++;
    else if (Math.abs(Math.hypot(x, y, z) - 1) > 1e-3) report.notUnit++;
  }
  const count = index ? index.count : p.count;
  const a = new THREE.Vector3(), b = new THREE.Vector3(), c = new THREE.Vector3(), ng = new THREE.Vector3(), nv = new THREE.Vector3();
  for (let t = 0; t < count; t += 3) {
    const ids = [0, 1, 2].map((k) => (index ? index.getX(t + k) : t + k));
    a.fromBufferAttribute(p, ids[0]);
    b.fromBufferAttribute(p, ids[1]);
    c.fromBufferAttribute(p, ids[2]);
    ng.subVectors(b, a).cross(c.sub(a));
    report.triangles++;
    if (ng.lengthSq() < 1e-20) continue;
    nv.set(0, 0, 0);
    for (const id of ids) nv.x += n.getX(id), nv.y += n.getY(id), nv.z += n.getZ(id);
    if (nv.dot(ng) <= 0) report.againstWinding++;
  }
  return report;
}

export interface WorldTriangle {
  mesh: THREE.Mesh;
  v: [THREE.Vector3, THREE.Vector3, THREE.Vector3];
  /** Unit geometric normal from the counter-clockwise winding. */
  normal: THREE.Vector3;
}

export function worldTriangles(mesh: THREE.Mesh): WorldTriangle[] {
  const g = mesh.geometry;
  const p = g.getAttribute('position');
  const index = g.index;
  const count = index ? index.count : p.count;
  const out: WorldTriangle[] = [];
  for (let t = 0; t < count; t += 3) {
    const v = [0, 1, 2].map((k) =>
      new THREE.Vector3().fromBufferAttribute(p, index ? index.getX(t + k) : t + k).applyMatrix4(mesh.matrixWorld),
    ) as [THREE.Vector3, THREE.Vector3, THREE.Vector3];
    const normal = new THREE.Vector3().subVectors(v[1], v[0]).cross(new THREE.Vector3().subVectors(v[2], v[0])).normalize();
    out.push({ mesh, v, normal });
  }
  return out;
}

/** Parses listing counts such as '36', '83k', '1.06M'. */
export function parseCount(text: string): number {
  const m = /^([\d.]+)([kM]?)$/.exec(text);
  if (!m) throw new Error(`bad count ${text}`);
  return parseFloat(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
}

/** Fraction of an n x n grid of camera rays (NDC in [-0.8, 0.8]) that hit a front-facing (or double-sided) mesh. */
export function cameraHitFraction(camera: THREE.PerspectiveCamera, scene: THREE.Scene, n = 5): { center: boolean; fraction: number } {
  const raycaster = new THREE.Raycaster();
  const hits = (x: number, y: number) => {
    raycaster.setFromCamera(new THREE.Vector2(x, y), camera);
    return raycaster.intersectObject(scene, true).length > 0;
  };
  let hit = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (hits(-0.8 + (1.6 * i) / (n - 1), -0.8 + (1.6 * j) / (n - 1))) hit++;
  }
  return { center: hits(0, 0), fraction: hit / (n * n) };
}

export function isEmitter(material: THREE.Material): boolean {
  if (!(material instanceof THREE.MeshStandardMaterial || material instanceof THREE.MeshLambertMaterial)) return false;
  return material.emissiveIntensity * Math.max(material.emissive.r, material.emissive.g, material.emissive.b) > 0;
}
