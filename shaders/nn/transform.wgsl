// The denoiser's per-pixel input and output transforms; src/denoise/transform.ts is the CPU twin (same constants).
const COLOR_SHIFT = 0.5;
const GAMMA = 2.2;
const OUTPUT_MARGIN = 9.5367431640625e-7; // 2^-20: keeps the inverse finite (max radiance ~1e6)

/** NaN and +-Inf have all exponent bits set; compare bits so that no fast-math rewrite can drop the test. */
fn finite3(v: vec3f) -> vec3<bool> {
  return (bitcast<vec3u>(v) & vec3u(0x7f800000u)) != vec3u(0x7f800000u);
}

/** A linear HDR colour as the denoiser reads it: NaN/Inf -> 0, negatives -> 0 (transform.ts cleanRadiance). */
fn clean_radiance(v: vec3f) -> vec3f {
  return select(vec3f(0.0), max(v, vec3f(0.0)), finite3(v));
}

fn prep_color(v: vec3f) -> vec3f {
  let c = clean_radiance(v);
  let m = c / (1.0 + c);
  return select(vec3f(0.0), pow(m, vec3f(1.0 / GAMMA)), m > vec3f(0.0)) - COLOR_SHIFT;
}

fn prep_albedo(v: vec3f) -> vec3f {
  return select(vec3f(0.0), clamp(v, vec3f(0.0), vec3f(1.0)), finite3(v));
}

const DEMOD_EPSILON = 0.01; // transform.ts DEMOD_EPSILON

/** Demodulation factor of an albedo (specs with `demodulate`): max(prep_albedo(albedo), DEMOD_EPSILON). */
fn demod_factor(albedo: vec3f) -> vec3f {
  return max(prep_albedo(albedo), vec3f(DEMOD_EPSILON));
}

fn prep_normal(v: vec3f) -> vec3f {
  return select(vec3f(0.0), clamp(v, vec3f(-1.0), vec3f(1.0)), finite3(v));
}

/** Output bound window radii (transform.ts OUTPUT_BOUND_RADIUS, OUTPUT_BOUND_MEAN_RADIUS). */
const OUTPUT_BOUND_RADIUS = 2;
const OUTPUT_BOUND_MEAN_RADIUS = 8;

fn output_to_linear(y: vec3f) -> vec3f {
  let t = clamp(y + COLOR_SHIFT, vec3f(0.0), vec3f(1.0));
  let u = min(select(vec3f(0.0), pow(t, vec3f(GAMMA)), t > vec3f(0.0)), vec3f(1.0 - OUTPUT_MARGIN));
  return u / (1.0 - u);
}
