// Shared part of the input passes: parameters and packing of the transformed inputs into tensor layers.
// Needs transform.wgsl and the store module (binding 0: dst). One invocation per padded pixel.
struct InputParams {
  width: u32,         // size of the region denoised (the whole image or one tile)
  height: u32,
  padded_width: u32,  // network size (multiple of 2^levels); extra columns/rows repeat the last ones
  padded_height: u32,
  order: vec4u,       // kind of each input slot: 0 colour, 1 albedo, 2 normal, 3 none
  out_layer: u32,
  out_layers: u32,    // ceil(3 * inputs / 4)
  inv_spp: f32,       // film path only: 1 / samples per pixel
  demodulate: u32,    // 1: colour / demod_factor(albedo) (specs with `demodulate`)
  origin: vec2u,      // the region's top-left pixel in the source
  src_size: vec2u,    // the source's size (row length and plane size)
  symmetry: u32,      // the network sees the region flipped / transposed (src/denoise/dihedral.ts): 1 x, 2 y, 4 transpose
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}
@group(0) @binding(1) var<uniform> p: InputParams;
// exposure[0]: the autoexposure scale k the colour is multiplied by (1 for specs without `autoexposure`)
@group(0) @binding(3) var<storage, read> exposure: array<f32>;

fn pick(kind: u32, color: vec3f, albedo: vec3f, normal: vec3f) -> vec3f {
  switch kind {
    case 0u: { return prep_color(color); }
    case 1u: { return prep_albedo(albedo); }
    case 2u: { return prep_normal(normal); }
    default: { return vec3f(0.0); }
  }
}

/**
 * Source index of padded pixel `id` of the network's input J, the region under `p.symmetry`: the padding repeats
 * J's last column and row.
 */
fn source_index(id: vec3u) -> u32 {
  let transposed = (p.symmetry & 4u) != 0u;
  let j = select(vec2u(p.width, p.height), vec2u(p.height, p.width), transposed);
  let q = min(id.xy, j - 1u);
  let a = select(q.x, j.x - 1u - q.x, (p.symmetry & 1u) != 0u);
  let b = select(q.y, j.y - 1u - q.y, (p.symmetry & 2u) != 0u);
  let s = p.origin + select(vec2u(a, b), vec2u(b, a), transposed);
  return s.y * p.src_size.x + s.x;
}

fn write_input(id: vec3u, radiance: vec3f, albedo: vec3f, normal: vec3f) {
  var color = radiance * exposure[0];
  if (p.demodulate != 0u) { color /= demod_factor(albedo); }
  let a = pick(p.order.x, color, albedo, normal);
  let b = pick(p.order.y, color, albedo, normal);
  let c = pick(p.order.z, color, albedo, normal);
  let t = vec2i(id.xy) + 1;
  store_texel(t, p.out_layer, vec4f(a, b.x));
  if (p.out_layers > 1u) { store_texel(t, p.out_layer + 1u, vec4f(b.yz, c.xy)); }
  if (p.out_layers > 2u) { store_texel(t, p.out_layer + 2u, vec4f(c.z, 0.0, 0.0, 0.0)); }
}
