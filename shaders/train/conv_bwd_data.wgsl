// Gradient of a conv's input: dIn[i](x, y) = sum over o, taps t of g[o](x - dx_t, y - dy_t) * W[o][i][t],
// with g the gradient at the conv's pre-activation output. Accumulates (+=) into `dst`, which may already hold
// a gradient from the tensor's other consumer (a skip tensor feeds an encoder conv and a decoder concat).
// mode 0: the main input (channels c_up.., at this resolution): one invocation = a column strip of R pixels x
//         OB channels; per output channel it reads the strip's 3 x (R + 2) window of g once.
// mode 1: the upsampled input (channels 0..c_up, at half resolution): one invocation = a column strip of R / 2
//         coarse pixels x OB channels, each summing the four fine pixels that read it (a 4 x (R + 2) window of g).
// Sums run over output channels, then taps (then, in mode 1, the four fine pixels).
@group(0) @binding(0) var<uniform> p: ConvP;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

const RU = R / 2u;
const WIN_UP = 4u * (R + 2u);

fn grad_at(b: u32, o: u32, x: i32, y: i32) -> f32 {
  if (x < 0 || y < 0 || x >= i32(p.width) || y >= i32(p.height)) { return 0.0; }
  return g[((b * p.c_out + o) * p.height + u32(y)) * p.width + u32(x)];
}

/** Mode 0: rows y0 .. y0 + R - 1 of input channels i0 .. (clamped to i_end) at column x. */
fn main_strip(acc: ptr<function, array<f32, R * OB>>, b: u32, i0: u32, i_end: u32, x: i32, y0: i32) {
  for (var o = 0u; o < p.c_out; o++) {
    var win: array<f32, WIN>; // [row * 3 + column]: rows y0 - 1 .. y0 + R, columns x - 1 .. x + 1
    for (var q = 0u; q < WIN; q++) { win[q] = grad_at(b, o, x + i32(q % 3u) - 1, y0 + i32(q / 3u) - 1); }
    for (var t = 0u; t < 9u; t++) {
      for (var k = 0u; k < OB; k++) {
        let w = params[weight_index(o, min(i0 + k, i_end - 1u), t)];
        // g at (x - dx_t, y0 + r - dy_t) = win[(r + 2 - t / 3) * 3 + 2 - t % 3]
        for (var r = 0u; r < R; r++) { (*acc)[r * OB + k] += win[r * 3u + 8u - t] * w; }
      }
    }
  }
}

/** Mode 1: coarse rows cy0 .. cy0 + R / 2 - 1 of input channels i0 .. at coarse column cx. */
fn up_strip(acc: ptr<function, array<f32, R * OB>>, b: u32, i0: u32, i_end: u32, cx: i32, cy0: i32) {
  for (var o = 0u; o < p.c_out; o++) {
    var win: array<f32, WIN_UP>; // [row * 4 + column]: fine rows 2 cy0 - 1 .. 2 cy0 + R, columns 2 cx - 1 .. 2 cx + 2
    for (var q = 0u; q < WIN_UP; q++) { win[q] = grad_at(b, o, 2 * cx + i32(q % 4u) - 1, 2 * cy0 + i32(q / 4u) - 1); }
    for (var t = 0u; t < 9u; t++) {
      let row = 2u - t / 3u;
      let col = 2u - t % 3u;
      for (var k = 0u; k < OB; k++) {
        let w = params[weight_index(o, min(i0 + k, i_end - 1u), t)];
        for (var r = 0u; r < RU; r++) {
          let a = (2u * r + row) * 4u + col;
          (*acc)[r * OB + k] += (win[a] + win[a + 1u] + win[a + 4u] + win[a + 5u]) * w;
        }
      }
    }
  }
}

@compute @workgroup_size(16, 4, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let channels = select(p.c_main, p.c_up, p.mode == 1u);
  let first = select(p.c_up, 0u, p.mode == 1u);
  let w = select(p.width, p.width / 2u, p.mode == 1u);
  let h = select(p.height, p.height / 2u, p.mode == 1u);
  let rows = select(R, RU, p.mode == 1u);
  let blocks = (channels + OB - 1u) / OB;
  let b = gid.z / blocks;
  let j0 = (gid.z % blocks) * OB;
  let y0 = gid.y * rows;
  if (gid.x >= w || y0 >= h || b >= p.batch) { return; }
  var acc: array<f32, R * OB>;
  let i0 = first + j0;
  let i_end = first + channels;
  if (p.mode == 0u) {
    main_strip(&acc, b, i0, i_end, i32(gid.x), i32(y0));
  } else {
    up_strip(&acc, b, i0, i_end, i32(gid.x), i32(y0));
  }
  for (var r = 0u; r < rows; r++) {
    let y = y0 + r;
    if (y >= h) { break; }
    for (var k = 0u; k < OB; k++) {
      let j = j0 + k;
      if (j < channels) {
        let at = ((b * channels + j) * h + y) * w + gid.x;
        dst[at] += acc[r * OB + k];
      }
    }
  }
}
