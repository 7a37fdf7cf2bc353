// The local mean correction (src/denoise/transform.ts correctLocalMean and localMeanFactor, its CPU twins): each
// value of the denoised image is multiplied by the ratio q of its channel's input mean to its output mean over the
// window of `radius` pixels around it clipped to the image, shrunk towards 1 by the input's noise in that window:
// q' = 1 + (q - 1) max(0, 1 - shrinkage s / d^2), d the input sum less the output sum, s the sum of the squared
// differences (input - output)^2, then limited to [1 / limit, limit] (1 where the output's window sums to 0 or d
// is 0). Two passes: window sums along rows (local_mean_rows.wgsl), then along columns and the factor
// (local_mean_apply.wgsl). Runs once over the whole image after every tile (and every member of a self-ensemble),
// in bands of rows where the image is larger than one storage binding: the band's rows pass covers its rows and
// `radius` more on each side (rows_y0, rows_count), its apply pass corrects the band (band_y0, band_count). Each
// buffer is bound from an offset aligned down to the adapter's alignment; the *_first fields are the float index,
// in the bound range, of the first row the pass reads or writes.
struct LocalMeanParams {
  width: u32,
  height: u32,
  radius: u32,
  source_stride: u32,  // floats per source pixel (4: film vec4f, 3: uploaded RGB)
  source_first: u32,   // float index of row rows_y0's pixel 0 colour in the bound source
  rgb_rows_first: u32, // float index of row rows_y0's pixel 0 in the rgb range the rows pass binds
  rgb_band_first: u32, // float index of row band_y0's pixel 0 in the rgb range the apply pass binds
  rows_y0: u32,        // first image row of the row sums
  rows_count: u32,
  band_y0: u32,        // first image row corrected
  band_count: u32,
  source_scale: f32,   // 1 / spp for the film's sums, 1 for images
  limit: f32,
  shrinkage: f32,
  _pad1: u32,
  _pad2: u32,
}
@group(0) @binding(0) var<uniform> p: LocalMeanParams;
// pixels (rows pass) or rows (apply pass) per invocation: io-passes.ts LOCAL_MEAN_RUN, the dispatch's divisor
const LOCAL_MEAN_RUN: u32 = 4u;
