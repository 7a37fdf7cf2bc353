// BSDFs of the path tracer: a closed switch over Material.kind (structs.wgsl). Local shading frame,
// z = normal; wo and wi point away from the surface. CPU mirror: src/render/bsdf-reference.ts.
// Compose after common.wgsl, structs.wgsl, sampling.wgsl, microfacet.wgsl.
//  - DIFFUSE, CONDUCTOR, STANDARD are opaque: the caller flips the frame so wo.z > 0; anything with
//    wo.z <= 0 or wi.z <= 0 evaluates to zero.
//  - DIELECTRIC: z is the outward normal, wo.z < 0 means inside; pbrt-v4 DielectricBxDF in radiance
//    mode (transmission scaled by 1/eta'^2), Walter et al. 2007 rough transmission, tinted by base_color.

const BSDF_VALID: u32 = 1u;
const BSDF_DELTA: u32 = 2u;         // a perfectly specular lobe was sampled: pdf is the discrete lobe probability
const BSDF_TRANSMISSION: u32 = 4u;  // wi is on the other side of the surface from wo

// GGX alpha below this is treated as perfectly smooth (pbrt-v4 uses 1e-3 too).
const BSDF_SMOOTH_ALPHA: f32 = 1e-3;
// STANDARD never becomes a delta: its lobes are mixed with pdfs, which a delta cannot join.
const STANDARD_MIN_ROUGHNESS: f32 = 0.05;
const DIELECTRIC_MIN_ETA_OFFSET: f32 = 1e-3;

// weight = f * |cos wi| / pdf (for a delta lobe: the throughput factor). flags == 0: no sample.
struct BsdfSample {
  wi: vec3f,
  pdf: f32,
  weight: vec3f,
  flags: u32,
}

fn bsdf_no_sample() -> BsdfSample {
  return BsdfSample(vec3f(0.0, 0.0, 1.0), 0.0, vec3f(0.0), 0u);
}

fn bsdf_alpha(m: Material) -> f32 {
  var r = clamp(m.roughness, 0.0, 1.0);
  if (m.kind == MAT_STANDARD) {
    r = max(r, STANDARD_MIN_ROUGHNESS);
  }
  return r * r;
}

// A dielectric with ior ~ 1 only passes light straight through (the rough transmission lobe collapses to a
// delta, as in pbrt-v4), whatever its roughness.
fn dielectric_is_smooth(m: Material) -> bool {
  return bsdf_alpha(m) < BSDF_SMOOTH_ALPHA || abs(m.ior - 1.0) < DIELECTRIC_MIN_ETA_OFFSET;
}

fn bsdf_is_delta(m: Material) -> bool {
  return (m.kind == MAT_CONDUCTOR && bsdf_alpha(m) < BSDF_SMOOTH_ALPHA) || (m.kind == MAT_DIELECTRIC && dielectric_is_smooth(m));
}

fn bsdf_albedo_aov(m: Material) -> vec3f {
  // DIFFUSE/STANDARD: base colour; CONDUCTOR: F0 = base colour; DIELECTRIC: transmission tint (1 for clear glass).
  return clamp(m.base_color, vec3f(0.0), vec3f(1.0));
}

// Denoiser AOVs of a path: albedo and normal follow delta bounces (smooth glass and mirrors, whose own albedo
// says nothing about what they show) to the first non-delta surface or the environment, as Open Image Denoise
// recommends; the albedo there is multiplied by the tint of the delta bounces (the product of their sample
// weights: 1 through clear glass, F0's Fresnel through a mirror). A chain still open when the path ends gives
// the tint itself. Both integrators (megakernel and wavefront) use these.
fn aov_clamp(v: vec3f) -> vec3f {
  return clamp(v, vec3f(0.0), vec3f(1.0));
}

// Whether the AOV chain ends at a hit on m at bounce `depth`: at a non-delta surface, or where the path cannot
// continue (depth >= max_depth).
fn aov_closes(m: Material, depth: u32, max_depth: u32) -> bool {
  return !bsdf_is_delta(m) || depth >= max_depth;
}

fn aov_surface(tint: vec3f, m: Material) -> vec3f {
  return aov_clamp(tint * bsdf_albedo_aov(m));
}

// An escaped ray: the environment's radiance, capped at 1, as albedo.
fn aov_env(tint: vec3f, le: vec3f) -> vec3f {
  return aov_clamp(tint * min(le, vec3f(1.0)));
}

// ---------------------------------------------------------------- conductor (Schlick, F0 = base_color)

