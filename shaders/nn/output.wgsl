// Final pass: crops the network output tensor to the image (or a tile's core) and maps it to linear HDR RGB
// (see transform.wgsl), written as packed float RGB rows of dst_stride pixels. Specs with `demodulate` multiply
// the result by the demodulation factor of the input's albedo, read from the input pass's source (the film, or
// the uploaded image planes) viewed as floats.
struct OutputParams {
  width: u32,        // region written
  height: u32,
  layer: u32,
  dst_stride: u32,   // output image width
  src_origin: vec2u, // the region's top-left pixel in the network output (a tile's core offset)
  dst_offset: u32,   // float index of the region's top-left value in the bound part of `rgb`
  demodulate: u32,   // 1: multiply by demod_factor(albedo)
  albedo_origin: vec2u, // the region's top-left pixel in the source
  albedo_row: u32,   // source pixels per row
  albedo_base: u32,  // float index of the albedo of source pixel 0
  albedo_stride: u32, // floats per source pixel (4: film vec4f, 3: uploaded RGB)
  albedo_scale: f32, // 1 / spp for the film's sums, 1 for images
  _pad0: vec2u,
}
@group(0) @binding(0) var<storage, read_write> rgb: array<f32>;
@group(0) @binding(1) var src: texture_2d_array<f32>;
@group(0) @binding(2) var<uniform> p: OutputParams;
@group(0) @binding(3) var<storage, read> source: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height) { return; }
  var v = output_to_linear(textureLoad(src, vec2i(id.xy + p.src_origin) + 1, p.layer, 0).xyz);
  if (p.demodulate != 0u) {
    let s = (id.y + p.albedo_origin.y) * p.albedo_row + id.x + p.albedo_origin.x;
    let a = p.albedo_base + s * p.albedo_stride;
    v *= demod_factor(vec3f(source[a], source[a + 1u], source[a + 2u]) * p.albedo_scale);
  }
  let b = p.dst_offset + (id.y * p.dst_stride + id.x) * 3u;
  rgb[b] = v.x;
  rgb[b + 1u] = v.y;
  rgb[b + 2u] = v.z;
}
