// Path-construction helpers shared by the megakernel (integrator.wgsl) and the wavefront kernels.
// Needs: common, params (and a `params` uniform declared by the kernel).

struct Ray {
  origin: vec3f,
  dir: vec3f,
}

fn power_heuristic(a: f32, b: f32) -> f32 {
  let a2 = a * a;
  let b2 = b * b;
  return select(a2 / (a2 + b2), 0.0, a2 + b2 <= 0.0);
}

// Offsets a ray origin off the surface along the geometric normal, scaled to the position's magnitude.
fn offset_origin(p: vec3f, ng: vec3f, dir: vec3f) -> vec3f {
  let eps = 1e-4 * max(1.0, max3(abs(p)));
  return p + ng * select(-eps, eps, dot(dir, ng) > 0.0);
}

fn concentric_disk(u: vec2f) -> vec2f {
  let o = 2.0 * u - 1.0;
  if (o.x == 0.0 && o.y == 0.0) { return vec2f(0.0); }
  var r: f32;
  var th: f32;
  if (abs(o.x) > abs(o.y)) { r = o.x; th = (PI / 4.0) * (o.y / o.x); }
  else { r = o.y; th = (PI / 2.0) - (PI / 4.0) * (o.x / o.y); }
  return r * vec2f(cos(th), sin(th));
}

// Jitter of sample `sample` within pixel `pixel`: uniform (jitter_pattern 0), or (1) the pixel's own Owen-scrambled
// Sobol sequence (common.wgsl sobol_owen2, seeded by the pixel and the pass seed): still uniform per sample, so any
// spp is unbiased, but a pixel's first 2^k samples are stratified, and the edge of a light or of the sky converges as
// with several times as many uniform samples. A rand2 draw either way, so the stream's later draws stay in place.
fn pixel_jitter(pixel: u32, sample: u32) -> vec2f {
  let u = rand2();
  if (params.jitter_pattern == JITTER_SOBOL) { return sobol_owen2(sample, pcg_hash(pixel ^ pcg_hash(params.seed ^ 0x5bd1e995u))); }
  return u;
}

// Camera ray through pixel px: box-filtered jitter over the pixel; thin lens when lens_radius > 0.
fn camera_ray(px: vec2u, jitter: vec2f, lens_u: vec2f) -> Ray {
  let ndc = vec2f(
    (f32(px.x) + jitter.x) / f32(params.width) * 2.0 - 1.0,
    1.0 - (f32(px.y) + jitter.y) / f32(params.height) * 2.0,
  );
  var dir = normalize(params.cam_forward + ndc.x * params.cam_right + ndc.y * params.cam_up);
  var origin = params.cam_origin;
  if (params.lens_radius > 0.0) {
    let ft = params.focus_dist / dot(dir, params.cam_forward);
    let focus = origin + dir * ft;
    let d = concentric_disk(lens_u) * params.lens_radius;
    origin = origin + normalize(params.cam_right) * d.x + normalize(params.cam_up) * d.y;
    dir = normalize(focus - origin);
  }
  return Ray(origin, dir);
}
