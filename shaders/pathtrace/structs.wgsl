// GPU structs shared by the path-tracing kernels. Host mirrors: src/render/layout.ts (byte offsets
// are written there and checked by tests/render/layout.test.ts).

// BVH record, 64 bytes (src/scene/bvh-wide.ts): up to four children with boxes on an 8-bit grid of step
// 2^e per axis from `origin`. exps: e + 127 for x, y, z in bytes 0..2. lo / hi: per axis one word, byte k =
// child k's grid min / max. child k: record index, leaf 0x80000000 | (count - 1) << 26 | first triangle (BVH
// order), or 0xffffffff for an empty slot.
struct BvhNode {
  origin: vec3f,
  exps: u32,
  lo: vec3u,
  hi: vec3u,
  child: vec4u,
}

const MAT_DIFFUSE: u32 = 0u;
const MAT_CONDUCTOR: u32 = 1u;
const MAT_DIELECTRIC: u32 = 2u;
const MAT_STANDARD: u32 = 3u;

const MAT_FLAG_DOUBLE_SIDED: u32 = 1u;

// Material, 64 bytes. `kind` is the type tag of a closed switch (see bsdf.wgsl).
//  DIFFUSE:    Lambertian, albedo base_color.
//  CONDUCTOR:  GGX microfacet metal, Schlick Fresnel with F0 = base_color; roughness 0 = perfect mirror.
//  DIELECTRIC: glass with index `ior`; roughness 0 = smooth (delta), else GGX (Walter 2007);
//              transmission tinted by base_color.
//  STANDARD:   three.js MeshStandardMaterial: mix of CONDUCTOR (weight metalness) and a dielectric
//              GGX specular layer (F0 = ((ior-1)/(ior+1))^2 * specular_color * specular) over Lambert.
struct Material {
  base_color: vec3f,
  kind: u32,
  emission: vec3f,       // emitted radiance (colour x strength); zero for non-emitters
  roughness: f32,        // perceptual roughness; GGX alpha = roughness^2
  specular_color: vec3f,
  metalness: f32,
  ior: f32,
  specular: f32,         // specular layer weight (MeshPhysicalMaterial.specularIntensity)
  _pad0: f32,
  flags: u32,
}

// One row of the emissive-triangle alias table, 16 bytes (Vose's method).
// Pick i = floor(u * count); keep it if u' < prob, else take alias.
struct LightEntry {
  triangle: u32,    // index into the BVH-ordered triangle arrays
  alias_row: u32,   // row index to use when the coin says no
  prob: f32,
  _pad0: u32,
}

// Ray-scene intersection result. t = F32_MAX when nothing was hit.
struct Hit {
  t: f32,
  u: f32,            // barycentric weight of v1
  v: f32,            // barycentric weight of v2
  triangle: u32,
}
