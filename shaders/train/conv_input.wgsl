// Conv inputs for kernels that bind `up` and `src` (conv_fwd.wgsl, conv_bwd_weight.wgsl): input channel i of a
// conv is zero outside the image (the 3x3 conv's padding); channels below c_up come from the coarser level's
// output `up`, upsampled (nearest), the rest from `src`.

/**
 * The 3 x (R + 2) window [row * 3 + column] of input channel i around the column strip at x, rows y0 .. y0 + R - 1
 * (zero outside the image). An upsampled channel's window repeats 2 coarse columns x (R / 2 + 2) coarse rows
 * (y0 is even), so those are read once each and spread.
 */
fn load_window(win: ptr<function, array<f32, WIN>>, b: u32, i: u32, x: i32, y0: i32) {
  let w = i32(p.width);
  let h = i32(p.height);
  if (i >= p.c_up) {
    let base = (b * p.c_main + i - p.c_up) * p.height;
    for (var q = 0u; q < WIN; q++) {
      let xx = x + i32(q % 3u) - 1;
      let yy = y0 + i32(q / 3u) - 1;
      let inside = xx >= 0 && yy >= 0 && xx < w && yy < h;
      (*win)[q] = select(0.0, src[(base + u32(clamp(yy, 0, h - 1))) * p.width + u32(clamp(xx, 0, w - 1))], inside);
    }
    return;
  }
  let cw = w / 2;
  let ch = h / 2;
  let cx0 = (x - 1) >> 1u;
  let cy0 = (y0 - 1) >> 1u;
  let base = (b * p.c_up + i) * u32(ch);
  var coarse: array<f32, 2u * (R / 2u + 2u)>; // [row * 2 + column]: coarse rows cy0 .., columns cx0, cx0 + 1
  for (var q = 0u; q < 2u * (R / 2u + 2u); q++) {
    let cx = cx0 + i32(q % 2u);
    let cy = cy0 + i32(q / 2u);
    let inside = cx >= 0 && cy >= 0 && cx < cw && cy < ch;
    coarse[q] = select(0.0, up[(base + u32(clamp(cy, 0, ch - 1))) * u32(cw) + u32(clamp(cx, 0, cw - 1))], inside);
  }
  for (var q = 0u; q < WIN; q++) {
    let xx = x + i32(q % 3u) - 1;
    let yy = y0 + i32(q / 3u) - 1;
    let inside = xx >= 0 && yy >= 0 && xx < w && yy < h;
    (*win)[q] = select(0.0, coarse[u32(max(((yy >> 1u) - cy0) * 2 + (xx >> 1u) - cx0, 0))], inside);
  }
}
