// The Stanford bunny from the `bunny` package as flat typed arrays: 1 m tall, standing on y = 0, centred on x = z = 0,
// counter-clockwise outward winding (the mesh is closed), smooth area-weighted vertex normals.
import bunny from 'bunny';

export interface TriangleArrays {
  positions: Float32Array; // xyz per vertex
  normals: Float32Array; // unit xyz per vertex
  indices: Uint32Array; // 3 per triangle
}

let cached: TriangleArrays | undefined;

export function bunnyArrays(): TriangleArrays {
  if (cached) return cached;
  const src = bunny.positions;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (const p of src) {
    for (let k = 0; k < 3; k++) {
      lo[k] = Math.min(lo[k], p[k]);
      hi[k] = Math.max(hi[k], p[k]);
    }
  }
  const scale = 1 / (hi[1] - lo[1]);
  const offset = [-(lo[0] + hi[0]) / 2, -lo[1], -(lo[2] + hi[2]) / 2];
  const positions = new Float32Array(src.length * 3);
  src.forEach((p, i) => {
    for (let k = 0; k < 3; k++) positions[i * 3 + k] = (p[k] + offset[k]) * scale;
  });
  const indices = new Uint32Array(bunny.cells.length * 3);
  bunny.cells.forEach((c, i) => indices.set(c, i * 3));
  cached = { positions, normals: vertexNormals(positions, indices), indices };
  return cached;
}

/** Area-weighted vertex normals (the unnormalised face cross products summed per vertex). */
export function vertexNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  const normals = new Float32Array(positions.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t] * 3, b = indices[t + 1] * 3, c = indices[t + 2] * 3;
    const e1x = positions[b] - positions[a], e1y = positions[b + 1] - positions[a + 1], e1z = positions[b + 2] - positions[a + 2];
    const e2x = positions[c] - positions[a], e2y = positions[c + 1] - positions[a + 1], e2z = positions[c + 2] - positions[a + 2];
    const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
    for (const v of [a, b, c]) {
      normals[v] += nx;
      normals[v + 1] += ny;
      normals[v + 2] += nz;
    }
  }
  for (let v = 0; v < normals.length; v += 3) {
    const len = Math.hypot(normals[v], normals[v + 1], normals[v + 2]);
    // A vertex used by no triangle (none in this mesh) would get an arbitrary but finite normal.
    if (len > 0) {
      normals[v] /= len;
      normals[v + 1] /= len;
      normals[v + 2] /= len;
    } else normals[v + 1] = 1;
  }
  return normals;
}

export interface Placement {
  x: number;
  z: number;
  /** Rotation about +y in radians. */
  yaw: number;
  /** Uniform scale = height in metres. */
  scale: number;
}

/**
 * Several bunnies merged into one indexed mesh (rotation about y + uniform scale + translation), built directly in
 * typed arrays: the large scenes must build in well under a second.
 */
export function placeBunnies(placements: readonly Placement[]): TriangleArrays {
  const base = bunnyArrays();
  const nv = base.positions.length / 3;
  const positions = new Float32Array(placements.length * base.positions.length);
  const normals = new Float32Array(placements.length * base.normals.length);
  const indices = new Uint32Array(placements.length * base.indices.length);
  placements.forEach((p, b) => {
    const c = Math.cos(p.yaw), s = Math.sin(p.yaw);
    const o = b * nv * 3;
    for (let v = 0; v < nv * 3; v += 3) {
      const x = base.positions[v], y = base.positions[v + 1], z = base.positions[v + 2];
      positions[o + v] = (c * x + s * z) * p.scale + p.x;
      positions[o + v + 1] = y * p.scale;
      positions[o + v + 2] = (-s * x + c * z) * p.scale + p.z;
      const nx = base.normals[v], nz = base.normals[v + 2];
      normals[o + v] = c * nx + s * nz;
      normals[o + v + 1] = base.normals[v + 1];
      normals[o + v + 2] = -s * nx + c * nz;
    }
    const io = b * base.indices.length;
    const vo = b * nv;
    for (let i = 0; i < base.indices.length; i++) indices[io + i] = base.indices[i] + vo;
  });
  return { positions, normals, indices };
}
