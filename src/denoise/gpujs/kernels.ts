// The denoiser's layers as gpu.js kernels: 3x3 conv + bias (+ leaky ReLU), the same conv reading a nearest-2x
// upsampled tensor and a skip tensor (the concatenation fused into the reads, upsampled channels first), and the
// 2x2 max-pool. Semantics are those of src/denoise/reference.ts (zero padding, OIHW weights).
//
// Kernels are given to gpu.js as source text, not as functions: gpu.js parses a kernel's source, and a bundler's
// minifier or TypeScript's emit may rewrite a function's body into forms its parser does not take.
// Tensors are 3D, indexed [channel][y][x]; every kernel's output is [width, height, channels] (thread.x, .y, .z).

/** conv(src, weight, bias): `src` has constants.inChannels channels. */
export const CONV_SOURCE = `function conv(src, weight, bias) {
  const x = this.thread.x;
  const y = this.thread.y;
  const o = this.thread.z;
  const w = this.constants.width;
  const h = this.constants.height;
  const ci = this.constants.inChannels;
  let sum = bias[o];
  for (let c = 0; c < ci; c++) {
    for (let ky = 0; ky < 3; ky++) {
      const sy = y + ky - 1;
      if (sy >= 0 && sy < h) {
        for (let kx = 0; kx < 3; kx++) {
          const sx = x + kx - 1;
          if (sx >= 0 && sx < w) {
            sum += weight[((o * ci + c) * 3 + ky) * 3 + kx] * src[c][sy][sx];
          }
        }
      }
    }
  }
  if (this.constants.activation > 0) {
    return Math.max(sum, sum * this.constants.slope);
  }
  return sum;
}`;

/**
 * convConcat(up, skip, weight, bias): the conv of concat(upsample2x(up), skip). `up` (constants.upChannels) is
 * at half the output size; `skip` (constants.skipChannels) at the output size. Always followed by leaky ReLU.
 */
export const CONV_CONCAT_SOURCE = `function convConcat(up, skip, weight, bias) {
  const x = this.thread.x;
  const y = this.thread.y;
  const o = this.thread.z;
  const w = this.constants.width;
  const h = this.constants.height;
  const cu = this.constants.upChannels;
  const cs = this.constants.skipChannels;
  const ci = cu + cs;
  let sum = bias[o];
  for (let c = 0; c < cu; c++) {
    for (let ky = 0; ky < 3; ky++) {
      const sy = y + ky - 1;
      if (sy >= 0 && sy < h) {
        for (let kx = 0; kx < 3; kx++) {
          const sx = x + kx - 1;
          if (sx >= 0 && sx < w) {
            sum += weight[((o * ci + c) * 3 + ky) * 3 + kx] * up[c][Math.floor(sy / 2)][Math.floor(sx / 2)];
          }
        }
      }
    }
  }
  for (let c = 0; c < cs; c++) {
    for (let ky = 0; ky < 3; ky++) {
      const sy = y + ky - 1;
      if (sy >= 0 && sy < h) {
        for (let kx = 0; kx < 3; kx++) {
          const sx = x + kx - 1;
          if (sx >= 0 && sx < w) {
            sum += weight[((o * ci + cu + c) * 3 + ky) * 3 + kx] * skip[c][sy][sx];
          }
        }
      }
    }
  }
  return Math.max(sum, sum * this.constants.slope);
}`;

/** pool(src): 2x2 max-pool, stride 2; the output is half the input's size. */
export const POOL_SOURCE = `function pool(src) {
  const x = this.thread.x * 2;
  const y = this.thread.y * 2;
  const c = this.thread.z;
  return Math.max(Math.max(src[c][y][x], src[c][y][x + 1]), Math.max(src[c][y + 1][x], src[c][y + 1][x + 1]));
}`;
