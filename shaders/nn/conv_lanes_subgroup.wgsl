// conv3x3 lanes module for adapters with subgroups of at least 8 lanes whose aligned groups of 8 are the 8
// pixels of a tile row (lavapipe: one AVX2 vector; checked by subgroup_probe.wgsl). Each group of 8 lanes
// fetches a layer's 144 weight texels once (18 per lane) and hands them round with subgroupShuffle; each lane
// fetches only its own column of the input strip and takes the neighbouring columns from the lanes beside it
// (the row ends from 3 shared halo fetches). On CPU drivers every non-constant memory read is a per-lane gather,
// so one gather of 8 different texels plus register shuffles beats every lane fetching the same texel;
// workgroup memory would be a gather too, plus barriers.
enable subgroups;

var<private> lane_base: u32;
var<private> lane8: u32;
var<private> wfetch: array<vec4f, 18>;

fn begin_group(g: u32, base: u32, wg: vec3u) {
  let b = base + lane8;
  wfetch = array<vec4f, 18>(fetch_w(b), fetch_w(b + 8u), fetch_w(b + 16u), fetch_w(b + 24u), fetch_w(b + 32u),
    fetch_w(b + 40u), fetch_w(b + 48u), fetch_w(b + 56u), fetch_w(b + 64u), fetch_w(b + 72u), fetch_w(b + 80u),
    fetch_w(b + 88u), fetch_w(b + 96u), fetch_w(b + 104u), fetch_w(b + 112u), fetch_w(b + 120u), fetch_w(b + 128u),
    fetch_w(b + 136u));
}

/** Weight texel (combo = channel * 9 + tap, k4): lane (combo % 2) * 4 + k4 fetched it in round combo / 2. */
fn wsel(combo: u32, k4: u32) -> vec4f {
  return subgroupShuffle(wfetch[combo / 2u], lane_base | ((combo % 2u) * 4u + k4));
}

var<private> lane_id: u32;

/** Row rr of the strip: this lane's column fetched, the neighbours' from lanes -1/+1 or from the halo fetch h. */
fn strip_row(s: ptr<function, Strip>, g: u32, rr: u32, x: i32, y: i32, h: vec4f) {
  let c = fetch_in(g, x, y + i32(rr) - 1);
  let hl = subgroupShuffle(h, lane_base | ((rr % 4u) * 2u));
  let hr = subgroupShuffle(h, lane_base | ((rr % 4u) * 2u + 1u));
  (*s).v[rr * 3u + 0u] = select(subgroupShuffle(c, lane_id - 1u), hl, lane8 == 0u);
  (*s).v[rr * 3u + 1u] = c;
  (*s).v[rr * 3u + 2u] = select(subgroupShuffle(c, lane_id + 1u), hr, lane8 == 7u);
}

/** Rows y-1 .. y+8 and columns x-1 .. x+1 of input layer g. */
fn load_strip(g: u32, lx: u32, ly: u32, x: i32, y: i32) -> Strip {
  // halo fetch k: lanes 2j and 2j+1 fetch the texels left and right of the row group for strip row 4k + j
  let hx = select(x - i32(lane8) - 1, x - i32(lane8) + 8, (lane8 & 1u) == 1u);
  let hy = y - 1 + i32(lane8 >> 1u);
  let h0 = fetch_in(g, hx, hy);
  let h1 = fetch_in(g, hx, hy + 4);
  let h2 = fetch_in(g, hx, hy + 8);
  var s: Strip;
  strip_row(&s, g, 0u, x, y, h0); strip_row(&s, g, 1u, x, y, h0); strip_row(&s, g, 2u, x, y, h0);
  strip_row(&s, g, 3u, x, y, h0); strip_row(&s, g, 4u, x, y, h1); strip_row(&s, g, 5u, x, y, h1);
  strip_row(&s, g, 6u, x, y, h1); strip_row(&s, g, 7u, x, y, h1); strip_row(&s, g, 8u, x, y, h2);
  strip_row(&s, g, 9u, x, y, h2);
  return s;
}

@compute @workgroup_size(8, WY)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(subgroup_invocation_id) sid: u32) {
  lane_id = sid;
  lane_base = sid & ~7u;
  lane8 = sid & 7u;
  conv_main(lid, wg);
}
