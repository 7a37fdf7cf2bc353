// three.js materials -> the renderer's Material struct (see shaders/pathtrace/structs.wgsl for the model).
import * as THREE from 'three';
import { MATERIAL_FLAG_DOUBLE_SIDED, MaterialKind } from '../render/layout.ts';

export interface CompiledMaterial {
  [field: string]: number | number[];
  base_color: number[];
  kind: MaterialKind;
  emission: number[];
  roughness: number;
  specular_color: number[];
  metalness: number;
  ior: number;
  specular: number;
  flags: number;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const rgb = (c: THREE.Color | undefined, fallback = 1): number[] =>
  c ? [c.r, c.g, c.b].map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0)) : [fallback, fallback, fallback];

/** Maps one three.js material; unsupported kinds fall back to Lambert with a warning. */
export function compileMaterial(mat: THREE.Material, warnings: string[]): CompiledMaterial {
  const name = mat.name || mat.type;
  const m = mat as THREE.MeshPhysicalMaterial; // fields read below exist on the standard/physical/lambert types
  const emissiveColor = rgb(m.emissive, 0);
  const strength = Number.isFinite(m.emissiveIntensity) ? Math.max(0, m.emissiveIntensity ?? 1) : 1;
  const out: CompiledMaterial = {
    base_color: rgb(m.color).map(clamp01),
    kind: MaterialKind.Diffuse,
    emission: emissiveColor.map((c) => c * strength),
    roughness: 1,
    specular_color: [1, 1, 1],
    metalness: 0,
    ior: 1.5,
    specular: 1,
    flags: mat.side === THREE.DoubleSide ? MATERIAL_FLAG_DOUBLE_SIDED : 0,
  };
  if ((mat as THREE.MeshLambertMaterial).isMeshLambertMaterial) return out;
  if (!(mat as THREE.MeshStandardMaterial).isMeshStandardMaterial) {
    warnings.push(`material '${name}' (${mat.type}) is not supported; rendered as Lambertian`);
    return out;
  }
  out.roughness = clamp01(m.roughness ?? 1);
  out.metalness = clamp01(m.metalness ?? 0);
  if (m.isMeshPhysicalMaterial) {
    out.ior = Number.isFinite(m.ior) && m.ior >= 1 ? m.ior : 1.5;
    out.specular = clamp01(m.specularIntensity ?? 1);
    out.specular_color = rgb(m.specularColor);
    if ((m.transmission ?? 0) >= 1) {
      out.kind = MaterialKind.Dielectric;
      return out;
    }
    if ((m.transmission ?? 0) > 0) warnings.push(`material '${name}': partial transmission ${m.transmission} is not supported; rendered opaque`);
  }
  if (m.map || m.roughnessMap || m.metalnessMap || m.normalMap || m.emissiveMap) {
    warnings.push(`material '${name}': textures are not supported yet; using the constant factors`);
  }
  if (out.metalness >= 1) out.kind = MaterialKind.Conductor;
  else if (out.metalness === 0 && out.specular === 0) out.kind = MaterialKind.Diffuse;
  else out.kind = MaterialKind.Standard;
  return out;
}
