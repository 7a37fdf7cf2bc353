// Isotropic GGX (Trowbridge-Reitz) microfacet distribution: D, Smith masking, visible-normal sampling.
// Local frame, z = macro normal; alpha = roughness^2. Written in forms that stay finite at grazing
// angles (no tan^2 theta): S(z) = sqrt(z^2 + alpha^2 (1 - z^2)) = |z| * sqrt(1 + alpha^2 tan^2 theta).
// Needs common.wgsl.

// Normal distribution D(wm) for a unit wm (either hemisphere: D is even in wm.z).
// 1 - z^2 is written as x^2 + y^2 to avoid cancellation in the narrow peak at low alpha.
fn ggx_d(wm: vec3f, alpha: f32) -> f32 {
  let a2 = alpha * alpha;
  let t = wm.x * wm.x + wm.y * wm.y + a2 * wm.z * wm.z;
  if (t <= 0.0) {
    return 0.0;
  }
  return a2 / (PI * t * t);
}

fn ggx_s(z: f32, alpha: f32) -> f32 {
  let z2 = z * z;
  return sqrt(max(z2 + alpha * alpha * max(0.0, 1.0 - z2), 0.0));
}

// Smith G1 = 1 / (1 + Lambda) = 2|z| / (|z| + S(z)).
fn ggx_g1(z: f32, alpha: f32) -> f32 {
  let az = abs(z);
  let den = az + ggx_s(z, alpha);
  return select(0.0, 2.0 * az / den, den > 0.0);
}

// Height-correlated Smith G2 = 1 / (1 + Lambda_o + Lambda_i) = 2|zo||zi| / (|zi| S_o + |zo| S_i).
fn ggx_g2(zo: f32, zi: f32, alpha: f32) -> f32 {
  let ao = abs(zo);
  let ai = abs(zi);
  let den = ai * ggx_s(zo, alpha) + ao * ggx_s(zi, alpha);
  return select(0.0, 2.0 * ao * ai / den, den > 0.0);
}

// G2 / G1(wo): the weight of a VNDF-sampled microfacet, without the 0/0 of the two separately.
fn ggx_g2_over_g1(zo: f32, zi: f32, alpha: f32) -> f32 {
  let ao = abs(zo);
  let ai = abs(zi);
  let so = ggx_s(zo, alpha);
  let den = ai * so + ao * ggx_s(zi, alpha);
  return select(0.0, ai * (ao + so) / den, den > 0.0);
}

// D(wm) G2 / (4 |zo|): the microfacet reflection f * |cos wi| without Fresnel (the "V" form).
fn ggx_reflection(wm: vec3f, zo: f32, zi: f32, alpha: f32) -> f32 {
  let ao = abs(zo);
  let ai = abs(zi);
  let den = ai * ggx_s(zo, alpha) + ao * ggx_s(zi, alpha);
  return select(0.0, ggx_d(wm, alpha) * ai / (2.0 * den), den > 0.0);
}

// Visible-normal density D_wo(wm) = G1(wo) |wo.wm| D(wm) / |zo| (pbrt-v4 TrowbridgeReitz::PDF).
fn ggx_vndf_pdf(wo: vec3f, wm: vec3f, alpha: f32) -> f32 {
  let ao = abs(wo.z);
  let den = ao + ggx_s(wo.z, alpha);
  return select(0.0, 2.0 * ggx_d(wm, alpha) * abs(dot(wo, wm)) / den, den > 0.0);
}

// Solid-angle pdf of wi = reflect(wo, wm) with wm ~ D_wo: D_wo / (4 |wo.wm|) = D G1 / (4 |zo|).
fn ggx_reflection_pdf(wm: vec3f, zo: f32, alpha: f32) -> f32 {
  let den = abs(zo) + ggx_s(zo, alpha);
  return select(0.0, ggx_d(wm, alpha) / (2.0 * den), den > 0.0);
}

// Samples a visible normal (wm.z > 0) for a view direction w from either side (mirrored to the upper
// hemisphere, as pbrt-v4 does). Spherical-cap method of Dupuy & Benyoub 2023.
fn ggx_sample_vndf(w: vec3f, alpha: f32, u: vec2f) -> vec3f {
  var wh = normalize(vec3f(alpha * w.x, alpha * w.y, w.z));
  if (wh.z < 0.0) {
    wh = -wh;
  }
  let phi = TWO_PI * u.x;
  let z = (1.0 - u.y) * (1.0 + wh.z) - wh.z;
  let sin_theta = sqrt(clamp(1.0 - z * z, 0.0, 1.0));
  let h = vec3f(sin_theta * cos(phi), sin_theta * sin(phi), z) + wh;
  let wm = vec3f(alpha * h.x, alpha * h.y, max(h.z, 0.0));
  let len2 = dot(wm, wm);
  if (!(len2 > 1e-30)) {
    return vec3f(0.0, 0.0, 1.0);
  }
  return wm * inverseSqrt(len2);
}
