// Partial weight and bias gradients of one conv: workgroup (o-block of 8, input channel i, chunk z of column
// strips of R pixels) sums g[o](pixel) * in[i](pixel + tap) over its chunk of the batch's strips: per strip it
// reads the 3 x (R + 2) input window once and then, row by row, the 8 outputs' g. reduce_chunks.wgsl adds the
// chunks in a fixed order (deterministic, no float atomics). Partial layout per chunk: weights [o][i][t], then
// biases [o].
@group(0) @binding(0) var<uniform> p: ConvP;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> up: array<f32>;
@group(0) @binding(3) var<storage, read> src: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial: array<f32>;

const WG = 32u;
const NV = 80u; // 8 outputs x 9 taps + 8 biases
var<workgroup> red: array<f32, 2560>; // NV * WG

fn g_at(at: u32, o: u32) -> f32 {
  return g[at + min(o, p.c_out - 1u) * p.width * p.height];
}

@compute @workgroup_size(32, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o0 = wid.x * 8u;
  let i = wid.y;
  let plane = p.width * p.height;
  let per_col = (p.height + R - 1u) / R;
  let per_image = p.width * per_col;
  let total = per_image * p.batch;
  let start = wid.z * p.chunk;
  let end = min(start + p.chunk, total);
  var lo: array<vec4f, 9>; // [t]: outputs o0 .. o0 + 3
  var hi: array<vec4f, 9>; // [t]: outputs o0 + 4 .. o0 + 7
  var bias_lo = vec4f(0.0);
  var bias_hi = vec4f(0.0);
  for (var q = start + lid; q < end; q += WG) {
    let b = q / per_image;
    let s = q % per_image;
    let x = s % p.width;
    let y0 = (s / p.width) * R;
    var win: array<f32, WIN>; // [row * 3 + column]: rows y0 - 1 .. y0 + R, columns x - 1 .. x + 1
    load_window(&win, b, i, i32(x), i32(y0));
    for (var r = 0u; r < R; r++) {
      // rows below the image (a partial last strip) read row height - 1 and count as zero
      let y = y0 + r;
      let keep = y < p.height;
      let at = b * p.c_out * plane + min(y, p.height - 1u) * p.width + x;
      let g_lo = select(vec4f(0.0), vec4f(g_at(at, o0), g_at(at, o0 + 1u), g_at(at, o0 + 2u), g_at(at, o0 + 3u)), keep);
      let g_hi = select(vec4f(0.0), vec4f(g_at(at, o0 + 4u), g_at(at, o0 + 5u), g_at(at, o0 + 6u), g_at(at, o0 + 7u)), keep);
      for (var t = 0u; t < 9u; t++) {
        let v = win[r * 3u + t];
        lo[t] += g_lo * v;
        hi[t] += g_hi * v;
      }
      bias_lo += g_lo;
      bias_hi += g_hi;
    }
  }
  // red[v * WG + lane], v = k * 9 + t for the weights, 72 + k for the biases
  for (var k = 0u; k < 4u; k++) {
    for (var t = 0u; t < 9u; t++) {
      red[(k * 9u + t) * WG + lid] = lo[t][k];
      red[((k + 4u) * 9u + t) * WG + lid] = hi[t][k];
    }
    red[(72u + k) * WG + lid] = bias_lo[k];
    red[(76u + k) * WG + lid] = bias_hi[k];
  }
  workgroupBarrier();
  let n_in = cin();
  let n_w = p.c_out * n_in * 9u;
  let base = wid.z * (n_w + p.c_out);
  for (var v = lid; v < NV; v += WG) {
    var s = 0.0;
    for (var l = 0u; l < WG; l++) { s += red[v * WG + l]; }
    if (v < 72u) {
      let o = o0 + v / 9u;
      if (o < p.c_out) { partial[base + (o * n_in + i) * 9u + v % 9u] = s; }
    } else {
      let o = o0 + v - 72u;
      if (i == 0u && o < p.c_out) { partial[base + n_w + o] = s; }
    }
  }
}
