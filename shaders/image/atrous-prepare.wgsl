// A-trous prepare pass: demodulated colour + luminance variance, demodulation factor + depth gradient.
@group(0) @binding(0) var<uniform> params: AtrousParams;
@group(0) @binding(1) var<storage, read> color: array<vec4f>;
@group(0) @binding(2) var<storage, read> variance: array<vec4f>;
@group(0) @binding(3) var<storage, read> albedo: array<vec4f>;
@group(0) @binding(4) var<storage, read> guide: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> illum_out: array<vec4f>;
@group(0) @binding(6) var<storage, read_write> aux_out: array<vec4f>;

fn demod_factor(i: u32) -> vec3f {
  if ((params.flags & ATROUS_DEMODULATE) == 0u) { return vec3f(1.0); }
  return max(albedo[i].rgb, vec3f(params.albedo_eps));
}

fn demod_lum(i: u32) -> f32 {
  return dot(LUM_WEIGHTS, color[i].rgb / demod_factor(i));
}

/** The smaller absolute depth difference to the two neighbours along (dx, dy) that exist; 0 when none does. */
fn one_sided(x: i32, y: i32, dx: i32, dy: i32, z: f32) -> f32 {
  var g = 3.4e38;
  var found = false;
  for (var s = -1; s <= 1; s += 2) {
    let qx = x + s * dx;
    let qy = y + s * dy;
    if (inside(qx, qy)) {
      g = min(g, abs(guide[pixel_index(qx, qy)].w - z));
      found = true;
    }
  }
  return select(0.0, g, found);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= params.width || id.y >= params.height) { return; }
  let x = i32(id.x);
  let y = i32(id.y);
  let i = pixel_index(x, y);
  let f = demod_factor(i);
  let c = color[i].rgb / f;
  var lum_var = 0.0;
  if ((params.flags & ATROUS_HAS_VARIANCE) != 0u) {
    let sd = dot(LUM_WEIGHTS, sqrt(max(variance[i].rgb, vec3f(0.0)) / (f * f)));
    lum_var = sd * sd;
  } else {
    var m1 = 0.0;
    var m2 = 0.0;
    var k = 0.0;
    for (var dy = -1; dy <= 1; dy++) {
      for (var dx = -1; dx <= 1; dx++) {
        if (inside(x + dx, y + dy)) {
          let l = demod_lum(pixel_index(x + dx, y + dy));
          m1 += l;
          m2 += l * l;
          k += 1.0;
        }
      }
    }
    m1 /= k;
    m2 /= k;
    lum_var = max(0.0, m2 - m1 * m1);
  }
  illum_out[i] = vec4f(c, lum_var);
  let z = guide[i].w;
  aux_out[i] = vec4f(f, one_sided(x, y, 1, 0, z) + one_sided(x, y, 0, 1, z));
}
