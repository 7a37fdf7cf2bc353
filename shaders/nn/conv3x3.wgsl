// Fused 3x3 convolution + bias + leaky ReLU for CPU adapters (conv_common.wgsl holds the bindings and readers).
//
// One invocation computes an 8-row column strip of one pixel for 16 output channels (8 x 16 accumulators);
// a workgroup of 8 x WY invocations covers an 8 x 8*WY pixel tile, and workgroup z picks the 16-channel block.
// Inputs are consumed 4 channels (one texture layer) at a time. For a decoder conv the first `up_groups` layers
// come from the coarser level's output (`src_up`), read at (x >> 1, y >> 1): nearest 2x upsampling; the rest
// from the skip tensor (`src`). Upsample + concat are just the addresses of this conv's reads (no copy).
//
// The lanes module (conv_lanes_subgroup.wgsl or conv_lanes_plain.wgsl) supplies the entry point and how one
// layer's weights and input strip reach the invocations: begin_group, load_strip, wsel.
// The inner code is written out by hand (helper functions with constant arguments) because every loop that
// stays a loop costs a masked store per accumulator on SIMD-on-CPU drivers such as lavapipe.

/** Rows of invocations per workgroup (the tile is 8 x 8*WY pixels). */
override WY: u32 = 4u;

struct Acc { v: array<vec4f, 32> }    // [r * 4 + k4]: 8 rows x 16 output channels
struct Strip { v: array<vec4f, 30> }  // [rr * 3 + dx]: rows -1..8, columns -1..1, 4 input channels
struct Col { v: array<f32, 30> }      // one input channel of a strip
struct Wts { v: array<vec4f, 36> }    // [t * 4 + k4] for one input channel, t = ky * 3 + kx

fn dot9(w: Wts, k4: u32, x: Col, r: u32) -> vec4f {
  let a = w.v[0u + k4] * x.v[r * 3u + 0u] + w.v[4u + k4] * x.v[r * 3u + 1u] + w.v[8u + k4] * x.v[r * 3u + 2u];
  let b = w.v[12u + k4] * x.v[r * 3u + 3u] + w.v[16u + k4] * x.v[r * 3u + 4u] + w.v[20u + k4] * x.v[r * 3u + 5u];
  let c = w.v[24u + k4] * x.v[r * 3u + 6u] + w.v[28u + k4] * x.v[r * 3u + 7u] + w.v[32u + k4] * x.v[r * 3u + 8u];
  return a + b + c;
}

fn mac_row(acc: ptr<function, Acc>, w: Wts, x: Col, r: u32) {
  (*acc).v[r * 4u + 0u] += dot9(w, 0u, x, r);
  (*acc).v[r * 4u + 1u] += dot9(w, 1u, x, r);
  (*acc).v[r * 4u + 2u] += dot9(w, 2u, x, r);
  (*acc).v[r * 4u + 3u] += dot9(w, 3u, x, r);
}

fn mac_channel(acc: ptr<function, Acc>, w: Wts, x: Col) {
  mac_row(acc, w, x, 0u); mac_row(acc, w, x, 1u); mac_row(acc, w, x, 2u); mac_row(acc, w, x, 3u);
  mac_row(acc, w, x, 4u); mac_row(acc, w, x, 5u); mac_row(acc, w, x, 6u); mac_row(acc, w, x, 7u);
}

fn wts_tap(w: ptr<function, Wts>, c: u32, t: u32) {
  let combo = c * 9u + t;
  (*w).v[t * 4u + 0u] = wsel(combo, 0u); (*w).v[t * 4u + 1u] = wsel(combo, 1u);
  (*w).v[t * 4u + 2u] = wsel(combo, 2u); (*w).v[t * 4u + 3u] = wsel(combo, 3u);
}

/** The 9 x 16 weights of input channel c (0..3) of the current layer. */
fn wts_for(c: u32) -> Wts {
  var w: Wts;
  wts_tap(&w, c, 0u); wts_tap(&w, c, 1u); wts_tap(&w, c, 2u); wts_tap(&w, c, 3u); wts_tap(&w, c, 4u);
  wts_tap(&w, c, 5u); wts_tap(&w, c, 6u); wts_tap(&w, c, 7u); wts_tap(&w, c, 8u);
  return w;
}

fn col3(s: Strip, c: u32, rr: u32, x: ptr<function, Col>) {
  (*x).v[rr * 3u] = s.v[rr * 3u][c];
  (*x).v[rr * 3u + 1u] = s.v[rr * 3u + 1u][c];
  (*x).v[rr * 3u + 2u] = s.v[rr * 3u + 2u][c];
}

fn col(s: Strip, c: u32) -> Col {
  var x: Col;
  col3(s, c, 0u, &x); col3(s, c, 1u, &x); col3(s, c, 2u, &x); col3(s, c, 3u, &x); col3(s, c, 4u, &x);
  col3(s, c, 5u, &x); col3(s, c, 6u, &x); col3(s, c, 7u, &x); col3(s, c, 8u, &x); col3(s, c, 9u, &x);
  return x;
}

fn store_row(acc: Acc, block: u32, x: u32, y: u32, r: u32) {
  if (y + r >= p.height) { return; }
  for (var k4 = 0u; k4 < 4u; k4++) {
    let layer = block * 4u + k4;
    if (layer < p.out_layers) {
      let a = acc.v[r * 4u + k4];
      store_texel(vec2i(i32(x) + 1, i32(y + r) + 1), p.out_layer + layer, max(a, p.slope * a));
    }
  }
}

fn conv_main(lid: vec3u, wg: vec3u) {
  let x = wg.x * 8u + lid.x;
  let y = (wg.y * WY + lid.y) * 8u;
  let block = wg.z;
  let block_base = p.w_base + block * (4u + p.groups * GROUP_TEXELS);
  // accumulators start at the bias (4 texels before the block's weights)
  let b0 = fetch_w(block_base); let b1 = fetch_w(block_base + 1u);
  let b2 = fetch_w(block_base + 2u); let b3 = fetch_w(block_base + 3u);
  var acc = Acc(array<vec4f, 32>(b0, b1, b2, b3, b0, b1, b2, b3, b0, b1, b2, b3, b0, b1, b2, b3,
                                 b0, b1, b2, b3, b0, b1, b2, b3, b0, b1, b2, b3, b0, b1, b2, b3));
  for (var g = 0u; g < p.groups; g++) {
    begin_group(g, block_base + 4u + g * GROUP_TEXELS, wg);
    let s = load_strip(g, lid.x, lid.y, i32(x), i32(y));
    mac_channel(&acc, wts_for(0u), col(s, 0u));
    mac_channel(&acc, wts_for(1u), col(s, 1u));
    mac_channel(&acc, wts_for(2u), col(s, 2u));
    mac_channel(&acc, wts_for(3u), col(s, 3u));
  }
  if (x < p.width) {
    store_row(acc, block, x, y, 0u); store_row(acc, block, x, y, 1u); store_row(acc, block, x, y, 2u);
    store_row(acc, block, x, y, 3u); store_row(acc, block, x, y, 4u); store_row(acc, block, x, y, 5u);
    store_row(acc, block, x, y, 6u); store_row(acc, block, x, y, 7u);
  }
}
