// Wavefront kernel 5: adds the wave's finished paths to the film, one invocation per pixel, samples in order
// (so a pixel's sums do not depend on how samples were split into waves).
// Needs: common, params, wavefront/state.

@compute @workgroup_size(WF_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= wave.pixel_count) { return; }
  let pixel = wave.pixel_base + gid.x;
  let plane = params.width * params.height;
  var sum = film[pixel];
  var sum_sq = film[plane + pixel];
  var albedo = film[2u * plane + pixel];
  var normal_depth = film[3u * plane + pixel];
  for (var s = 0u; s < wave.samples; s++) {
    let st = paths[s * wave.pixel_count + gid.x];
    var l = st.radiance;
    // As in the megakernel: a NaN/Inf sample counts as zero; optional clamp.
    if (any(l != l) || any(abs(l) > vec3f(F32_MAX))) { l = vec3f(0.0); }
    if (params.clamp_max > 0.0) { l = min(l, vec3f(params.clamp_max)); }
    sum += vec4f(l, 1.0);
    sum_sq += vec4f(l * l, 0.0);
    albedo += vec4f(clamp(st.albedo, vec3f(0.0), vec3f(1.0)), 0.0); // an open chain's tint (closed: already clamped)
    normal_depth += vec4f(st.normal, st.z);
  }
  film[pixel] = sum;
  film[plane + pixel] = sum_sq;
  film[2u * plane + pixel] = albedo;
  film[3u * plane + pixel] = normal_depth;
}
