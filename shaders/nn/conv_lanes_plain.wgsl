// conv3x3 lanes module without subgroups (the usual GPU shape): per input layer, the workgroup stages the
// 10 x (8*WY + 2) texel input tile (halo included) in workgroup memory and every invocation reads its strip from
// there; weights are read straight from the weight texture at workgroup-uniform addresses (one broadcast fetch
// per warp on a GPU).
var<workgroup> itile: array<vec4f, 10u * (8u * WY + 2u)>;
var<private> local_index: u32;
var<private> wgroup_base: u32;

fn begin_group(g: u32, base: u32, wg: vec3u) {
  wgroup_base = base;
  workgroupBarrier(); // everyone is done with the previous layer's tile
  let x0 = i32(wg.x * 8u) - 1;
  let y0 = i32(wg.y * 8u * WY) - 1;
  for (var i = local_index; i < 10u * (8u * WY + 2u); i += 8u * WY) {
    let t = vec2i(x0 + i32(i % 10u), y0 + i32(i / 10u));
    itile[i] = fetch_in(g, t.x, t.y);
  }
  workgroupBarrier();
}

fn wsel(combo: u32, k4: u32) -> vec4f {
  return fetch_w(wgroup_base + combo * 4u + k4);
}

fn strip_row(s: ptr<function, Strip>, rr: u32, lx: u32, ly: u32) {
  let b = (ly * 8u + rr) * 10u + lx;
  (*s).v[rr * 3u + 0u] = itile[b];
  (*s).v[rr * 3u + 1u] = itile[b + 1u];
  (*s).v[rr * 3u + 2u] = itile[b + 2u];
}

/** Rows y-1 .. y+8 and columns x-1 .. x+1 of the staged tile around this invocation's strip. */
fn load_strip(g: u32, lx: u32, ly: u32, x: i32, y: i32) -> Strip {
  var s: Strip;
  strip_row(&s, 0u, lx, ly); strip_row(&s, 1u, lx, ly); strip_row(&s, 2u, lx, ly); strip_row(&s, 3u, lx, ly);
  strip_row(&s, 4u, lx, ly); strip_row(&s, 5u, lx, ly); strip_row(&s, 6u, lx, ly); strip_row(&s, 7u, lx, ly);
  strip_row(&s, 8u, lx, ly); strip_row(&s, 9u, lx, ly);
  return s;
}

@compute @workgroup_size(8, WY)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(local_invocation_index) li: u32) {
  local_index = li;
  conv_main(lid, wg);
}
