// Column sums of the row sums (local_mean_rows.wgsl): the windows' input and output sums, and the limited ratio
// applied to the denoised image in place.
@group(0) @binding(1) var<storage, read> input_rows: array<f32>;
@group(0) @binding(2) var<storage, read> output_rows: array<f32>;
@group(0) @binding(3) var<storage, read_write> rgb: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height) { return; }
  let y0 = u32(max(i32(id.y) - i32(p.radius), 0));
  let y1 = min(id.y + p.radius, p.height - 1u);
  var si = vec3f(0.0);
  var so = vec3f(0.0);
  for (var y = y0; y <= y1; y++) {
    let b = 3u * (y * p.width + id.x);
    si += vec3f(input_rows[b], input_rows[b + 1u], input_rows[b + 2u]);
    so += vec3f(output_rows[b], output_rows[b + 1u], output_rows[b + 2u]);
  }
  let ratio = select(vec3f(1.0), clamp(si / so, vec3f(1.0 / p.limit), vec3f(p.limit)), so > vec3f(0.0));
  let b = 3u * (id.y * p.width + id.x);
  rgb[b] *= ratio.x;
  rgb[b + 1u] *= ratio.y;
  rgb[b + 2u] *= ratio.z;
}
