// Input channel i of a conv at pixel (x, y) of batch image b, zero outside the image (the 3x3 conv's padding):
// channels below c_up come from the coarser level's output `up`, upsampled (nearest); the rest from `src`.
// For kernels that bind `up` and `src` (conv_fwd.wgsl, conv_bwd_weight.wgsl).
fn input_at(b: u32, i: u32, x: i32, y: i32) -> f32 {
  if (x < 0 || y < 0 || x >= i32(p.width) || y >= i32(p.height)) { return 0.0; }
  if (i < p.c_up) {
    let cw = p.width / 2u;
    return up[((b * p.c_up + i) * (p.height / 2u) + u32(y) / 2u) * cw + u32(x) / 2u];
  }
  return src[((b * p.c_main + i - p.c_up) * p.height + u32(y)) * p.width + u32(x)];
}
