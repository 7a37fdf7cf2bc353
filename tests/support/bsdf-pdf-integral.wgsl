// Integral of bsdf_pdf over histogram cells (see bsdf-histogram.wgsl), in solid angle, by composite Simpson
// on an (n_sub + 1)^2 grid in (theta, phi). Also the same rule on every other point (n_sub / 2 intervals) so
// the caller can estimate the quadrature error and refine the cells that need it. One invocation per listed cell: index = case * n_z * n_phi + cell.

struct IntegralParams {
  n_z: u32,
  n_phi: u32,
  n_sub: u32,   // even
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> cases: array<BsdfTestCase>;
@group(0) @binding(1) var<storage, read_write> integrals: array<vec2f>;  // (fine, coarse) per listed cell
@group(0) @binding(2) var<uniform> params: IntegralParams;
@group(0) @binding(3) var<storage, read> cell_list: array<u32>;

override WORKGROUP_SIZE: u32 = 64u;

fn simpson_weight(i: u32, n: u32) -> f32 {
  if (i == 0u || i == n) {
    return 1.0;
  }
  return select(2.0, 4.0, (i & 1u) == 1u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= arrayLength(&cell_list)) {
    return;
  }
  let cells = params.n_z * params.n_phi;
  let case_index = cell_list[gid.x] / cells;
  let cell = cell_list[gid.x] % cells;
  let m = cases[case_index].material;
  let wo = cases[case_index].wo.xyz;
  let iz = cell / params.n_phi;
  let iphi = cell % params.n_phi;
  let dz = 2.0 / f32(params.n_z);
  let dphi = TWO_PI / f32(params.n_phi);
  let z0 = -1.0 + f32(iz) * dz;
  // Integrate in theta (dz = sin(theta) dtheta): lobes peaked at the poles are smooth in theta, not in z.
  let theta0 = acos(clamp(z0 + dz, -1.0, 1.0));
  let theta1 = acos(clamp(z0, -1.0, 1.0));
  let phi0 = -PI + f32(iphi) * dphi;
  let n = params.n_sub;
  let htheta = (theta1 - theta0) / f32(n);
  let hphi = dphi / f32(n);
  var fine = 0.0;
  var coarse = 0.0;
  for (var i = 0u; i <= n; i++) {
    // The pdf jumps at z = 0 for one-sided BSDFs: evaluate cell edges just inside the cell, so each cell
    // sees the limit from its own side.
    var theta = theta0 + f32(i) * htheta;
    if (i == 0u) { theta = theta0 + 1e-4 * (theta1 - theta0); }
    if (i == n) { theta = theta1 - 1e-4 * (theta1 - theta0); }
    let z = cos(theta);
    let sin_theta = sin(theta);
    let wz = simpson_weight(i, n);
    let wzc = simpson_weight(i / 2u, n / 2u);
    var row = 0.0;
    var row_coarse = 0.0;
    for (var j = 0u; j <= n; j++) {
      let phi = phi0 + f32(j) * hphi;
      let p = bsdf_pdf(m, wo, vec3f(sin_theta * cos(phi), sin_theta * sin(phi), z));
      row += simpson_weight(j, n) * p;
      if ((j & 1u) == 0u) {
        row_coarse += simpson_weight(j / 2u, n / 2u) * p;
      }
    }
    fine += wz * sin_theta * row;
    if ((i & 1u) == 0u) {
      coarse += wzc * sin_theta * row_coarse;
    }
  }
  integrals[gid.x] = vec2f(fine * htheta * hphi / 9.0, coarse * 4.0 * htheta * hphi / 9.0);
}
