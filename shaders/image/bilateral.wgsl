// Cross bilateral filter guided by albedo, normal and depth (see src/harness/denoisers/bilateral-cpu.ts).
// Host mirror of BilateralParams: BILATERAL_PARAMS_LAYOUT in that file.
struct BilateralParams {
  width: u32,
  height: u32,
  radius: u32,
  flags: u32,
  inv_2sigma_s2: f32,
  inv_2sigma_a2: f32,
  inv_2sigma_n2: f32,
  sigma_z: f32,
  color_k2: f32,
  color_eps: f32,
  pad0: u32,
  pad1: u32,
}

const HAS_VARIANCE: u32 = 1u;
const MIN_DEPTH: f32 = 1e-6;

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

@group(0) @binding(0) var<uniform> params: BilateralParams;
@group(0) @binding(1) var<storage, read> color: array<vec4f>;
@group(0) @binding(2) var<storage, read> albedo: array<vec4f>;
@group(0) @binding(3) var<storage, read> guide: array<vec4f>;
@group(0) @binding(4) var<storage, read> variance: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> out: array<vec4f>;

/** Per-channel noise variance at (x, y): 3x3 box mean of the given variance, else 3x3 spatial variance of the colour. */
fn noise_variance(x: i32, y: i32) -> vec3f {
  let has_variance = (params.flags & HAS_VARIANCE) != 0u;
  var m1 = vec3f(0.0);
  var m2 = vec3f(0.0);
  var k = 0.0;
  for (var dy = -1; dy <= 1; dy++) {
    for (var dx = -1; dx <= 1; dx++) {
      let qx = x + dx;
      let qy = y + dy;
      if (qx < 0 || qy < 0 || qx >= i32(params.width) || qy >= i32(params.height)) { continue; }
      let q = u32(qy) * params.width + u32(qx);
      var v = color[q].rgb;
      if (has_variance) { v = variance[q].rgb; }
      m1 += v;
      m2 += v * v;
      k += 1.0;
    }
  }
  if (has_variance) { return m1 / k; }
  return max(vec3f(0.0), m2 / k - (m1 / k) * (m1 / k));
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= params.width || id.y >= params.height) { return; }
  let x = i32(id.x);
  let y = i32(id.y);
  let w = i32(params.width);
  let h = i32(params.height);
  let p = id.y * params.width + id.x;
  let ap = albedo[p].rgb;
  let cp = color[p].rgb;
  let kc = 1.0 / (3.0 * (params.color_eps + 2.0 * params.color_k2 * noise_variance(x, y)));
  let gp = guide[p];
  let z_scale = params.sigma_z * max(abs(gp.w), MIN_DEPTH);
  let kz = 1.0 / (2.0 * z_scale * z_scale);
  let r = i32(params.radius);
  var sum_w = 0.0;
  var sum = vec3f(0.0);
  for (var dy = -r; dy <= r; dy++) {
    let qy = y + dy;
    if (qy < 0 || qy >= h) { continue; }
    for (var dx = -r; dx <= r; dx++) {
      let qx = x + dx;
      if (qx < 0 || qx >= w) { continue; }
      let q = u32(qy) * params.width + u32(qx);
      let da = ap - albedo[q].rgb;
      let gq = guide[q];
      let dn = gp.xyz - gq.xyz;
      let dz = gp.w - gq.w;
      let cq = color[q].rgb;
      let d = cp - cq;
      let dc = dot(d * d, kc);
      let wgt = exp(-f32(dx * dx + dy * dy) * params.inv_2sigma_s2 - dot(da, da) * params.inv_2sigma_a2
                    - dot(dn, dn) * params.inv_2sigma_n2 - dz * dz * kz - dc);
      sum_w += wgt;
      sum += wgt * cq;
    }
  }
  out[p] = vec4f(sum / sum_w, sum_w);
}
