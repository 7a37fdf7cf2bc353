// Gradient of a conv's input: dIn[i](x, y) = sum over o, taps t of g[o](x - dx_t, y - dy_t) * W[o][i][t],
// with g the gradient at the conv's pre-activation output. Accumulates (+=) into `dst`, which may already hold
// a gradient from the tensor's other consumer (a skip tensor feeds an encoder conv and a decoder concat).
// mode 0: the main input (channels c_up.., at this resolution), one invocation = one pixel x OB channels.
// mode 1: the upsampled input (channels 0..c_up, at half resolution): one invocation = one coarse pixel,
//         summing the four fine pixels that read it.
@group(0) @binding(0) var<uniform> p: ConvP;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

fn grad_at(b: u32, o: u32, x: i32, y: i32) -> f32 {
  if (x < 0 || y < 0 || x >= i32(p.width) || y >= i32(p.height)) { return 0.0; }
  return g[((b * p.c_out + o) * p.height + u32(y)) * p.width + u32(x)];
}

/** Adds the gradient of input channels i0.. (OB of them, clamped) at fine pixel (x, y) to acc. */
fn accumulate(acc: ptr<function, array<f32, OB>>, b: u32, i0: u32, i_end: u32, x: i32, y: i32) {
  for (var o = 0u; o < p.c_out; o++) {
    for (var t = 0u; t < 9u; t++) {
      let gv = grad_at(b, o, x - (i32(t % 3u) - 1), y - (i32(t / 3u) - 1));
      for (var k = 0u; k < OB; k++) {
        (*acc)[k] += gv * params[weight_index(o, min(i0 + k, i_end - 1u), t)];
      }
    }
  }
}

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let channels = select(p.c_main, p.c_up, p.mode == 1u);
  let first = select(p.c_up, 0u, p.mode == 1u);
  let w = select(p.width, p.width / 2u, p.mode == 1u);
  let h = select(p.height, p.height / 2u, p.mode == 1u);
  let blocks = (channels + OB - 1u) / OB;
  let b = gid.z / blocks;
  let j0 = (gid.z % blocks) * OB;
  if (gid.x >= w || gid.y >= h || b >= p.batch) { return; }
  var acc: array<f32, OB>;
  let i0 = first + j0;
  let i_end = first + channels;
  if (p.mode == 0u) {
    accumulate(&acc, b, i0, i_end, i32(gid.x), i32(gid.y));
  } else {
    for (var s = 0u; s < 4u; s++) {
      accumulate(&acc, b, i0, i_end, i32(gid.x * 2u + (s & 1u)), i32(gid.y * 2u + (s >> 1u)));
    }
  }
  for (var k = 0u; k < OB; k++) {
    let j = j0 + k;
    if (j < channels) {
      let at = ((b * channels + j) * h + gid.y) * w + gid.x;
      dst[at] += acc[k];
    }
  }
}
