// Wavefront kernel 3: shades every queued path at its hit. Emission (MIS-weighted against NEE), next-event
// estimation as a queued shadow ray, BSDF sampling and Russian roulette; survivors go to queue_out.
// Same estimator, and the same random-number draw order, as integrator.wgsl's trace_path loop body.
// Needs: common, structs, params, scene_bindings, bvh, sampling, microfacet, bsdf, lights, wavefront/state.

// true: trace the closest hit here (no separate extend kernel), a fused variant for comparison.
override FUSED_EXTEND: bool = false;

fn wf_push_shadow(path: u32, origin: vec3f, dir: vec3f, tmax: f32, contrib: vec3f) {
  let slot = atomicAdd(&counters.shadow_count, 1u);
  shadow_rays[slot] = ShadowRay(origin, tmax, dir, path, contrib, 0u);
}

@compute @workgroup_size(WF_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= counters.ray_count) { return; }
  let id = queue_in[gid.x];
  var st = paths[id];
  rng_state = st.rng;
  var hit = Hit(st.hit.x, st.hit.y, st.hit.z, bitcast<u32>(st.hit.w));
  if (FUSED_EXTEND) { hit = trace_closest(st.origin, st.dir, 0.0, F32_MAX); }
  let specular = (st.flags & PATH_SPECULAR) != 0u;
  var aov_open = (st.flags & PATH_AOV_OPEN) != 0u; // st.albedo is the chain's tint while open
  let dir = st.dir;
  var alive = false;

  if (hit.t == F32_MAX) {
    // Escaped: environment radiance, weighted against environment NEE.
    let le = env_radiance(dir);
    if (any(le > vec3f(0.0))) {
      var w = 1.0;
      if (!specular && params.mode == MODE_MIS) { w = power_heuristic(st.prev_pdf, env_select_prob() * env_pdf(dir)); }
      else if (!specular && params.mode == MODE_NEE) { w = 0.0; }
      st.radiance += st.beta * le * w;
    }
    if (aov_open) { st.albedo = aov_env(st.albedo, le); aov_open = false; }
  } else {
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

    if (any(m.emission > vec3f(0.0))) {
      let le = emitted(m, ng, wo);
      var w = 1.0;
      if (!specular && params.mode == MODE_MIS) {
        let cos_l = abs(dot(ng, wo));
        let light_pdf = (1.0 - env_select_prob()) * emitter_area_pdf(m) * hit.t * hit.t / max(cos_l, 1e-12);
        w = power_heuristic(st.prev_pdf, light_pdf);
      } else if (!specular && params.mode == MODE_NEE) {
        w = 0.0;
      }
      st.radiance += st.beta * le * w;
    }

    if (dot(ns, ng) < 0.0) { ns = -ns; }
    if (m.kind != MAT_DIELECTRIC && dot(ng, wo) < 0.0) { ng = -ng; ns = -ns; }
    if (st.depth == 0u) { st.z = hit.t * dot(dir, params.cam_forward); }
    if (aov_open) {
      st.normal = select(ns, -ns, dot(ns, wo) < 0.0);
      if (aov_closes(m, st.depth, params.max_depth)) { st.albedo = aov_surface(st.albedo, m); aov_open = false; }
    }

    if (st.depth < params.max_depth) {
      let frame = make_frame(ns);
      var wo_l = to_local(frame, wo);
      if (m.kind != MAT_DIELECTRIC) { wo_l.z = max(wo_l.z, 1e-6); }
      let u_light = rand3();
      let u_strategy = rand();
      let u_bsdf = rand3();

      // Next-event estimation: the shadow ray is traced later by connect.wgsl.
      if (params.mode != MODE_BSDF && !bsdf_is_delta(m)) {
        let ls = sample_light(p, u_light, u_strategy);
        if (ls.pdf > 0.0 && any(ls.radiance > vec3f(0.0))) {
          let wi_l = to_local(frame, ls.wi);
          let geo_ok = m.kind == MAT_DIELECTRIC || dot(ls.wi, ng) > 0.0;
          let f = bsdf_eval(m, wo_l, wi_l);
          if (geo_ok && any(f > vec3f(0.0))) {
            let o = offset_origin(p, ng, ls.wi);
            let tmax = select(ls.dist * (1.0 - 1e-4) - 1e-4 * max(1.0, max3(abs(p))), F32_MAX, ls.dist == F32_MAX);
            var w = 1.0;
            if (params.mode == MODE_MIS) { w = power_heuristic(ls.pdf, bsdf_pdf(m, wo_l, wi_l)); }
            wf_push_shadow(id, o, ls.wi, tmax, st.beta * f * ls.radiance * (w / ls.pdf));
          }
        }
      }

      // BSDF sampling continues the path.
      let bs = bsdf_sample(m, wo_l, u_bsdf);
      let wi = to_world(frame, bs.wi);
      if ((bs.flags & BSDF_VALID) != 0u && (m.kind == MAT_DIELECTRIC || dot(wi, ng) > 0.0)) {
        st.beta *= bs.weight;
        if (aov_open) { st.albedo *= bs.weight; }
        st.flags = select(0u, PATH_SPECULAR, (bs.flags & BSDF_DELTA) != 0u);
        st.prev_pdf = bs.pdf;
        st.origin = offset_origin(p, ng, wi);
        st.dir = wi;
        st.depth += 1u;
        alive = true;
        if (st.depth >= params.rr_depth) {
          let survive = min(1.0, max3(st.beta));
          if (rand() >= survive) { alive = false; }
          else { st.beta /= survive; }
        }
      }
    }
  }
  st.rng = rng_state;
  st.flags = (st.flags & PATH_SPECULAR) | select(0u, PATH_AOV_OPEN, aov_open);
  paths[id] = st;
  if (alive) {
    queue_out[atomicAdd(&counters.next_count, 1u)] = id;
  }
}