fn conductor_eval(m: Material, wo: vec3f, wi: vec3f) -> vec3f {
  let alpha = bsdf_alpha(m);
  if (wo.z <= 0.0 || wi.z <= 0.0 || alpha < BSDF_SMOOTH_ALPHA) {
    return vec3f(0.0);
  }
  let wm = normalize(wo + wi);
  return fresnel_schlick(m.base_color, 1.0, dot(wo, wm)) * ggx_reflection(wm, wo.z, wi.z, alpha);
}

fn conductor_pdf(m: Material, wo: vec3f, wi: vec3f) -> f32 {
  let alpha = bsdf_alpha(m);
  if (wo.z <= 0.0 || wi.z <= 0.0 || alpha < BSDF_SMOOTH_ALPHA) {
    return 0.0;
  }
  return ggx_reflection_pdf(normalize(wo + wi), wo.z, alpha);
}

fn conductor_sample(m: Material, wo: vec3f, u: vec3f) -> BsdfSample {
  let alpha = bsdf_alpha(m);
  if (wo.z <= 0.0) {
    return bsdf_no_sample();
  }
  if (alpha < BSDF_SMOOTH_ALPHA) {
    return BsdfSample(vec3f(-wo.x, -wo.y, wo.z), 1.0, fresnel_schlick(m.base_color, 1.0, wo.z), BSDF_VALID | BSDF_DELTA);
  }
  let wm = ggx_sample_vndf(wo, alpha, u.xy);
  let wi = reflect_about(wo, wm);
  if (wi.z <= 0.0) {
    return bsdf_no_sample();
  }
  let weight = fresnel_schlick(m.base_color, 1.0, dot(wo, wm)) * ggx_g2_over_g1(wo.z, wi.z, alpha);
  return BsdfSample(wi, ggx_reflection_pdf(wm, wo.z, alpha), weight, BSDF_VALID);
}

// ---------------------------------------------------------------- dielectric

// Rough dielectric f*|cos wi| (rgb) and pdf (w) in one pass: both need the same generalized half vector.
fn dielectric_eval_pdf(m: Material, wo: vec3f, wi: vec3f) -> vec4f {
  let alpha = bsdf_alpha(m);
  let eta = m.ior;
  let cos_o = wo.z;
  let cos_i = wi.z;
  if (cos_o == 0.0 || cos_i == 0.0 || dielectric_is_smooth(m)) {
    return vec4f(0.0);
  }
  let is_reflection = cos_i * cos_o > 0.0;
  var etap = 1.0;
  if (!is_reflection) {
    etap = select(1.0 / eta, eta, cos_o > 0.0);
  }
  var wm = wi * etap + wo;
  let len2 = dot(wm, wm);
  if (!(len2 > 1e-20)) {
    return vec4f(0.0);
  }
  wm = wm * inverseSqrt(len2);
  if (wm.z < 0.0) {
    wm = -wm;
  }
  let dot_i = dot(wm, wi);
  let dot_o = dot(wm, wo);
  // Microfacets seen from behind contribute nothing (Walter et al. 2007).
  if (dot_i * cos_i <= 0.0 || dot_o * cos_o <= 0.0) {
    return vec4f(0.0);
  }
  if (is_reflection) {
    let r = fresnel_dielectric(dot_o, eta);
    return vec4f(vec3f(r * ggx_reflection(wm, cos_o, cos_i, alpha)), r * ggx_reflection_pdf(wm, cos_o, alpha));
  }
  let t = 1.0 - fresnel_dielectric_pair(abs(dot_o), abs(dot_i), etap);
  let s = dot_i + dot_o / etap;
  let denom = s * s;
  let d = ggx_d(wm, alpha);
  let ao = abs(cos_o);
  let ai = abs(cos_i);
  let so = ggx_s(cos_o, alpha);
  // T D G2 |wi.wm| |wo.wm| / (|cos_o| denom), with G2 written as 2|zo||zi| / (|zi| S_o + |zo| S_i).
  let ft = t * d * abs(dot_i * dot_o) * 2.0 * ai / ((ai * so + ao * ggx_s(cos_i, alpha)) * denom) / (etap * etap);
  let pdf = t * ggx_vndf_pdf(wo, wm, alpha) * abs(dot_i) / denom;
  return vec4f(ft * m.base_color, pdf);
}

