// 2x2 max-pool (stride 2) of a tensor texture into the next level; one invocation per output texel and layer.
// Needs the store module (binding 0: dst).
struct PoolParams {
  width: u32,     // output size (the coarser level)
  height: u32,
  layers: u32,
  in_layer: u32,
  out_layer: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}
@group(0) @binding(1) var src: texture_2d_array<f32>;
@group(0) @binding(2) var<uniform> p: PoolParams;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height || id.z >= p.layers) { return; }
  // pixel (2x, 2y) of the finer level is texel (2x + 1, 2y + 1): one-texel border
  let t = vec2i(2 * i32(id.x) + 1, 2 * i32(id.y) + 1);
  let l = p.in_layer + id.z;
  let m = max(max(textureLoad(src, t, l, 0), textureLoad(src, t + vec2i(1, 0), l, 0)),
              max(textureLoad(src, t + vec2i(0, 1), l, 0), textureLoad(src, t + vec2i(1, 1), l, 0)));
  store_texel(vec2i(id.xy) + 1, p.out_layer + id.z, m);
}
