// Wavefront kernel 4: traces the shadow rays of next-event estimation; unblocked ones add their contribution.
// Each path queues at most one shadow ray per bounce, so the radiance update needs no atomics.
// Needs: common, structs, params, scene_bindings, bvh, wavefront/state.

@compute @workgroup_size(WF_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= counters.shadow_n) { return; }
  let s = shadow_rays[gid.x];
  if (!trace_any(s.origin, s.dir, 0.0, s.tmax)) {
    paths[s.path].radiance += s.contrib;
  }
}
