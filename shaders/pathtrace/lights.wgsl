// Light sampling: emissive triangles (alias table, power-proportional) and the environment
// (constant: uniform sphere; map: luminance x sin(theta) piecewise-constant density).
// Needs: common, structs, scene_bindings, and `params` (integrator.wgsl).

struct LightSample {
  wi: vec3f,        // world direction towards the light
  dist: f32,        // distance to the light point (F32_MAX for the environment)
  radiance: vec3f,  // emitted radiance towards the shading point (0 if facing away)
  pdf: f32,         // solid-angle pdf including the strategy choice; 0 = no sample
}

fn oct_decode(p: u32) -> vec3f {
  let e = unpack2x16snorm(p);
  var v = vec3f(e.x, e.y, 1.0 - abs(e.x) - abs(e.y));
  if (v.z < 0.0) {
    let s = select(vec2f(-1.0), vec2f(1.0), v.xy >= vec2f(0.0));
    v = vec3f((1.0 - abs(v.yx)) * s, v.z);
  }
  return normalize(v);
}

// Area-measure pdf of NEE choosing a point on an emitter with material m (see src/scene/lights.ts).
fn emitter_area_pdf(m: Material) -> f32 {
  let sides = select(1.0, 2.0, (m.flags & MAT_FLAG_DOUBLE_SIDED) != 0u);
  return luminance(m.emission) * sides / params.light_power;
}

fn emitted(m: Material, ng: vec3f, w_out: vec3f) -> vec3f {
  // Emitters radiate from their front (counter-clockwise) face unless double-sided.
  let front = dot(ng, w_out) > 0.0;
  return select(vec3f(0.0), m.emission, front || (m.flags & MAT_FLAG_DOUBLE_SIDED) != 0u);
}

// ---- Environment ----
fn env_texel(x: u32, y: u32) -> vec3f {
  return env_data[y * params.env_width + x].xyz;
}

fn env_radiance(dir: vec3f) -> vec3f {
  if (params.env_kind == 1u) { return params.env_color; }
  if (params.env_kind == 2u) {
    let theta = acos(clamp(dir.y, -1.0, 1.0));
    let phi = atan2(dir.z, dir.x) + PI;
    let x = min(u32(phi * INV_TWO_PI * f32(params.env_width)), params.env_width - 1u);
    let y = min(u32(theta * INV_PI * f32(params.env_height)), params.env_height - 1u);
    return env_texel(x, y);
  }
  return vec3f(0.0);
}

fn env_cdf(i: u32) -> f32 {
  return env_data[i].x;
}

// Solid-angle pdf of env_sample_dir for direction dir (strategy choice not included).
fn env_pdf(dir: vec3f) -> f32 {
  if (params.env_kind == 1u) { return 1.0 / (4.0 * PI); }
  if (params.env_kind != 2u) { return 0.0; }
  let w = params.env_width;
  let h = params.env_height;
  let theta = acos(clamp(dir.y, -1.0, 1.0));
  let sin_theta = sin(theta);
  if (sin_theta <= 0.0) { return 0.0; }
  let phi = atan2(dir.z, dir.x) + PI;
  let x = min(u32(phi * INV_TWO_PI * f32(w)), w - 1u);
  let y = min(u32(theta * INV_PI * f32(h)), h - 1u);
  let p_row = env_cdf(params.env_marginal_offset + y + 1u) - env_cdf(params.env_marginal_offset + y);
  let c = params.env_conditional_offset + y * (w + 1u);
  let p_col = env_cdf(c + x + 1u) - env_cdf(c + x);
  let pdf_uv = p_row * p_col * f32(w) * f32(h);
  return pdf_uv / (2.0 * PI * PI * sin_theta);
}

// Largest i in [lo, hi) with cdf[i] <= u.
fn cdf_search(base: u32, count: u32, u: f32) -> u32 {
  var lo = 0u;
  var hi = count;
  loop {
    if (hi - lo <= 1u) { break; }
    let mid = (lo + hi) / 2u;
    if (env_cdf(base + mid) <= u) { lo = mid; } else { hi = mid; }
  }
  return lo;
}

fn env_sample_dir(u: vec2f) -> vec3f {
  if (params.env_kind == 1u) {
    let z = 1.0 - 2.0 * u.x;
    let r = sqrt(max(0.0, 1.0 - z * z));
    let phi = TWO_PI * u.y;
    return vec3f(r * cos(phi), z, r * sin(phi));
  }
  let w = params.env_width;
  let h = params.env_height;
  let y = cdf_search(params.env_marginal_offset, h, u.x);
  let c = params.env_conditional_offset + y * (w + 1u);
  let x = cdf_search(c, w, u.y);
  // Continuous position inside the chosen texel (the density is constant over it in (u, v)).
  let r0 = env_cdf(params.env_marginal_offset + y);
  let r1 = env_cdf(params.env_marginal_offset + y + 1u);
  let c0 = env_cdf(c + x);
  let c1 = env_cdf(c + x + 1u);
  let fy = clamp((u.x - r0) / max(r1 - r0, 1e-12), 0.0, 1.0);
  let fx = clamp((u.y - c0) / max(c1 - c0, 1e-12), 0.0, 1.0);
  let theta = (f32(y) + fy) / f32(h) * PI;
  let phi = (f32(x) + fx) / f32(w) * TWO_PI - PI;
  let st = sin(theta);
  return vec3f(st * cos(phi), cos(theta), st * sin(phi));
}

// ---- Strategy choice between area lights and the environment ----
fn env_select_prob() -> f32 {
  return params.env_select_prob;
}

// Samples a light for shading point p. u.x chooses the strategy/row, u.yz the point.
fn sample_light(p: vec3f, u: vec3f, u2: f32) -> LightSample {
  var ls: LightSample;
  ls.pdf = 0.0;
  let pe = env_select_prob();
  if (u2 < pe) {
    let dir = env_sample_dir(u.xy);
    ls.wi = dir;
    ls.dist = F32_MAX;
    ls.radiance = env_radiance(dir);
    ls.pdf = pe * env_pdf(dir);
    return ls;
  }
  if (params.light_count == 0u) { return ls; }
  let n = params.light_count;
  let scaled = u.x * f32(n);
  let row = min(u32(scaled), n - 1u);
  let coin = scaled - f32(row);
  let entry = lights[row];
  var tri = entry.triangle;
  if (coin >= entry.prob) { tri = lights[entry.alias_row].triangle; }
  // Uniform point on the triangle (square-root parametrisation).
  let su = sqrt(u.y);
  let b1 = 1.0 - su;
  let b2 = u.z * su;
  let v0 = tri_pos[tri * 3u].xyz;
  let v1 = tri_pos[tri * 3u + 1u].xyz;
  let v2 = tri_pos[tri * 3u + 2u].xyz;
  let q = v0 * (1.0 - b1 - b2) + v1 * b1 + v2 * b2;
  let c = cross(v1 - v0, v2 - v0);
  let ng = normalize(c);
  let d = q - p;
  let dist2 = dot(d, d);
  let dist = sqrt(dist2);
  let wi = d / dist;
  let cos_l = abs(dot(ng, wi));
  if (cos_l <= 1e-7 || dist2 <= 0.0) { return ls; }
  let m = materials[tri_shading[tri].w];
  ls.wi = wi;
  ls.dist = dist;
  ls.radiance = emitted(m, ng, -wi);
  ls.pdf = (1.0 - pe) * emitter_area_pdf(m) * dist2 / cos_l;
  return ls;
}
