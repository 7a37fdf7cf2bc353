// Sampling and Fresnel helpers shared by the BSDFs. Local shading frame: z is the normal.
// Needs common.wgsl (PI, TWO_PI, INV_PI).

// Cosine-weighted hemisphere direction (z >= 0); pdf = z / PI.
fn sample_cosine_hemisphere(u: vec2f) -> vec3f {
  let r = sqrt(u.x);
  let phi = TWO_PI * u.y;
  return vec3f(r * cos(phi), r * sin(phi), sqrt(max(0.0, 1.0 - u.x)));
}

fn cosine_hemisphere_pdf(cos_theta: f32) -> f32 {
  return max(cos_theta, 0.0) * INV_PI;
}

fn pow5(x: f32) -> f32 {
  let x2 = x * x;
  return x2 * x2 * x;
}

// Schlick's approximation with an explicit grazing reflectance f90 (three.js: specularF90).
fn fresnel_schlick(f0: vec3f, f90: f32, cos_theta: f32) -> vec3f {
  let m = pow5(clamp(1.0 - cos_theta, 0.0, 1.0));
  return f0 + (vec3f(f90) - f0) * m;
}

// Exact unpolarized Fresnel reflectance of a dielectric interface (pbrt-v4 FrDielectric).
// eta = n_inside / n_outside; cos_i < 0 means the incident direction is inside.
fn fresnel_dielectric(cos_theta_i: f32, eta_in: f32) -> f32 {
  var cos_i = clamp(cos_theta_i, -1.0, 1.0);
  var eta = eta_in;
  if (cos_i < 0.0) {
    eta = 1.0 / eta;
    cos_i = -cos_i;
  }
  let sin2_i = max(0.0, 1.0 - cos_i * cos_i);
  let sin2_t = sin2_i / (eta * eta);
  if (sin2_t >= 1.0) {
    return 1.0; // total internal reflection
  }
  let cos_t = sqrt(max(0.0, 1.0 - sin2_t));
  let r_parl = (eta * cos_i - cos_t) / (eta * cos_i + cos_t);
  let r_perp = (cos_i - eta * cos_t) / (cos_i + eta * cos_t);
  return 0.5 * (r_parl * r_parl + r_perp * r_perp);
}

// Fresnel reflectance of a refraction whose two cosines are both known (|cos| on the incident side, with
// relative eta = n_transmitted / n_incident). Well conditioned near the critical angle, where deriving cos_t
// from cos_i through 1 - sin^2 would lose most of its float32 digits.
fn fresnel_dielectric_pair(cos_i: f32, cos_t: f32, eta: f32) -> f32 {
  let r_parl = (eta * cos_i - cos_t) / (eta * cos_i + cos_t);
  let r_perp = (cos_i - eta * cos_t) / (cos_i + eta * cos_t);
  return 0.5 * (r_parl * r_parl + r_perp * r_perp);
}

// Mirror of w about the unit vector n (both pointing away from the surface).
fn reflect_about(w: vec3f, n: vec3f) -> vec3f {
  return 2.0 * dot(w, n) * n - w;
}

struct Refraction {
  wt: vec3f,
  etap: f32,   // relative eta actually used (eta or 1/eta, by the side w came from)
  ok: bool,    // false on total internal reflection
}

// Refracts w (pointing away from the surface) through the interface with normal n and
// eta = n_inside / n_outside (pbrt-v4 Refract); works from either side.
fn refract_dir(w: vec3f, n_in: vec3f, eta_in: f32) -> Refraction {
  var n = n_in;
  var eta = eta_in;
  var cos_i = dot(n, w);
  if (cos_i < 0.0) {
    eta = 1.0 / eta;
    cos_i = -cos_i;
    n = -n;
  }
  let sin2_i = max(0.0, 1.0 - cos_i * cos_i);
  let sin2_t = sin2_i / (eta * eta);
  if (sin2_t >= 1.0) {
    return Refraction(vec3f(0.0), eta, false);
  }
  let cos_t = sqrt(max(0.0, 1.0 - sin2_t));
  return Refraction(-w / eta + (cos_i / eta - cos_t) * n, eta, true);
}
