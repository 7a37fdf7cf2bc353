// Wavefront kernel 1: camera rays for every path of the wave; queues them all for the first extend.
// Needs: common, params, path, wavefront/state. Runs with the bind group whose queue_out is the first queue_in.

@compute @workgroup_size(WF_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= wave.path_count) { return; }
  let pixel = wave.pixel_base + i % wave.pixel_count;
  let sample = wave.sample_base + i / wave.pixel_count;
  // Same seeding and draw order as the megakernel, so equal seeds give the same paths.
  rng_seed(pixel, sample, params.seed);
  let px = vec2u(pixel % params.width, pixel / params.width);
  let jitter = pixel_jitter(pixel, sample);
  let lens_u = rand2();
  let ray = camera_ray(px, jitter, lens_u);
  var st: PathState;
  st.origin = ray.origin;
  st.pixel = pixel;
  st.dir = ray.dir;
  st.depth = 0u;
  st.beta = vec3f(1.0);
  st.prev_pdf = 0.0;
  st.radiance = vec3f(0.0);
  st.rng = rng_state;
  st.albedo = vec3f(1.0); // the open AOV chain's tint
  st.flags = PATH_SPECULAR | PATH_AOV_OPEN;
  st.normal = vec3f(0.0);
  st.z = 0.0;
  st.hit = vec4f(F32_MAX, 0.0, 0.0, 0.0);
  paths[i] = st;
  queue_out[i] = i;
}
