// three.js scene graph -> flat typed arrays for the GPU: triangles in BVH order, materials, light table,
// environment and camera. Pure data: no GPU calls here, so it runs (and is tested) anywhere.
import * as THREE from 'three';
import { buildBvh, type Bvh } from './bvh.ts';
import { SceneError, type BuiltScene } from './built-scene.ts';
import { compileEnvironment, type CompiledEnvironment, type EnvironmentInput } from './environment.ts';
import { buildLightTable, luminance, type LightTable } from './lights.ts';
import { compileMaterial, type CompiledMaterial } from './materials.ts';
import { MATERIAL_FLAG_DOUBLE_SIDED, MATERIAL_LAYOUT } from '../render/layout.ts';

export interface CompiledCamera {
  origin: [number, number, number];
  forward: [number, number, number];
  right: [number, number, number];
  up: [number, number, number];
  fovY: number; // radians
  lensRadius: number;
  focusDistance: number;
}

export interface CompiledScene {
  name: string;
  triangleCount: number;
  /** 12 floats per triangle (v0, v1, v2 as vec4f), BVH order. */
  triPos: Float32Array;
  /** 4 u32 per triangle: octahedral normals n0, n1, n2 and the material index, BVH order. */
  triShading: Uint32Array;
  bvh: Bvh;
  materials: ArrayBuffer;
  materialList: CompiledMaterial[];
  lights: LightTable;
  environment: CompiledEnvironment;
  camera: CompiledCamera;
  bounds: { min: [number, number, number]; max: [number, number, number] };
  warnings: string[];
  timings: { gatherMs: number; bvhMs: number };
}

export interface CompileOptions {
  name?: string;
  /** Overrides the scene's own environment (for example a loaded .hdr map). */
  environment?: EnvironmentInput;
}

/** Octahedral encoding of a unit vector into two snorm16 values packed in one u32. */
export function octEncode(x: number, y: number, z: number): number {
  const l1 = Math.abs(x) + Math.abs(y) + Math.abs(z) || 1;
  let u = x / l1;
  let v = y / l1;
  if (z < 0) {
    const ou = u;
    u = (1 - Math.abs(v)) * (ou >= 0 ? 1 : -1);
    v = (1 - Math.abs(ou)) * (v >= 0 ? 1 : -1);
  }
  const pu = Math.round(Math.max(-1, Math.min(1, u)) * 32767) & 0xffff;
  const pv = Math.round(Math.max(-1, Math.min(1, v)) * 32767) & 0xffff;
  return (pu | (pv << 16)) >>> 0;
}

/**
 * A vertex attribute in world space, once per vertex: positions by the 4x4 matrix `m`, normals
 * (`normal` true) by the 3x3 normal matrix and renormalised. Throws `what` on non-finite input.
 */
function transformAttribute(
  attr: THREE.BufferAttribute | THREE.InterleavedBufferAttribute,
  m: ArrayLike<number>,
  normal: boolean,
  what: string,
): Float32Array {
  const n = attr.count;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const x = attr.getX(i), y = attr.getY(i), z = attr.getZ(i);
    let X, Y, Z;
    if (normal) {
      X = m[0] * x + m[3] * y + m[6] * z;
      Y = m[1] * x + m[4] * y + m[7] * z;
      Z = m[2] * x + m[5] * y + m[8] * z;
      const len = Math.sqrt(X * X + Y * Y + Z * Z);
      if (len > 0) { X /= len; Y /= len; Z /= len; }
    } else {
      const w = m[3] * x + m[7] * y + m[11] * z + m[15];
      X = (m[0] * x + m[4] * y + m[8] * z + m[12]) / w;
      Y = (m[1] * x + m[5] * y + m[9] * z + m[13]) / w;
      Z = (m[2] * x + m[6] * y + m[10] * z + m[14]) / w;
    }
    if (!Number.isFinite(X) || !Number.isFinite(Y) || !Number.isFinite(Z)) throw new SceneError(`${what} (vertex ${i})`);
    out[i * 3] = X;
    out[i * 3 + 1] = Y;
    out[i * 3 + 2] = Z;
  }
  return out;
}

/** Marks a corner without a usable vertex normal (compileScene uses the face normal there). */
const NO_NORMAL = 0xffffffff;

