// Final pass: crops the network output tensor to the image (or a tile's core) and maps it to linear HDR RGB
// (see transform.wgsl), written as packed float RGB rows of dst_stride pixels. Reads the input pass's source (the
// film, or the uploaded image planes) viewed as floats: the result is divided by the input's autoexposure scale
// (exposure[0], 1 for specs without `autoexposure`), specs with `demodulate` multiply it by the
// demodulation factor of the input's albedo, and every value is bounded by the larger of the largest input colour
// value of its channel within OUTPUT_BOUND_RADIUS pixels and the mean within OUTPUT_BOUND_MEAN_RADIUS pixels
// (transform.ts boundByInput). A self-ensemble runs the passes once per
// symmetry, reading the network output through the inverse symmetry and adding each result times its weight.
struct OutputParams {
  width: u32,        // region written
  height: u32,
  layer: u32,
  dst_stride: u32,   // output image width
  src_origin: vec2u, // the region's top-left pixel in the network output (a tile's core offset)
  dst_offset: u32,   // float index of the region's top-left value in the bound part of `rgb`
  demodulate: u32,   // 1: multiply by demod_factor(albedo)
  source_origin: vec2u, // the region's top-left pixel in the source
  source_size: vec2u,   // the source's pixels per row and rows (the bound's window is clamped to them)
  color_base: u32,   // float index of the colour of source pixel 0
  albedo_base: u32,  // float index of the albedo of source pixel 0 (read only with `demodulate`)
  source_stride: u32, // floats per source pixel (4: film vec4f, 3: uploaded RGB)
  source_scale: f32, // 1 / spp for the film's sums, 1 for images
  region_size: vec2u, // the network's region (a tile's rectangle) before the symmetry
  symmetry: u32,     // the input pass's (src/denoise/dihedral.ts): the output is read back through its inverse
  accumulate: u32,   // 0: rgb = v * weight; 1: rgb += v * weight (the later members of a self-ensemble)
  weight: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}
@group(0) @binding(0) var<storage, read_write> rgb: array<f32>;
@group(0) @binding(1) var src: texture_2d_array<f32>;
@group(0) @binding(2) var<uniform> p: OutputParams;
@group(0) @binding(3) var<storage, read> source: array<f32>;
@group(0) @binding(4) var<storage, read> exposure: array<f32>;

fn source_rgb(base: u32, s: vec2u) -> vec3f {
  let a = base + (s.y * p.source_size.x + s.x) * p.source_stride;
  return vec3f(source[a], source[a + 1u], source[a + 2u]) * p.source_scale;
}

// The bound's windows for a workgroup's 8x8 pixels: their source pixels and OUTPUT_BOUND_MEAN_RADIUS around them
// (which holds the maximum's smaller window too), each read and cleaned once (position clamped to the source)
// instead of once per pixel whose windows hold it.
const MEAN_TILE = 8 + 2 * OUTPUT_BOUND_MEAN_RADIUS;
const MEAN_TILE_PIXELS = MEAN_TILE * MEAN_TILE;
var<workgroup> mean_tile: array<vec3f, MEAN_TILE_PIXELS>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let hi = vec2i(p.source_size) - 1;
  let tile_origin = vec2i(wg.xy * 8u + p.source_origin) - OUTPUT_BOUND_MEAN_RADIUS;
  for (var k = i32(li); k < MEAN_TILE_PIXELS; k += 64) {
    let q = clamp(tile_origin + vec2i(k % MEAN_TILE, k / MEAN_TILE), vec2i(0), hi);
    mean_tile[k] = clean_radiance(source_rgb(p.color_base, vec2u(q)));
  }
  workgroupBarrier();
  if (id.x >= p.width || id.y >= p.height) { return; }
  let q = id.xy + p.src_origin;
  let transposed = (p.symmetry & 4u) != 0u;
  let j = select(p.region_size, p.region_size.yx, transposed);
  let t = select(q, q.yx, transposed);
  let o = vec2u(select(t.x, j.x - 1u - t.x, (p.symmetry & 1u) != 0u), select(t.y, j.y - 1u - t.y, (p.symmetry & 2u) != 0u));
  var v = output_to_linear(textureLoad(src, vec2i(o) + 1, p.layer, 0).xyz) / exposure[0];
  let s = id.xy + p.source_origin;
  if (p.demodulate != 0u) {
    v *= demod_factor(source_rgb(p.albedo_base, s));
  }
  let lo = vec2i(s) - OUTPUT_BOUND_RADIUS;
  var bound = vec3f(0.0);
  for (var dy = 0; dy <= 2 * OUTPUT_BOUND_RADIUS; dy++) {
    for (var dx = 0; dx <= 2 * OUTPUT_BOUND_RADIUS; dx++) {
      let q = clamp(lo + vec2i(dx, dy), vec2i(0), hi);
      bound = max(bound, mean_tile[(q.y - tile_origin.y) * MEAN_TILE + q.x - tile_origin.x]);
    }
  }
  // the mean over the wider window clipped to the source (sparse inputs: a small window may hold no lit sample)
  let a = max(vec2i(s) - OUTPUT_BOUND_MEAN_RADIUS, vec2i(0));
  let e = min(vec2i(s) + OUTPUT_BOUND_MEAN_RADIUS, hi);
  var sum = vec3f(0.0);
  for (var y = a.y; y <= e.y; y++) {
    for (var x = a.x; x <= e.x; x++) {
      sum += mean_tile[(y - tile_origin.y) * MEAN_TILE + x - tile_origin.x];
    }
  }
  bound = max(bound, sum / f32((e.x - a.x + 1) * (e.y - a.y + 1)));
  v = min(v, bound) * p.weight;
  let b = p.dst_offset + (id.y * p.dst_stride + id.x) * 3u;
  if (p.accumulate != 0u) {
    v += vec3f(rgb[b], rgb[b + 1u], rgb[b + 2u]);
  }
  rgb[b] = v.x;
  rgb[b + 1u] = v.y;
  rgb[b + 2u] = v.z;
}