fn dielectric_sample(m: Material, wo: vec3f, u: vec3f) -> BsdfSample {
  let alpha = bsdf_alpha(m);
  let eta = m.ior;
  if (wo.z == 0.0) {
    return bsdf_no_sample();
  }
  if (dielectric_is_smooth(m)) {
    let r = fresnel_dielectric(wo.z, eta);
    if (u.z < r) {
      return BsdfSample(vec3f(-wo.x, -wo.y, wo.z), r, vec3f(1.0), BSDF_VALID | BSDF_DELTA);
    }
    let rt = refract_dir(wo, vec3f(0.0, 0.0, 1.0), eta);
    if (!rt.ok || rt.wt.z * wo.z >= 0.0) {
      return bsdf_no_sample();
    }
    let w = m.base_color / (rt.etap * rt.etap);
    return BsdfSample(rt.wt, 1.0 - r, w, BSDF_VALID | BSDF_DELTA | BSDF_TRANSMISSION);
  }
  let wm = ggx_sample_vndf(wo, alpha, u.xy);
  let dot_o = dot(wo, wm);
  let r = fresnel_dielectric(dot_o, eta);
  if (u.z < r) {
    let wi = reflect_about(wo, wm);
    if (wi.z * wo.z <= 0.0) {
      return bsdf_no_sample();
    }
    // D_wo / (4 |wo.wm|), written without the division that is 0/0 for a facet at grazing.
    let pdf = r * ggx_reflection_pdf(wm, wo.z, alpha);
    return BsdfSample(wi, pdf, vec3f(ggx_g2_over_g1(wo.z, wi.z, alpha)), BSDF_VALID);
  }
  let rt = refract_dir(wo, wm, eta);
  if (!rt.ok || rt.wt.z * wo.z >= 0.0) {
    return bsdf_no_sample();
  }
  let wi = rt.wt;
  let dot_i = dot(wi, wm);
  let s = dot_i + dot_o / rt.etap;
  // Same transmittance as dielectric_eval_pdf (from both cosines), so the returned pdf equals bsdf_pdf.
  let t = 1.0 - fresnel_dielectric_pair(abs(dot_o), abs(dot_i), rt.etap);
  let pdf = t * ggx_vndf_pdf(wo, wm, alpha) * abs(dot_i) / (s * s);
  let weight = m.base_color * (ggx_g2_over_g1(wo.z, wi.z, alpha) / (rt.etap * rt.etap));
  return BsdfSample(wi, pdf, weight, BSDF_VALID | BSDF_TRANSMISSION);
}

// ---------------------------------------------------------------- standard (three.js MeshStandardMaterial)

// f = metalness * conductor(F0 = base) + (1 - metalness) * (specular layer + diffuse), where the specular
// layer is GGX with Schlick F0 = min(((ior-1)/(ior+1))^2 specular_color, 1) * specular, F90 = specular
// (three.js MeshPhysicalMaterial), and the diffuse is Lambert scaled by the reciprocal, energy-normalised
// factor s(cos_o) s(cos_i) / s_avg, so that its albedo is base * s(cos_o) (Kelemen & Szirmay-Kalos style).
// s(c) = 1 - max over channels of an upper bound on the specular layer's directional albedo.
struct StandardParams {
  alpha: f32,
  metal: f32,
  f0: vec3f,      // specular layer F0
  f90: f32,       // specular layer F90
  f0_max: f32,
  s_avg: f32,     // cosine-weighted hemispherical mean of s(c); 0 disables the diffuse
}

// The bound is Schlick at the macro angle with its (1-c)^5 term h(c) raised to m + (1 - m)(1 - c)^5: averaged
// over visible normals, (1 - wo.wm)^5 G2/G1 exceeds (1-c)^5 by up to 0.26% of (1 - (1-c)^5) (convexity;
// worst near roughness 0.4, c = 0.63, measured by quadrature), so m = 0.005 keeps the total albedo <= 1.
const STANDARD_SPEC_MARGIN: f32 = 0.005;

fn standard_params(m: Material) -> StandardParams {
  let spec = clamp(m.specular, 0.0, 1.0);
  let ior_f0 = (m.ior - 1.0) / (m.ior + 1.0);
  let f0 = min(ior_f0 * ior_f0 * max(m.specular_color, vec3f(0.0)), vec3f(1.0)) * spec;
  let f0m = max3(f0);
  // Cosine-weighted mean of s(c), closed form: the mean of (1 - c)^5 is 1/21.
  let s_avg = 1.0 - f0m - (spec - f0m) * (STANDARD_SPEC_MARGIN + (1.0 - STANDARD_SPEC_MARGIN) / 21.0);
  return StandardParams(bsdf_alpha(m), clamp(m.metalness, 0.0, 1.0), f0, spec, f0m, max(s_avg, 0.0));
}

fn standard_s(p: StandardParams, c: f32) -> f32 {
  let h = STANDARD_SPEC_MARGIN + (1.0 - STANDARD_SPEC_MARGIN) * pow5(clamp(1.0 - c, 0.0, 1.0));
  let fm = p.f0_max + (p.f90 - p.f0_max) * h;
  return max(1.0 - fm, 0.0);
}