/** Unit normals (3 floats each) to octahedral codes; zero-length ones become NO_NORMAL. */
function encodeNormals(n: Float32Array): Uint32Array {
  const out = new Uint32Array(n.length / 3);
  for (let i = 0; i < out.length; i++) {
    const x = n[i * 3], y = n[i * 3 + 1], z = n[i * 3 + 2];
    out[i] = x * x + y * y + z * z > 0.25 ? octEncode(x, y, z) : NO_NORMAL;
  }
  return out;
}

interface Gathered {
  positions: Float32Array; // 9 per triangle
  /** Octahedral-encoded vertex normal per triangle corner; NO_NORMAL where missing or degenerate. */
  normals: Uint32Array; // 3 per triangle
  materialIndex: Uint32Array;
  materials: CompiledMaterial[];
  warnings: string[];
}

function gather(root: THREE.Object3D, sceneName: string): Gathered {
  root.updateMatrixWorld(true);
  const meshes: THREE.Mesh[] = [];
  root.traverse((o) => {
    if ((o as THREE.Mesh).isMesh && o.visible) meshes.push(o as THREE.Mesh);
  });
  let total = 0;
  for (const m of meshes) {
    const g = m.geometry;
    const pos = g.getAttribute('position');
    if (!pos) throw new SceneError(`${sceneName}: mesh '${m.name || m.uuid}' has no position attribute`);
    total += Math.floor((g.index ? g.index.count : pos.count) / 3);
  }
  if (total === 0) throw new SceneError(`${sceneName}: the scene has no triangles`);
  const positions = new Float32Array(total * 9);
  const normals = new Uint32Array(total * 3);
  const materialIndex = new Uint32Array(total);
  const materials: CompiledMaterial[] = [];
  const matIds = new Map<THREE.Material, number>();
  const warnings: string[] = [];
  const nm = new THREE.Matrix3();
  let t = 0;
  for (const mesh of meshes) {
    const g = mesh.geometry;
    const pos = g.getAttribute('position');
    const nrm = g.getAttribute('normal');
    const index = g.index;
    const count = index ? index.count : pos.count;
    const mats = Array.isArray(mesh.material) ? mesh.material : [mesh.material];
    const groups = Array.isArray(mesh.material) && g.groups.length ? g.groups : [{ start: 0, count, materialIndex: 0 }];
    const world = mesh.matrixWorld;
    nm.getNormalMatrix(world);
    const flip = world.determinant() < 0; // mirrored transforms reverse the winding
    const label = mesh.name || `mesh ${mesh.uuid.slice(0, 8)}`;
    const wp = transformAttribute(pos, world.elements, false, `${sceneName}: ${label} has a non-finite vertex position`);
    const wn = nrm ? encodeNormals(transformAttribute(nrm, nm.elements, true, `${sceneName}: ${label} has a non-finite normal`)) : null;
    for (const grp of groups) {
      const mat = mats[grp.materialIndex ?? 0] ?? mats[0];
      let mid = matIds.get(mat);
      if (mid === undefined) {
        const compiled = compileMaterial(mat, warnings);
        mid = materials.length;
        materials.push(compiled);
        matIds.set(mat, mid);
      }
      const end = Math.min(count, grp.start + grp.count);
      for (let k = grp.start; k + 2 < end; k += 3) {
        for (let c = 0; c < 3; c++) {
          const vi = index ? index.getX(k + (flip ? 2 - c : c)) : k + (flip ? 2 - c : c);
          const o = t * 9 + c * 3;
          positions[o] = wp[vi * 3];
          positions[o + 1] = wp[vi * 3 + 1];
          positions[o + 2] = wp[vi * 3 + 2];
          normals[t * 3 + c] = wn ? wn[vi] : NO_NORMAL;
        }
        materialIndex[t] = mid;
        t++;
      }
    }
  }
  return { positions: positions.subarray(0, t * 9), normals: normals.subarray(0, t * 3), materialIndex: materialIndex.subarray(0, t), materials, warnings };
}

/** A camera's world-space position and unit basis (it looks down its -z), from its world matrix. */
export function cameraFrame(cam: THREE.Object3D): Pick<CompiledCamera, 'origin' | 'forward' | 'right' | 'up'> {
  cam.updateMatrixWorld(true);
  const e = cam.matrixWorld.elements;
  return {
    origin: [e[12], e[13], e[14]],
    right: new THREE.Vector3(e[0], e[1], e[2]).normalize().toArray(),
    up: new THREE.Vector3(e[4], e[5], e[6]).normalize().toArray(),
    forward: new THREE.Vector3(-e[8], -e[9], -e[10]).normalize().toArray(),
  };
}

