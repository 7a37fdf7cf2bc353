// Per-thread sums over bsdf_sample for directional albedo and lobe probabilities. Transmitted weights are
// multiplied back by eta'^2 (undoing radiance-mode scaling), so the sums measure energy (importance mode).

struct MomentsParams {
  samples_per_thread: u32,
  threads_per_case: u32,
  seed: u32,
  _pad0: u32,
}

struct ThreadMoments {
  sum_weight: vec4f,     // rgb: sum of weights; w: valid samples
  sum_weight_sq: vec4f,  // rgb: sum of squared weights; w: transmission samples
}

@group(0) @binding(0) var<storage, read> cases: array<BsdfTestCase>;
@group(0) @binding(1) var<storage, read_write> moments: array<ThreadMoments>;
@group(0) @binding(2) var<uniform> params: MomentsParams;

override WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= params.threads_per_case) {
    return;
  }
  let case_index = gid.y;
  let m = cases[case_index].material;
  let wo = cases[case_index].wo.xyz;
  rng_seed(params.seed, case_index, gid.x);
  var acc = ThreadMoments(vec4f(0.0), vec4f(0.0));
  for (var k = 0u; k < params.samples_per_thread; k++) {
    let s = bsdf_sample(m, wo, rand3());
    if ((s.flags & BSDF_VALID) == 0u) {
      continue;
    }
    var w = s.weight;
    if ((s.flags & BSDF_TRANSMISSION) != 0u) {
      let etap = select(1.0 / m.ior, m.ior, wo.z > 0.0);
      w *= etap * etap;
      acc.sum_weight_sq.w += 1.0;
    }
    acc.sum_weight += vec4f(w, 1.0);
    acc.sum_weight_sq += vec4f(w * w, 0.0);
  }
  moments[case_index * params.threads_per_case + gid.x] = acc;
}