// Probability of sampling the GGX lobes (metal + specular layer share the VNDF); the rest goes to cosine.
fn standard_ggx_probability(m: Material, p: StandardParams, zo: f32) -> f32 {
  let w_ggx = p.metal * max3(fresnel_schlick(m.base_color, 1.0, zo)) + (1.0 - p.metal) * max3(fresnel_schlick(p.f0, p.f90, zo));
  var w_diffuse = 0.0;
  if (p.s_avg > 0.0) {
    w_diffuse = (1.0 - p.metal) * max3(clamp(m.base_color, vec3f(0.0), vec3f(1.0))) * standard_s(p, zo);
  }
  let total = w_ggx + w_diffuse;
  return select(1.0, w_ggx / total, total > 0.0);
}

fn standard_eval(m: Material, wo: vec3f, wi: vec3f) -> vec3f {
  if (wo.z <= 0.0 || wi.z <= 0.0) {
    return vec3f(0.0);
  }
  let p = standard_params(m);
  let wm = normalize(wo + wi);
  let c = dot(wo, wm);
  let g = ggx_reflection(wm, wo.z, wi.z, p.alpha);
  let metal = fresnel_schlick(m.base_color, 1.0, c) * g;
  let spec = fresnel_schlick(p.f0, p.f90, c) * g;
  var diffuse = vec3f(0.0);
  if (p.s_avg > 0.0) {
    diffuse = m.base_color * (INV_PI * standard_s(p, wo.z) * standard_s(p, wi.z) / p.s_avg * wi.z);
  }
  return p.metal * metal + (1.0 - p.metal) * (spec + diffuse);
}

fn standard_pdf(m: Material, wo: vec3f, wi: vec3f) -> f32 {
  if (wo.z <= 0.0 || wi.z <= 0.0) {
    return 0.0;
  }
  let p = standard_params(m);
  let pg = standard_ggx_probability(m, p, wo.z);
  return pg * ggx_reflection_pdf(normalize(wo + wi), wo.z, p.alpha) + (1.0 - pg) * cosine_hemisphere_pdf(wi.z);
}

fn standard_sample(m: Material, wo: vec3f, u: vec3f) -> BsdfSample {
  if (wo.z <= 0.0) {
    return bsdf_no_sample();
  }
  let p = standard_params(m);
  let pg = standard_ggx_probability(m, p, wo.z);
  var wi: vec3f;
  if (u.z < pg) {
    wi = reflect_about(wo, ggx_sample_vndf(wo, p.alpha, u.xy));
  } else {
    wi = sample_cosine_hemisphere(u.xy);
  }
  if (wi.z <= 0.0) {
    return bsdf_no_sample();
  }
  // The mixture's weight needs the full f and pdf: any lobe could have produced wi.
  let pdf = standard_pdf(m, wo, wi);
  if (!(pdf > 0.0)) {
    return bsdf_no_sample();
  }
  return BsdfSample(wi, pdf, standard_eval(m, wo, wi) / pdf, BSDF_VALID);
}

// ---------------------------------------------------------------- public interface

fn bsdf_eval(m: Material, wo: vec3f, wi: vec3f) -> vec3f {
  switch (m.kind) {
    case MAT_CONDUCTOR: { return conductor_eval(m, wo, wi); }
    case MAT_DIELECTRIC: { return dielectric_eval_pdf(m, wo, wi).xyz; }
    case MAT_STANDARD: { return standard_eval(m, wo, wi); }
    default: {
      if (wo.z <= 0.0 || wi.z <= 0.0) {
        return vec3f(0.0);
      }
      return m.base_color * (wi.z * INV_PI);
    }
  }
}

fn bsdf_pdf(m: Material, wo: vec3f, wi: vec3f) -> f32 {
  switch (m.kind) {
    case MAT_CONDUCTOR: { return conductor_pdf(m, wo, wi); }
    case MAT_DIELECTRIC: { return dielectric_eval_pdf(m, wo, wi).w; }
    case MAT_STANDARD: { return standard_pdf(m, wo, wi); }
    default: {
      if (wo.z <= 0.0 || wi.z <= 0.0) {
        return 0.0;
      }
      return cosine_hemisphere_pdf(wi.z);
    }
  }
}

fn bsdf_sample(m: Material, wo: vec3f, u: vec3f) -> BsdfSample {
  switch (m.kind) {
    case MAT_CONDUCTOR: { return conductor_sample(m, wo, u); }
    case MAT_DIELECTRIC: { return dielectric_sample(m, wo, u); }
    case MAT_STANDARD: { return standard_sample(m, wo, u); }
    default: {
      if (wo.z <= 0.0) {
        return bsdf_no_sample();
      }
      let wi = sample_cosine_hemisphere(u.xy);
      return BsdfSample(wi, cosine_hemisphere_pdf(wi.z), m.base_color, BSDF_VALID);
    }
  }
}
