// Row sums of the local mean correction's windows (local_mean_common.wgsl): of the clean input colour and of the
// denoised image, each pixel's [x - radius, x + radius] clipped to the row, for rows rows_y0 .. + rows_count.
@group(0) @binding(1) var<storage, read> source: array<f32>;
@group(0) @binding(2) var<storage, read> rgb: array<f32>;
@group(0) @binding(3) var<storage, read_write> input_rows: array<f32>;
@group(0) @binding(4) var<storage, read_write> output_rows: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.rows_count) { return; }
  let x0 = u32(max(i32(id.x) - i32(p.radius), 0));
  let x1 = min(id.x + p.radius, p.width - 1u);
  var si = vec3f(0.0);
  var so = vec3f(0.0);
  for (var x = x0; x <= x1; x++) {
    let q = id.y * p.width + x;
    let a = p.source_first + q * p.source_stride;
    si += clean_radiance(vec3f(source[a], source[a + 1u], source[a + 2u]) * p.source_scale);
    let o = p.rgb_rows_first + 3u * q;
    so += vec3f(rgb[o], rgb[o + 1u], rgb[o + 2u]);
  }
  let b = 3u * (id.y * p.width + id.x);
  input_rows[b] = si.x;
  input_rows[b + 1u] = si.y;
  input_rows[b + 2u] = si.z;
  output_rows[b] = so.x;
  output_rows[b + 1u] = so.y;
  output_rows[b + 2u] = so.z;
}
