// Pass 1 of the film's autoexposure (exposure_common.wgsl): one 16x16 workgroup per bin sums its pixels'
// luminance (cleanRadiance of the film's mean colour) in a fixed tree order and stores log2 of the mean.
@group(0) @binding(2) var<storage, read> film: array<vec4f>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let origin = wg.xy * EXPOSURE_BIN;
  let q = origin + lid.xy;
  var l = 0.0;
  if (q.x < ep.width && q.y < ep.height) {
    l = dot(clean_radiance(film[q.y * ep.width + q.x].xyz * ep.inv_spp), LUMINANCE);
  }
  partial[li] = vec2f(l, 0.0);
  sum_partials(li);
  if (li == 0u) {
    let size = min(origin + EXPOSURE_BIN, vec2u(ep.width, ep.height)) - origin;
    let mean = partial[0].x / f32(size.x * size.y);
    bin_logs[wg.y * ep.bins_x + wg.x] = select(vec2f(0.0), vec2f(log2(mean), 1.0), mean > EXPOSURE_EPSILON);
  }
}
