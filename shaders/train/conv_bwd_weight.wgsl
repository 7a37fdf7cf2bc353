// Partial weight and bias gradients of one conv: workgroup (o-block of 4, input channel i, pixel chunk z) sums
// g[o](pixel) * in[i](pixel + tap) over its chunk of the batch's pixels; reduce_chunks.wgsl adds the chunks in a
// fixed order (deterministic, no float atomics). Partial layout per chunk: weights [o][i][t], then biases [o].
@group(0) @binding(0) var<uniform> p: ConvP;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> up: array<f32>;
@group(0) @binding(3) var<storage, read> src: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial: array<f32>;

const WG = 64u;
const NV = 40u; // 4 outputs x 9 taps + 4 biases
var<workgroup> red: array<f32, 2560>; // NV * WG

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o0 = wid.x * 4u;
  let i = wid.y;
  let plane = p.width * p.height;
  let total = plane * p.batch;
  let start = wid.z * p.chunk_pixels;
  let end = min(start + p.chunk_pixels, total);
  var acc: array<f32, NV>;
  for (var q = start + lid; q < end; q += WG) {
    let b = q / plane;
    let r = q % plane;
    let x = i32(r % p.width);
    let y = i32(r / p.width);
    var gv: array<f32, 4>;
    for (var k = 0u; k < 4u; k++) {
      let o = min(o0 + k, p.c_out - 1u);
      gv[k] = g[(b * p.c_out + o) * plane + r];
    }
    for (var t = 0u; t < 9u; t++) {
      let v = input_at(b, i, x + i32(t % 3u) - 1, y + i32(t / 3u) - 1);
      for (var k = 0u; k < 4u; k++) { acc[k * 9u + t] += gv[k] * v; }
    }
    for (var k = 0u; k < 4u; k++) { acc[36u + k] += gv[k]; }
  }
  for (var v = 0u; v < NV; v++) { red[v * WG + lid] = acc[v]; }
  workgroupBarrier();
  if (lid >= NV) { return; }
  var s = 0.0;
  for (var l = 0u; l < WG; l++) { s += red[lid * WG + l]; }
  let n_in = cin();
  let n_w = p.c_out * n_in * 9u;
  let base = wid.z * (n_w + p.c_out);
  if (lid < 36u) {
    let o = o0 + lid / 9u;
    if (o < p.c_out) { partial[base + (o * n_in + i) * 9u + lid % 9u] = s; }
  } else {
    let o = o0 + lid - 36u;
    if (i == 0u && o < p.c_out) { partial[base + n_w + o] = s; }
  }
}
