// Column sums of the row sums (local_mean_rows.wgsl): the windows' input, output and squared residual sums, and
// the factor (local_mean_common.wgsl) applied in place to the denoised image's rows band_y0 .. + band_count. Each
// invocation takes LOCAL_MEAN_RUN rows of one column, sharing the part of their windows they have in common, as
// the rows pass does.
@group(0) @binding(1) var<storage, read> input_rows: array<f32>;
@group(0) @binding(2) var<storage, read> output_rows: array<f32>;
@group(0) @binding(3) var<storage, read> residual_rows: array<f32>;
@group(0) @binding(4) var<storage, read_write> rgb: array<f32>;

// the row sums of image row y at column x, 0 outside the image
fn column_values(y: i32, x: u32) -> array<vec3f, 3> {
  if (y < 0 || y >= i32(p.height)) { return array<vec3f, 3>(vec3f(0.0), vec3f(0.0), vec3f(0.0)); }
  let b = 3u * ((u32(y) - p.rows_y0) * p.width + x);
  return array<vec3f, 3>(
    vec3f(input_rows[b], input_rows[b + 1u], input_rows[b + 2u]),
    vec3f(output_rows[b], output_rows[b + 1u], output_rows[b + 2u]),
    vec3f(residual_rows[b], residual_rows[b + 1u], residual_rows[b + 2u]),
  );
}

// the factor for window sums si (input), so (output), ss (squared residual): transform.ts localMeanFactor
fn local_mean_factor(si: vec3f, so: vec3f, ss: vec3f) -> vec3f {
  let d = si - so;
  let d2 = d * d;
  let q = 1.0 + (d / so) * max(vec3f(0.0), 1.0 - p.shrinkage * ss / d2);
  return select(vec3f(1.0), clamp(q, vec3f(1.0 / p.limit), vec3f(p.limit)), (so > vec3f(0.0)) & (d2 > vec3f(0.0)));
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let k0 = id.y * LOCAL_MEAN_RUN; // first row of the run, within the band
  if (id.x >= p.width || k0 >= p.band_count) { return; }
  let r = i32(p.radius);
  let yi = i32(p.band_y0 + k0);
  let run = i32(LOCAL_MEAN_RUN);
  var mi = vec3f(0.0);
  var mo = vec3f(0.0);
  var ms = vec3f(0.0);
  for (var y = yi + run - 1 - r; y <= yi + r; y++) {
    let v = column_values(y, id.x);
    mi += v[0];
    mo += v[1];
    ms += v[2];
  }
  for (var j = 0; j < run && k0 + u32(j) < p.band_count; j++) {
    var si = mi;
    var so = mo;
    var ss = ms;
    for (var y = yi + j - r; y <= yi + run - 2 - r; y++) {
      let v = column_values(y, id.x);
      si += v[0];
      so += v[1];
      ss += v[2];
    }
    for (var y = yi + r + 1; y <= yi + r + j; y++) {
      let v = column_values(y, id.x);
      si += v[0];
      so += v[1];
      ss += v[2];
    }
    let ratio = local_mean_factor(si, so, ss);
    let b = p.rgb_band_first + 3u * ((k0 + u32(j)) * p.width + id.x);
    rgb[b] *= ratio.x;
    rgb[b + 1u] *= ratio.y;
    rgb[b + 2u] *= ratio.z;
  }
}
