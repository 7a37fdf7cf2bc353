// Unidirectional path tracer, one invocation per pixel (megakernel). Next-event estimation on emissive
// triangles and the environment, combined with BSDF sampling by multiple importance sampling (power
// heuristic); Russian roulette after rr_depth bounces. Unbiased unless clamp_max > 0.
// Needs: common, structs, params, scene_bindings, bvh, sampling, microfacet, bsdf, lights, path.

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;


@group(1) @binding(0) var<uniform> params: Params;
// Film, vec4f per pixel in four planes of width*height: radiance sum (w = samples), radiance^2 sum,
// albedo sum, normal sum (xyz) + depth sum (w).
@group(1) @binding(1) var<storage, read_write> film: array<vec4f>;
// With params.first_hit = 1, vec4f per pixel: the sum of each sample's first-hit emission (w = samples), i.e. what a
// maxDepth 0 render with the same seed and samples holds (emission separation, src/render/emission.ts). Otherwise
// a placeholder that is never read or written.
@group(1) @binding(2) var<storage, read_write> first_hit: array<vec4f>;

struct PathResult {
  radiance: vec3f,
  albedo: vec3f,
  normal: vec3f,
  depth: f32,
  // The camera ray's own contribution: the emission of the surface it hits first, or the environment it escapes to.
  emission: vec3f,
}

