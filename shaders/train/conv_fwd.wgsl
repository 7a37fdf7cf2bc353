// Forward 3x3 conv + bias (+ leaky ReLU): one invocation = one pixel x OB output channels.
@group(0) @binding(0) var<uniform> p: ConvP;
@group(0) @binding(1) var<storage, read> up: array<f32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let blocks = (p.c_out + OB - 1u) / OB;
  let b = gid.z / blocks;
  let o0 = (gid.z % blocks) * OB;
  if (gid.x >= p.width || gid.y >= p.height || b >= p.batch) { return; }
  let x = i32(gid.x);
  let y = i32(gid.y);
  var acc: array<f32, OB>;
  for (var k = 0u; k < OB; k++) { acc[k] = params[p.b_off + min(o0 + k, p.c_out - 1u)]; }
  let n_in = cin();
  for (var i = 0u; i < n_in; i++) {
    for (var t = 0u; t < 9u; t++) {
      let v = input_at(b, i, x + i32(t % 3u) - 1, y + i32(t / 3u) - 1);
      for (var k = 0u; k < OB; k++) {
        acc[k] += v * params[weight_index(min(o0 + k, p.c_out - 1u), i, t)];
      }
    }
  }
  for (var k = 0u; k < OB; k++) {
    let o = o0 + k;
    if (o < p.c_out) {
      var v = acc[k];
      if (p.act == 1u) { v = max(v, p.slope * v); }
      dst[((b * p.c_out + o) * p.height + gid.y) * p.width + gid.x] = v;
    }
  }
}
