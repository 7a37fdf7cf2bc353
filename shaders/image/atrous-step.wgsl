// One a-trous iteration (tap spacing params.step); the last one multiplies the albedo back.
@group(0) @binding(0) var<uniform> params: AtrousParams;
@group(0) @binding(1) var<storage, read> illum_in: array<vec4f>;
@group(0) @binding(2) var<storage, read> guide: array<vec4f>;
@group(0) @binding(3) var<storage, read> aux: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> illum_out: array<vec4f>;

// B3-spline taps (1/16, 1/4, 3/8) divided by 3/8, by |offset|; 3x3 Gaussian by |dx| + |dy|.
const KERNEL = array<f32, 3>(1.0, 2.0 / 3.0, 1.0 / 6.0);
const GAUSS3 = array<f32, 3>(0.25, 0.125, 0.0625);

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= params.width || id.y >= params.height) { return; }
  let x = i32(id.x);
  let y = i32(id.y);
  let p = pixel_index(x, y);
  var var_g = 0.0;
  for (var dy = -1; dy <= 1; dy++) {
    for (var dx = -1; dx <= 1; dx++) {
      if (inside(x + dx, y + dy)) { var_g += GAUSS3[abs(dx) + abs(dy)] * illum_in[pixel_index(x + dx, y + dy)].w; }
    }
  }
  let center = illum_in[p];
  let g = guide[p];
  let lp = dot(LUM_WEIGHTS, center.rgb);
  let phi_l = params.sigma_l * sqrt(max(0.0, var_g)) + params.lum_eps;
  let phi_z = params.sigma_z * max(aux[p].w, params.depth_grad_floor * abs(g.w)) * f32(params.step);
  var sum_w = 1.0;
  var sum = center.rgb;
  var sum_v = center.w;
  let s = i32(params.step);
  for (var dy = -2; dy <= 2; dy++) {
    for (var dx = -2; dx <= 2; dx++) {
      let qx = x + dx * s;
      let qy = y + dy * s;
      if ((dx == 0 && dy == 0) || !inside(qx, qy)) { continue; }
      let q = pixel_index(qx, qy);
      let cq = illum_in[q];
      let gq = guide[q];
      let wl = abs(lp - dot(LUM_WEIGHTS, cq.rgb)) / phi_l;
      var wz = 0.0;
      if (phi_z > 0.0) { wz = abs(g.w - gq.w) / (phi_z * length(vec2f(f32(dx), f32(dy)))); }
      let d = dot(g.xyz, gq.xyz);
      // pow(0, e) is undefined in WGSL: only positive cosines pass.
      let wn = select(0.0, pow(d, params.sigma_n), d > 0.0);
      let w = exp(-wl - wz) * wn * KERNEL[abs(dx)] * KERNEL[abs(dy)];
      sum_w += w;
      sum += w * cq.rgb;
      sum_v += w * w * cq.w;
    }
  }
  var rgb = sum / sum_w;
  if ((params.flags & ATROUS_LAST) != 0u) { rgb *= aux[p].rgb; }
  illum_out[p] = vec4f(rgb, sum_v / (sum_w * sum_w));
}
