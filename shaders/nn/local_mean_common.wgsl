// The local mean correction (src/denoise/transform.ts correctLocalMean, its CPU twin): each value of the denoised
// image is multiplied by the ratio of its channel's input mean to its output mean over the window of `radius`
// pixels around it clipped to the image, the ratio limited to [1 / limit, limit] (1 where the output's window sums
// to 0). Two passes: window sums along rows (local_mean_rows.wgsl), then along columns and the ratio
// (local_mean_apply.wgsl). Runs once over the whole image after every tile (and every member of a self-ensemble).
struct LocalMeanParams {
  width: u32,
  height: u32,
  radius: u32,
  source_stride: u32, // floats per source pixel (4: film vec4f, 3: uploaded RGB)
  color_base: u32,    // float index of source pixel 0's colour
  source_scale: f32,  // 1 / spp for the film's sums, 1 for images
  limit: f32,
  _pad: u32,
}
@group(0) @binding(0) var<uniform> p: LocalMeanParams;
