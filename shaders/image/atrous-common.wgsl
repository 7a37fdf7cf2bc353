// Shared by atrous-prepare.wgsl and atrous-step.wgsl (SVGF's spatial filter; see src/harness/denoisers/atrous-cpu.ts).
// Host mirror: ATROUS_PARAMS_LAYOUT in src/harness/denoisers/atrous-cpu.ts.
struct AtrousParams {
  width: u32,
  height: u32,
  step: u32,
  flags: u32,
  sigma_l: f32,
  sigma_n: f32,
  sigma_z: f32,
  albedo_eps: f32,
  lum_eps: f32,
  depth_grad_floor: f32,
  pad0: u32,
  pad1: u32,
}

const ATROUS_HAS_VARIANCE: u32 = 1u;
const ATROUS_DEMODULATE: u32 = 2u;
const ATROUS_LAST: u32 = 4u;
const LUM_WEIGHTS = vec3f(0.2126, 0.7152, 0.0722);

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

fn inside(x: i32, y: i32) -> bool {
  return x >= 0 && y >= 0 && x < i32(params.width) && y < i32(params.height);
}

fn pixel_index(x: i32, y: i32) -> u32 {
  return u32(y) * params.width + u32(x);
}
