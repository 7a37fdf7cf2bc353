// Fused 3x3 convolution + bias + leaky ReLU shaped for GPUs (conv_common.wgsl holds the bindings and readers;
// conv3x3.wgsl is the shape for CPU adapters).
//
// One invocation computes a column strip of 4 rows x 8 output channels: 32 accumulators, where the CPU shape's
// 8 x 16 strip holds 128 plus a 30-texel input strip and 36 weight texels, more registers than a GPU thread has
// at useful occupancy. A 16 x 4 workgroup covers a 16 x 16 pixel tile; workgroup z picks a pair of output
// layers (8 channels: layers 2z and 2z + 1 of the conv's output, in block z / 2 of the weight texture).
// Per input layer (4 channels) the workgroup stages the 18 x 18 input tile (halo included) and the pair's
// 4 x 9 x 2 weight texels in workgroup memory; each invocation then reads its 6 x 3 input window once and does
// 4 x 9 x 4 x 8 multiply-adds from it. Decoder convs read their first `up_groups` layers upsampled through
// fetch_in, as the CPU shape does.

const TILE_X = 16u;          // workgroup width = tile width (pixels)
const TILE_Y = 4u;           // workgroup height (invocations)
const ROWS = 4u;             // rows per invocation: the tile is TILE_X x TILE_Y * ROWS pixels
const HALO_W = TILE_X + 2u;  // 18
const HALO_H = TILE_Y * ROWS + 2u;
const PAIR_TEXELS = 72u;     // 4 input channels x 9 taps x 2 texels of 4 output channels

var<workgroup> itile: array<vec4f, HALO_W * HALO_H>;
var<workgroup> wtile: array<vec4f, PAIR_TEXELS>; // [(c * 9 + t) * 2 + h]

/** One input channel's 6 x 3 window: rows y-1 .. y+4 of this invocation's strip, columns x-1 .. x+1. */
struct Win { v: array<f32, 18> }

fn win_channel(w: ptr<function, array<vec4f, 18>>, c: u32) -> Win {
  var o: Win;
  for (var i = 0u; i < 18u; i++) { o.v[i] = (*w)[i][c]; }
  return o;
}

/** Rows 0..3 of the strip, both texels of the pair, for tap (ky, kx) of input channel c. */
fn mac_tap(acc: ptr<function, array<vec4f, 8>>, x: Win, c: u32, ky: u32, kx: u32) {
  let w0 = wtile[(c * 9u + ky * 3u + kx) * 2u];
  let w1 = wtile[(c * 9u + ky * 3u + kx) * 2u + 1u];
  let a = x.v[ky * 3u + kx];
  let b = x.v[(ky + 1u) * 3u + kx];
  let d = x.v[(ky + 2u) * 3u + kx];
  let e = x.v[(ky + 3u) * 3u + kx];
  (*acc)[0] += w0 * a; (*acc)[1] += w1 * a;
  (*acc)[2] += w0 * b; (*acc)[3] += w1 * b;
  (*acc)[4] += w0 * d; (*acc)[5] += w1 * d;
  (*acc)[6] += w0 * e; (*acc)[7] += w1 * e;
}

fn mac_channel(acc: ptr<function, array<vec4f, 8>>, x: Win, c: u32) {
  mac_tap(acc, x, c, 0u, 0u); mac_tap(acc, x, c, 0u, 1u); mac_tap(acc, x, c, 0u, 2u);
  mac_tap(acc, x, c, 1u, 0u); mac_tap(acc, x, c, 1u, 1u); mac_tap(acc, x, c, 1u, 2u);
  mac_tap(acc, x, c, 2u, 0u); mac_tap(acc, x, c, 2u, 1u); mac_tap(acc, x, c, 2u, 2u);
}

@compute @workgroup_size(TILE_X, TILE_Y)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let x = wg.x * TILE_X + lid.x;
  let y = wg.y * TILE_Y * ROWS + lid.y * ROWS;
  let block = wg.z / 2u;
  let first = (wg.z % 2u) * 2u; // the pair's first texel (4 output channels) within its 16-channel block
  let block_base = p.w_base + block * (4u + p.groups * GROUP_TEXELS);
  let b0 = fetch_w(block_base + first);
  let b1 = fetch_w(block_base + first + 1u);
  var acc = array<vec4f, 8>(b0, b1, b0, b1, b0, b1, b0, b1); // [r * 2 + h]
  let x0 = i32(wg.x * TILE_X) - 1;
  let y0 = i32(wg.y * TILE_Y * ROWS) - 1;
  for (var g = 0u; g < p.groups; g++) {
    workgroupBarrier(); // everyone is done with the previous layer's tiles
    for (var i = li; i < HALO_W * HALO_H; i += TILE_X * TILE_Y) {
      itile[i] = fetch_in(g, x0 + i32(i % HALO_W), y0 + i32(i / HALO_W));
    }
    let layer_base = block_base + 4u + g * GROUP_TEXELS + first;
    for (var i = li; i < PAIR_TEXELS; i += TILE_X * TILE_Y) {
      wtile[i] = fetch_w(layer_base + (i / 2u) * 4u + i % 2u);
    }
    workgroupBarrier();
    var w: array<vec4f, 18>; // [rr * 3 + dx]
    for (var rr = 0u; rr < ROWS + 2u; rr++) {
      let row = (lid.y * ROWS + rr) * HALO_W + lid.x;
      w[rr * 3u] = itile[row];
      w[rr * 3u + 1u] = itile[row + 1u];
      w[rr * 3u + 2u] = itile[row + 2u];
    }
    mac_channel(&acc, win_channel(&w, 0u), 0u);
    mac_channel(&acc, win_channel(&w, 1u), 1u);
    mac_channel(&acc, win_channel(&w, 2u), 2u);
    mac_channel(&acc, win_channel(&w, 3u), 3u);
  }
  if (x >= p.width) { return; }
  for (var r = 0u; r < ROWS; r++) {
    if (y + r >= p.height) { break; }
    for (var h = 0u; h < 2u; h++) {
      let layer = block * 4u + first + h;
      if (layer < p.out_layers) {
        let a = acc[r * 2u + h];
        store_texel(vec2i(i32(x) + 1, i32(y + r) + 1), p.out_layer + layer, max(a, p.slope * a));
      }
    }
  }
}
