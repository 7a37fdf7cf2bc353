// Shared by the training conv kernels: tensors are channels-first float32 storage buffers, one per batch:
// t[((b * C + c) * H + y) * W + x]. A decoder conv reads `c_up` channels from the coarser level's output
// (nearest 2x upsampling: index (x >> 1, y >> 1) of a W/2 x H/2 tensor) and then `c_main` channels at this
// level; other convs have c_up = 0. Weights are [out][in][3][3] at w_off in the flat parameter buffer.

struct ConvP {
  width: u32,        // this conv's resolution
  height: u32,
  batch: u32,
  c_up: u32,
  c_main: u32,
  c_out: u32,
  w_off: u32,
  b_off: u32,
  slope: f32,        // leaky ReLU slope
  act: u32,          // 1: leaky ReLU after the conv
  chunk: u32,        // weight gradients: column strips of R pixels (over the whole batch) per partial sum
  mode: u32,         // data gradients: 0 = the main input, 1 = the upsampled input
}

/** Output channels per invocation in the forward and data-gradient kernels. */
const OB = 8u;
/** Rows per invocation (a column strip) in the forward and data-gradient kernels. */
const R = 8u;
/** A strip's 3 x (R + 2) input window. */
const WIN = 3u * (R + 2u);

fn cin() -> u32 { return p.c_up + p.c_main; }

fn weight_index(o: u32, i: u32, t: u32) -> u32 {
  return p.w_off + (o * cin() + i) * 9u + t;
}
