// Shared by the conv kernels (conv3x3.wgsl for CPU adapters, conv3x3_tiles.wgsl for GPUs): the conv's
// parameters and bindings, and how weights and inputs are read. Tensors are texture arrays (4 channels per layer,
// a one-texel zero border so that the halo reads need no bounds checks). Weights are one texture, per 16-channel
// block of output channels: 4 bias texels, then per input layer GROUP_TEXELS texels ordered
// [input channel (4)][tap (9)][4 output channels (4 texels)] (src/denoise/conv.ts packWeights).

struct ConvParams {
  width: u32,      // output size at this level (pixels)
  height: u32,
  groups: u32,     // input layers (4 channels each) read
  up_groups: u32,  // the first up_groups of them come from `src_up`, upsampled
  in_layer: u32,   // first layer read from `src`
  out_layer: u32,  // first output layer in `dst`
  out_layers: u32, // output layers that exist (the last 16-channel block may be partial)
  w_base: u32,     // first weight texel of this layer in `wtex`
  slope: f32,      // leaky ReLU slope (1 = linear)
  up_layer: u32,   // first layer read from `src_up`
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(1) var src: texture_2d_array<f32>;
@group(0) @binding(2) var wtex: texture_2d<f32>;
@group(0) @binding(3) var<uniform> p: ConvParams;
@group(0) @binding(4) var src_up: texture_2d_array<f32>;

const WTEX_WIDTH = 1024u;
/** Texels per (16-channel block, input layer): 4 channels x 9 taps x 4 texels of 4 output channels. */
const GROUP_TEXELS = 144u;

fn fetch_w(i: u32) -> vec4f {
  return textureLoad(wtex, vec2u(i % WTEX_WIDTH, i / WTEX_WIDTH), 0);
}

/** Input layer g at pixel (x, y) of this level (+1: the border; >> 1: the coarser level's pixel). */
fn fetch_in(g: u32, x: i32, y: i32) -> vec4f {
  if (g < p.up_groups) { return textureLoad(src_up, vec2i((x >> 1) + 1, (y >> 1) + 1), p.up_layer + g, 0); }
  return textureLoad(src, vec2i(x + 1, y + 1), p.in_layer + g - p.up_groups, 0);
}
