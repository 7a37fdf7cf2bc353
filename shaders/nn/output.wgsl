// Final pass: crops the network output tensor to the image (or a tile's core) and maps it to linear HDR RGB
// (see transform.wgsl), written as packed float RGB rows of dst_stride pixels.
struct OutputParams {
  width: u32,        // region written
  height: u32,
  layer: u32,
  dst_stride: u32,   // output image width
  src_origin: vec2u, // the region's top-left pixel in the network output (a tile's core offset)
  dst_offset: u32,   // float index of the region's top-left value in the bound part of `rgb`
  _pad0: u32,
}
@group(0) @binding(0) var<storage, read_write> rgb: array<f32>;
@group(0) @binding(1) var src: texture_2d_array<f32>;
@group(0) @binding(2) var<uniform> p: OutputParams;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height) { return; }
  let v = output_to_linear(textureLoad(src, vec2i(id.xy + p.src_origin) + 1, p.layer, 0).xyz);
  let b = p.dst_offset + (id.y * p.dst_stride + id.x) * 3u;
  rgb[b] = v.x;
  rgb[b + 1u] = v.y;
  rgb[b + 2u] = v.z;
}
