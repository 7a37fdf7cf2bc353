// Column sums of the row sums (local_mean_rows.wgsl): the windows' input and output sums, and the limited ratio
// applied in place to the denoised image's rows band_y0 .. + band_count.
@group(0) @binding(1) var<storage, read> input_rows: array<f32>;
@group(0) @binding(2) var<storage, read> output_rows: array<f32>;
@group(0) @binding(3) var<storage, read_write> rgb: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.band_count) { return; }
  let y = p.band_y0 + id.y;
  let y0 = u32(max(i32(y) - i32(p.radius), 0));
  let y1 = min(y + p.radius, p.height - 1u);
  var si = vec3f(0.0);
  var so = vec3f(0.0);
  for (var yy = y0; yy <= y1; yy++) {
    let b = 3u * ((yy - p.rows_y0) * p.width + id.x);
    si += vec3f(input_rows[b], input_rows[b + 1u], input_rows[b + 2u]);
    so += vec3f(output_rows[b], output_rows[b + 1u], output_rows[b + 2u]);
  }
  let ratio = select(vec3f(1.0), clamp(si / so, vec3f(1.0 / p.limit), vec3f(p.limit)), so > vec3f(0.0));
  let b = p.rgb_band_first + 3u * (id.y * p.width + id.x);
  rgb[b] *= ratio.x;
  rgb[b + 1u] *= ratio.y;
  rgb[b + 2u] *= ratio.z;
}
