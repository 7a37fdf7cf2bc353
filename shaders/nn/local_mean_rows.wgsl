// Row sums of the local mean correction's windows (local_mean_common.wgsl): of the clean input colour, of the
// denoised image and of their squared difference, each pixel's [x - radius, x + radius] clipped to the row, for
// rows rows_y0 .. + rows_count.
// Each invocation sums LOCAL_MEAN_RUN neighbouring pixels' windows, sharing the part they have in common (sums of
// non-negative values, no subtraction; radius >= (LOCAL_MEAN_RUN - 1) / 2 so the shared part and the rest meet).
@group(0) @binding(1) var<storage, read> source: array<f32>;
@group(0) @binding(2) var<storage, read> rgb: array<f32>;
@group(0) @binding(3) var<storage, read_write> input_rows: array<f32>;
@group(0) @binding(4) var<storage, read_write> output_rows: array<f32>;
@group(0) @binding(5) var<storage, read_write> residual_rows: array<f32>;

// input, output and (input - output)^2 at pixel x of local row `row`, 0 outside the image
fn row_values(row: u32, x: i32) -> array<vec3f, 3> {
  if (x < 0 || x >= i32(p.width)) { return array<vec3f, 3>(vec3f(0.0), vec3f(0.0), vec3f(0.0)); }
  let q = row * p.width + u32(x);
  let a = p.source_first + q * p.source_stride;
  let o = p.rgb_rows_first + 3u * q;
  let i = clean_radiance(vec3f(source[a], source[a + 1u], source[a + 2u]) * p.source_scale);
  let v = vec3f(rgb[o], rgb[o + 1u], rgb[o + 2u]);
  return array<vec3f, 3>(i, v, (i - v) * (i - v));
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let x0 = id.x * LOCAL_MEAN_RUN;
  if (x0 >= p.width || id.y >= p.rows_count) { return; }
  let r = i32(p.radius);
  let xi = i32(x0);
  let run = i32(LOCAL_MEAN_RUN);
  // the part of the windows every pixel of the run shares: [x0 + run - 1 - r, x0 + r]
  var mi = vec3f(0.0);
  var mo = vec3f(0.0);
  var ms = vec3f(0.0);
  for (var x = xi + run - 1 - r; x <= xi + r; x++) {
    let v = row_values(id.y, x);
    mi += v[0];
    mo += v[1];
    ms += v[2];
  }
  for (var j = 0; j < run && x0 + u32(j) < p.width; j++) {
    var si = mi;
    var so = mo;
    var ss = ms;
    for (var x = xi + j - r; x <= xi + run - 2 - r; x++) { // left of the shared part
      let v = row_values(id.y, x);
      si += v[0];
      so += v[1];
      ss += v[2];
    }
    for (var x = xi + r + 1; x <= xi + r + j; x++) { // right of it
      let v = row_values(id.y, x);
      si += v[0];
      so += v[1];
      ss += v[2];
    }
    let b = 3u * (id.y * p.width + x0 + u32(j));
    input_rows[b] = si.x;
    input_rows[b + 1u] = si.y;
    input_rows[b + 2u] = si.z;
    output_rows[b] = so.x;
    output_rows[b + 1u] = so.y;
    output_rows[b + 2u] = so.z;
    residual_rows[b] = ss.x;
    residual_rows[b + 1u] = ss.y;
    residual_rows[b + 2u] = ss.z;
  }
}
