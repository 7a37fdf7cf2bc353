// Histogram of bsdf_sample directions over the whole sphere, for the chi-square test.
// Cells: n_z bins of cos(theta) in [-1, 1] x n_phi bins of phi in [-pi, pi) (equal solid angle each),
// then 4 counters: invalid samples, malformed samples (non-finite or non-unit wi, pdf <= 0 or non-finite,
// negative or non-finite weight, flags without VALID but nonzero), delta samples, transmission samples.

struct HistogramParams {
  samples_per_thread: u32,
  threads_per_case: u32,
  n_z: u32,
  n_phi: u32,
  seed: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> cases: array<BsdfTestCase>;
@group(0) @binding(1) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> params: HistogramParams;

override WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= params.threads_per_case) {
    return;
  }
  let case_index = gid.y;
  let m = cases[case_index].material;
  let wo = cases[case_index].wo.xyz;
  let cells = params.n_z * params.n_phi;
  let base = case_index * (cells + 4u);
  rng_seed(params.seed, case_index, gid.x);
  for (var k = 0u; k < params.samples_per_thread; k++) {
    let s = bsdf_sample(m, wo, rand3());
    if ((s.flags & BSDF_VALID) == 0u) {
      atomicAdd(&counts[base + cells], 1u);
      continue;
    }
    let len = length(s.wi);
    let ok = is_finite_vec3(s.wi) && abs(len - 1.0) < 1e-4 && is_finite_f32(s.pdf) && s.pdf > 0.0 &&
      is_finite_vec3(s.weight) && all(s.weight >= vec3f(0.0));
    if (!ok) {
      atomicAdd(&counts[base + cells + 1u], 1u);
      continue;
    }
    if ((s.flags & BSDF_DELTA) != 0u) {
      atomicAdd(&counts[base + cells + 2u], 1u);
    }
    if ((s.flags & BSDF_TRANSMISSION) != 0u) {
      atomicAdd(&counts[base + cells + 3u], 1u);
    }
    let z = clamp(s.wi.z, -1.0, 1.0);
    let iz = min(u32((z + 1.0) * 0.5 * f32(params.n_z)), params.n_z - 1u);
    let phi = atan2(s.wi.y, s.wi.x);
    let iphi = min(u32(max(phi + PI, 0.0) * INV_TWO_PI * f32(params.n_phi)), params.n_phi - 1u);
    atomicAdd(&counts[base + iz * params.n_phi + iphi], 1u);
  }
}