function compileCamera(cam: THREE.PerspectiveCamera, sceneName: string): CompiledCamera {
  const frame = cameraFrame(cam);
  const fovY = THREE.MathUtils.degToRad(cam.getEffectiveFOV());
  const lensRadius = Number(cam.userData?.apertureRadius ?? 0);
  const focusDistance = cam.focus;
  if (!(fovY > 0 && fovY < Math.PI)) throw new SceneError(`${sceneName}: camera field of view must be in (0, 180) degrees, got ${cam.fov}`);
  if (!(lensRadius >= 0) || !(focusDistance > 0)) throw new SceneError(`${sceneName}: camera aperture must be >= 0 and focus distance > 0`);
  return { ...frame, fovY, lensRadius, focusDistance };
}

export function compileScene(built: BuiltScene, options: CompileOptions = {}): CompiledScene {
  const name = options.name ?? 'scene';
  const t0 = performance.now();
  const g = gather(built.scene, name);
  const n = g.materialIndex.length;
  const t1 = performance.now();
  const bvh = buildBvh(g.positions);
  const t2 = performance.now();

  const triPos = new Float32Array(n * 12);
  const triShading = new Uint32Array(n * 4);
  const emissive: number[] = [];
  const powers: number[] = [];
  const P = g.positions;
  const N = g.normals;
  // Per material: emitted luminance x sides (0 for non-emitters), so the loop below does no object lookups.
  const emitWeight = new Float64Array(g.materials.map((m) =>
    luminance(m.emission[0], m.emission[1], m.emission[2]) * (m.flags & MATERIAL_FLAG_DOUBLE_SIDED ? 2 : 1)));
  const order = bvh.triangleOrder;
  const mats = g.materialIndex;
  for (let slot = 0; slot < n; slot++) {
    const tri = order[slot];
    const p = tri * 9;
    const o = slot * 12;
    triPos[o] = P[p]; triPos[o + 1] = P[p + 1]; triPos[o + 2] = P[p + 2];
    triPos[o + 4] = P[p + 3]; triPos[o + 5] = P[p + 4]; triPos[o + 6] = P[p + 5];
    triPos[o + 8] = P[p + 6]; triPos[o + 9] = P[p + 7]; triPos[o + 10] = P[p + 8];
    // Face normal from the winding: the front side, used where vertex normals are missing or degenerate.
    const e1x = P[p + 3] - P[p], e1y = P[p + 4] - P[p + 1], e1z = P[p + 5] - P[p + 2];
    const e2x = P[p + 6] - P[p], e2y = P[p + 7] - P[p + 1], e2z = P[p + 8] - P[p + 2];
    const cx = e1y * e2z - e1z * e2y, cy = e1z * e2x - e1x * e2z, cz = e1x * e2y - e1y * e2x;
    const len = Math.sqrt(cx * cx + cy * cy + cz * cz);
    for (let c = 0; c < 3; c++) {
      const code = N[tri * 3 + c];
      triShading[slot * 4 + c] = code !== NO_NORMAL ? code : len > 0 ? octEncode(cx / len, cy / len, cz / len) : octEncode(0, 0, 1);
    }
    const mid = mats[tri];
    triShading[slot * 4 + 3] = mid;
    const w = emitWeight[mid];
    if (w > 0 && len > 0) {
      emissive.push(slot);
      powers.push(w * 0.5 * len);
    }
  }
  // The root node's box bounds the whole scene.
  const root = new Float32Array(bvh.nodes, 0, 8);
  const env = options.environment ?? (built.environment ? { kind: 'constant' as const, color: built.environment.color } : { kind: 'none' as const });
  return {
    name,
    triangleCount: n,
    triPos,
    triShading,
    bvh,
    materials: MATERIAL_LAYOUT.pack(g.materials.map((m) => ({ ...m }))),
    materialList: g.materials,
    lights: buildLightTable(emissive, powers),
    environment: compileEnvironment(env),
    camera: compileCamera(built.camera, name),
    bounds: { min: [root[0], root[1], root[2]], max: [root[4], root[5], root[6]] },
    warnings: [...g.warnings, ...(built.warnings ?? [])],
    timings: { gatherMs: t1 - t0, bvhMs: t2 - t1 },
  };
}
