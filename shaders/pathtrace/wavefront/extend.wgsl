// Wavefront kernel 2: closest hit for every queued ray.
// Needs: common, structs, params, scene_bindings, bvh, wavefront/state.

@compute @workgroup_size(WF_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= counters.ray_count) { return; }
  let id = queue_in[gid.x];
  let h = trace_closest(paths[id].origin, paths[id].dir, 0.0, F32_MAX);
  paths[id].hit = vec4f(h.t, h.u, h.v, bitcast<f32>(h.triangle));
}
