// Forward 3x3 conv + bias (+ leaky ReLU): one invocation = a column strip of R pixels x OB output channels.
// Per input channel it reads the strip's 3 x (R + 2) input window once and each of the OB x 9 weights once
// (workgroup-uniform addresses), then does R x OB x 9 multiply-adds: R times fewer weight reads per
// multiply-add than one pixel per invocation. Sums run over input channels, then taps, as in the reference.
@group(0) @binding(0) var<uniform> p: ConvP;
@group(0) @binding(1) var<storage, read> up: array<f32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(16, 4, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let blocks = (p.c_out + OB - 1u) / OB;
  let b = gid.z / blocks;
  let o0 = (gid.z % blocks) * OB;
  let y0 = gid.y * R;
  if (gid.x >= p.width || y0 >= p.height || b >= p.batch) { return; }
  let x = i32(gid.x);
  var acc: array<f32, R * OB>; // [r * OB + k]
  for (var k = 0u; k < OB; k++) {
    let bias = params[p.b_off + min(o0 + k, p.c_out - 1u)];
    for (var r = 0u; r < R; r++) { acc[r * OB + k] = bias; }
  }
  let n_in = cin();
  for (var i = 0u; i < n_in; i++) {
    var win: array<f32, WIN>; // [row * 3 + column]: rows y0 - 1 .. y0 + R, columns x - 1 .. x + 1
    load_window(&win, b, i, x, i32(y0));
    for (var t = 0u; t < 9u; t++) {
      for (var k = 0u; k < OB; k++) {
        let w = params[weight_index(min(o0 + k, p.c_out - 1u), i, t)];
        for (var r = 0u; r < R; r++) { acc[r * OB + k] += win[r * 3u + t] * w; }
      }
    }
  }
  for (var r = 0u; r < R; r++) {
    let y = y0 + r;
    if (y >= p.height) { break; }
    for (var k = 0u; k < OB; k++) {
      let o = o0 + k;
      if (o < p.c_out) {
        var v = acc[r * OB + k];
        if (p.act == 1u) { v = max(v, p.slope * v); }
        dst[((b * p.c_out + o) * p.height + y) * p.width + gid.x] = v;
      }
    }
  }
}