fn trace_path(px: vec2u, pixel: u32, sample: u32) -> PathResult {
  var res: PathResult;
  res.radiance = vec3f(0.0);
  res.albedo = vec3f(0.0);
  res.normal = vec3f(0.0);
  res.depth = 0.0;
  res.emission = vec3f(0.0);
  let jitter = pixel_jitter(pixel, sample);
  let lens_u = rand2();
  let ray = camera_ray(px, jitter, lens_u);
  var origin = ray.origin;
  var dir = ray.dir;

  var beta = vec3f(1.0);
  var specular = true;     // previous bounce was a delta lobe (or this is the camera ray)
  var prev_pdf = 0.0;      // solid-angle pdf of the BSDF sample that produced this ray
  var prev_p = origin;
  var depth = 0u;
  // Denoiser AOVs (albedo, normal) follow delta bounces (smooth glass and mirrors) to the first non-delta surface
  // or the environment, tinted by the delta bounces' weights; while the chain is open aov_tint holds that tint.
  var aov_open = true;
  var aov_tint = vec3f(1.0);
  loop {
    let hit = trace_closest(origin, dir, 0.0, F32_MAX);
    if (hit.t == F32_MAX) {
      // Escaped: environment radiance, weighted against environment NEE.
      let le = env_radiance(dir);
      if (any(le > vec3f(0.0))) {
        var w = 1.0;
        if (!specular && params.mode == MODE_MIS) { w = power_heuristic(prev_pdf, env_select_prob() * env_pdf(dir)); }
        else if (!specular && params.mode == MODE_NEE) { w = 0.0; }
        res.radiance += beta * le * w;
      }
      if (depth == 0u) { res.emission = res.radiance; }
      if (aov_open) { res.albedo = aov_env(aov_tint, le); aov_open = false; }
      break;
    }
    let tri = hit.triangle;
    let v0 = tri_pos[tri * 3u].xyz;
    let v1 = tri_pos[tri * 3u + 1u].xyz;
    let v2 = tri_pos[tri * 3u + 2u].xyz;
    let p = v0 * (1.0 - hit.u - hit.v) + v1 * hit.u + v2 * hit.v;
    var ng = normalize(cross(v1 - v0, v2 - v0));
    let sh = tri_shading[tri];
    var ns = normalize(oct_decode(sh.x) * (1.0 - hit.u - hit.v) + oct_decode(sh.y) * hit.u + oct_decode(sh.z) * hit.v);
    let m = materials[sh.w];
    let wo = -dir;

    // Emission hit by this ray.
    if (any(m.emission > vec3f(0.0))) {
      let le = emitted(m, ng, wo);
      var w = 1.0;
      if (!specular && params.mode == MODE_MIS) {
        let cos_l = abs(dot(ng, wo));
        let light_pdf = (1.0 - env_select_prob()) * emitter_area_pdf(m) * hit.t * hit.t / max(cos_l, 1e-12);
        w = power_heuristic(prev_pdf, light_pdf);
      } else if (!specular && params.mode == MODE_NEE) {
        w = 0.0;
      }
      res.radiance += beta * le * w;
    }
    if (depth == 0u) { res.emission = res.radiance; }

    // Keep the shading normal on the geometric normal's side; opaque surfaces are two-sided, so both
    // normals face the outgoing direction. Dielectrics keep the outward orientation (inside vs outside).
    if (dot(ns, ng) < 0.0) { ns = -ns; }
    if (m.kind != MAT_DIELECTRIC && dot(ng, wo) < 0.0) { ng = -ng; ns = -ns; }
    if (depth == 0u) { res.depth = hit.t * dot(dir, params.cam_forward); }
    if (aov_open) {
      res.normal = select(ns, -ns, dot(ns, wo) < 0.0);
      if (aov_closes(m, depth, params.max_depth)) { res.albedo = aov_surface(aov_tint, m); aov_open = false; }
    }
    if (depth >= params.max_depth) { break; }

    let frame = make_frame(ns);
    var wo_l = to_local(frame, wo);
    if (m.kind != MAT_DIELECTRIC) { wo_l.z = max(wo_l.z, 1e-6); }
    let u_light = rand3();
    let u_strategy = rand();
    let u_bsdf = rand3();

    // Next-event estimation.
    if (params.mode != MODE_BSDF && !bsdf_is_delta(m)) {
      let ls = sample_light(p, u_light, u_strategy);
      if (ls.pdf > 0.0 && any(ls.radiance > vec3f(0.0))) {
        let wi_l = to_local(frame, ls.wi);
        // Reject light directions on the wrong side of the geometric surface (shading-normal leaks).
        let geo_ok = m.kind == MAT_DIELECTRIC || dot(ls.wi, ng) > 0.0;
        let f = bsdf_eval(m, wo_l, wi_l);
        if (geo_ok && any(f > vec3f(0.0))) {
          let o = offset_origin(p, ng, ls.wi);
          let tmax = select(ls.dist * (1.0 - 1e-4) - 1e-4 * max(1.0, max3(abs(p))), F32_MAX, ls.dist == F32_MAX);
          if (!trace_any(o, ls.wi, 0.0, tmax)) {
            var w = 1.0;
            if (params.mode == MODE_MIS) { w = power_heuristic(ls.pdf, bsdf_pdf(m, wo_l, wi_l)); }
            res.radiance += beta * f * ls.radiance * (w / ls.pdf);
          }
        }
      }
    }

    // BSDF sampling continues the path.
    let bs = bsdf_sample(m, wo_l, u_bsdf);
    if ((bs.flags & BSDF_VALID) == 0u) { break; }
    let wi = to_world(frame, bs.wi);
    if (m.kind != MAT_DIELECTRIC && dot(wi, ng) <= 0.0) { break; }
    beta *= bs.weight;
    if (aov_open) { aov_tint *= bs.weight; }
    specular = (bs.flags & BSDF_DELTA) != 0u;
    prev_pdf = bs.pdf;
    origin = offset_origin(p, ng, wi);
    dir = wi;
    depth += 1u;

    if (depth >= params.rr_depth) {
      let survive = min(1.0, max3(beta));
      if (rand() >= survive) { break; }
      beta /= survive;
    }
  }
  if (aov_open) { res.albedo = aov_clamp(aov_tint); }
  return res;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let plane = params.width * params.height;
  // `slot`: where the pixel's sums are kept in each film plane (and in first_hit).
  var slot: u32;
  var pixel: u32;
  if (params.slot_count > 0u) {
    // A restricted render (PathTracer.restrictTo): the film holds the chosen pixels side by side, slot i in entry i
    // of each plane, its pixel index in the two components no sum uses (plane 1's w: the high 16 bits, plane 2's w:
    // the low 16; whole numbers below 2^16 stay exact as floats and through `+ 0.0`). The dispatch covers the slots
    // row by row, `width` to a row.
    slot = gid.y * params.width + gid.x;
    if (gid.x >= params.width || slot >= params.slot_count) { return; }
    pixel = (u32(film[plane + slot].w) << 16u) | u32(film[2u * plane + slot].w);
  } else {
    // The dispatch covers the band of rows [row_start, row_start + row_count), rounded up to whole workgroups.
    let y = gid.y + params.row_start;
    if (gid.x >= params.width || gid.y >= params.row_count || y >= params.height) { return; }
    pixel = y * params.width + gid.x;
    slot = pixel;
  }
  let px = vec2u(pixel % params.width, pixel / params.width);
  // Samples are added one at a time onto the stored sums, so the floating-point result does not depend on
  // how the samples were split into passes (bit-identical images for the same seed and spp).
  var sum = film[slot];
  var sum_sq = film[plane + slot];
  var albedo = film[2u * plane + slot];
  var normal_depth = film[3u * plane + slot];
  let keep_first_hit = params.first_hit != 0u;
  var first = vec4f(0.0);
  if (keep_first_hit) { first = first_hit[slot]; }
  for (var s = 0u; s < params.sample_count; s++) {
    rng_seed(pixel, params.sample_start + s, params.seed);
    let r = trace_path(px, pixel, params.sample_start + s);
    var l = r.radiance;
    var e = r.emission;
    // A NaN/Inf sample would poison the pixel forever; count it as zero (rare, from degenerate geometry).
    if (any(l != l) || any(abs(l) > vec3f(F32_MAX))) { l = vec3f(0.0); e = vec3f(0.0); }
    if (params.clamp_max > 0.0) { l = min(l, vec3f(params.clamp_max)); e = min(e, vec3f(params.clamp_max)); }
    sum += vec4f(l, 1.0);
    sum_sq += vec4f(l * l, 0.0);
    albedo += vec4f(r.albedo, 0.0);
    normal_depth += vec4f(r.normal, r.depth);
    first += vec4f(e, 1.0);
  }
  film[slot] = sum;
  film[plane + slot] = sum_sq;
  film[2u * plane + slot] = albedo;
  film[3u * plane + slot] = normal_depth;
  if (keep_first_hit) { first_hit[slot] = first; }
}
