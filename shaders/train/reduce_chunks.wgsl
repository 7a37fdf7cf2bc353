// Sums a conv's partial gradients over its pixel chunks (in chunk order) into the flat gradient buffer.
struct ReduceP {
  n_w: u32,    // weights of the layer
  c_out: u32,  // biases of the layer
  chunks: u32,
  w_off: u32,
  b_off: u32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
}
@group(0) @binding(0) var<uniform> r: ReduceP;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = gid.y * nwg.x * 256u + gid.x;
  let stride = r.n_w + r.c_out;
  if (j >= stride) { return; }
  var s = 0.0;
  for (var z = 0u; z < r.chunks; z++) { s += partial[z * stride + j]; }
  if (j < r.n_w) { grad[r.w_off + j] = s; } else { grad[r.b_off + j - r.n_w] = s; }
}
