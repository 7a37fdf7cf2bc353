// Per-pass uniforms of the path tracer. Host mirror: PARAMS_LAYOUT in src/render/layout.ts.

struct Params {
  width: u32,
  height: u32,
  sample_start: u32,
  sample_count: u32,
  seed: u32,
  max_depth: u32,
  mode: u32,              // 0 MIS, 1 NEE only, 2 BSDF sampling only
  light_count: u32,
  light_power: f32,
  env_kind: u32,          // 0 none, 1 constant, 2 map
  env_width: u32,
  env_height: u32,
  env_color: vec3f,
  env_select_prob: f32,   // probability that NEE samples the environment instead of an area light
  cam_origin: vec3f,
  lens_radius: f32,
  cam_right: vec3f,       // scaled by tan(fov_y / 2) * aspect
  focus_dist: f32,
  cam_up: vec3f,          // scaled by tan(fov_y / 2)
  clamp_max: f32,         // 0 = off
  cam_forward: vec3f,
  rr_depth: u32,
  env_marginal_offset: u32,
  env_conditional_offset: u32,
  // Band of image rows this pass covers (integrator.wgsl: y = gid.y + row_start); the whole image unless
  // PathTracer.accumulateRows. The wavefront integrator always renders the whole image and ignores them.
  row_start: u32,
  row_count: u32,
  jitter_pattern: u32,    // camera jitter (path.wgsl pixel_jitter): 0 uniform, 1 Owen-scrambled Sobol per pixel
  first_hit: u32,         // 1: also accumulate each sample's first-hit emission (integrator.wgsl `first_hit`)
  slot_count: u32,        // > 0: a restricted render of that many pixels (PathTracer.restrictTo, integrator.wgsl)
}

const MODE_MIS: u32 = 0u;
const MODE_NEE: u32 = 1u;
const MODE_BSDF: u32 = 2u;
const JITTER_UNIFORM: u32 = 0u;
const JITTER_SOBOL: u32 = 1u;
