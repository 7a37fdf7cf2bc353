// Plain TypeScript implementation of the denoiser network (slow, float32 storage, float64 sums): the reference
// the WGSL kernels are tested against. `storage: 'f16'` rounds weights and every stored tensor to half
// precision at the same points the GPU's f16 mode does, so f16 results can be checked tightly too.
import { fromHalf, toHalf } from '../image/exr-write.ts';
import { denoiseEnsemble, type EnsembleSize } from './dihedral.ts';
import { checkDenoiseImages, type DenoiseImages } from './images.ts';
import { convLayers, paddedSize, type NetworkSpec } from './spec.ts';
import { boundByInput, correctLocalMean, demodFactor, exposureScale, outputToLinear, prepAlbedo, prepColor, prepNormal } from './transform.ts';
import { checkWeights, type LayerWeights, type NetworkWeights } from './weights.ts';

/** Channels-first tensor: data[(c * height + y) * width + x]. */
export interface Tensor {
  channels: number;
  width: number;
  height: number;
  data: Float32Array;
}

export type Storage = 'f32' | 'f16';

export function createTensor(channels: number, width: number, height: number): Tensor {
  return { channels, width, height, data: new Float32Array(channels * width * height) };
}

function roundStorage(t: Tensor, storage: Storage): Tensor {
  if (storage === 'f16') for (let i = 0; i < t.data.length; i++) t.data[i] = fromHalf(toHalf(t.data[i]));
  return t;
}

export { paddedSize };

/** Colour divided by the demodulation factor of its albedo (specs with `demodulate`), interleaved RGB. */
export function demodulated(color: Float32Array, albedo: Float32Array): Float32Array {
  return color.map((v, i) => v / demodFactor(albedo[i]));
}

/** Multiplies linear RGB in place by the demodulation factor of `albedo` (the inverse of `demodulated`). */
export function remodulate(rgb: Float32Array, albedo: Float32Array): Float32Array {
  for (let i = 0; i < rgb.length; i++) rgb[i] *= demodFactor(albedo[i]);
  return rgb;
}

/** The autoexposure scale k of the input images (1 for a spec without `autoexposure`). */
export function inputExposure(spec: NetworkSpec, images: DenoiseImages): number {
  return exposureScale(spec.autoexposure, images.color, images.width, images.height);
}

/**
 * The colour as the network's input transform takes it (interleaved RGB): times the exposure scale `k`, then divided
 * by the albedo's demodulation factor for a spec with `demodulate`; `color` itself when neither applies. The runtime
 * input pass does the same, and training pairs prepare both renders with it.
 */
export function networkColor(spec: Pick<NetworkSpec, 'demodulate'>, color: Float32Array, albedo: Float32Array | undefined, k: number): Float32Array {
  const scaled = k === 1 ? color : color.map((v) => v * k);
  return spec.demodulate ? demodulated(scaled, albedo as Float32Array) : scaled;
}

/**
 * The network input: colour, albedo, normal (as the spec lists them) after their transforms, padded to a
 * multiple of 2^levels by repeating the last column and row. The colour is `networkColor` first: times the image's
 * exposure scale (`exposure`, default `inputExposure`), then demodulated for a spec with `demodulate`.
 */
export function preprocess(spec: NetworkSpec, images: DenoiseImages, storage: Storage = 'f32', exposure?: number): Tensor {
  checkDenoiseImages(spec, images);
  const { width: w, height: h } = images;
  const p = paddedSize(spec, w, h);
  const t = createTensor(spec.inputs.length * 3, p.width, p.height);
  const scale = exposure ?? inputExposure(spec, images);
  spec.inputs.forEach((kind, k) => {
    const src = kind === 'color' ? networkColor(spec, images.color, images.albedo, scale) : (images[kind] as Float32Array);
    const f = kind === 'color' ? prepColor : kind === 'albedo' ? prepAlbedo : prepNormal;
    for (let y = 0; y < p.height; y++) {
      const sy = Math.min(y, h - 1);
      for (let x = 0; x < p.width; x++) {
        const s = (sy * w + Math.min(x, w - 1)) * 3;
        for (let c = 0; c < 3; c++) t.data[((k * 3 + c) * p.height + y) * p.width + x] = f(src[s + c]);
      }
    }
  });
  return roundStorage(t, storage);
}

/** 3x3 convolution with zero padding, bias, then leaky ReLU (max(v, slope v)) when `slope` is given. */
export function conv3x3(input: Tensor, weight: Float32Array, bias: Float32Array, outChannels: number, slope?: number): Tensor {
  const { channels: ci, width: w, height: h } = input;
  if (weight.length !== outChannels * ci * 9) throw new RangeError(`conv3x3: ${weight.length} weights for ${outChannels}x${ci}x3x3`);
  const out = createTensor(outChannels, w, h);
  const acc = new Float64Array(w * h);
  for (let o = 0; o < outChannels; o++) {
    acc.fill(bias[o]);
    for (let i = 0; i < ci; i++) {
      const plane = i * w * h;
      for (let ky = 0; ky < 3; ky++) {
        for (let kx = 0; kx < 3; kx++) {
          const wv = weight[((o * ci + i) * 3 + ky) * 3 + kx];
          if (wv === 0) continue;
          const dy = ky - 1, dx = kx - 1;
          for (let y = Math.max(0, -dy); y < Math.min(h, h - dy); y++) {
            const row = y * w, srow = plane + (y + dy) * w + dx;
            for (let x = Math.max(0, -dx); x < Math.min(w, w - dx); x++) acc[row + x] += wv * input.data[srow + x];
          }
        }
      }
    }
    const dst = out.data.subarray(o * w * h, (o + 1) * w * h);
    for (let j = 0; j < w * h; j++) dst[j] = slope === undefined ? acc[j] : Math.max(acc[j], slope * acc[j]);
  }
  return out;
}

/** 2x2 max-pool, stride 2 (width and height must be even). */
export function maxPool2(input: Tensor): Tensor {
  const { channels, width: w, height: h } = input;
  if (w % 2 || h % 2) throw new RangeError(`maxPool2: size ${w}x${h} is not even`);
  const out = createTensor(channels, w / 2, h / 2);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h / 2; y++) {
      for (let x = 0; x < w / 2; x++) {
        const s = (c * h + 2 * y) * w + 2 * x;
        out.data[(c * (h / 2) + y) * (w / 2) + x] = Math.max(input.data[s], input.data[s + 1], input.data[s + w], input.data[s + w + 1]);
      }
    }
  }
  return out;
}

/** Nearest 2x upsampling of `coarse`, concatenated (its channels first) with `skip`. */
export function upsampleConcat(coarse: Tensor, skip: Tensor): Tensor {
  const { width: w, height: h } = skip;
  if (coarse.width * 2 !== w || coarse.height * 2 !== h) throw new RangeError(`upsampleConcat: ${coarse.width}x${coarse.height} does not upsample to ${w}x${h}`);
  const out = createTensor(coarse.channels + skip.channels, w, h);
  for (let c = 0; c < coarse.channels; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) out.data[(c * h + y) * w + x] = coarse.data[(c * coarse.height + (y >> 1)) * coarse.width + (x >> 1)];
    }
  }
  out.data.set(skip.data, coarse.channels * w * h);
  return out;
}

function roundedWeights(lw: LayerWeights, storage: Storage): LayerWeights {
  if (storage === 'f32') return lw;
  const r = (a: Float32Array) => a.map((v) => fromHalf(toHalf(v)));
  return { weight: r(lw.weight), bias: r(lw.bias) };
}

/** Runs the network on a preprocessed input tensor; returns the raw output tensor (spec.outputChannels). */
export function forward(spec: NetworkSpec, weights: NetworkWeights, input: Tensor, storage: Storage = 'f32'): Tensor {
  checkWeights(spec, weights);
  const skips: Tensor[] = [];
  let x = input;
  for (const layer of convLayers(spec)) {
    if (layer.poolBefore) x = roundStorage(maxPool2(x), storage);
    if (layer.savesSkip) skips[layer.level] = x;
    if (layer.upChannels > 0) x = upsampleConcat(x, skips[layer.level]);
    const lw = roundedWeights(weights[layer.name], storage);
    x = roundStorage(conv3x3(x, lw.weight, lw.bias, layer.outChannels, layer.activation ? spec.leakySlope : undefined), storage);
  }
  return x;
}

/** Crops the network output to width x height and applies the inverse colour transform: linear RGB, interleaved. */
export function linearOutput(output: Tensor, width: number, height: number): Float32Array {
  const rgb = new Float32Array(width * height * 3);
  const plane = output.width * output.height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = outputToLinear(output.data[c * plane + y * output.width + x]);
    }
  }
  return rgb;
}

/**
 * The denoised image from the network output: `linearOutput` at the input's size, divided by the input's exposure
 * scale (`exposure`, default `inputExposure`: pass preprocess's), times the albedo's demodulation factor for a spec
 * with `demodulate`, then the output bound (`boundByInput`: at most the largest input colour value nearby) and the
 * local mean correction (`correctLocalMean`; `meanCorrection` false leaves it out, for a self-ensemble, which
 * corrects the mean of its members' results).
 */
export function postprocess(spec: NetworkSpec, output: Tensor, images: DenoiseImages, exposure?: number, meanCorrection = true): Float32Array {
  const { width, height } = images;
  const rgb = linearOutput(output, width, height);
  const scale = exposure ?? inputExposure(spec, images);
  if (scale !== 1) for (let i = 0; i < rgb.length; i++) rgb[i] /= scale;
  if (spec.demodulate) remodulate(rgb, images.albedo as Float32Array);
  boundByInput(rgb, images.color, width, height);
  return meanCorrection ? correctLocalMean(rgb, images.color, width, height) : rgb;
}

/** The whole denoiser on the CPU: linear HDR RGB of the input's size (`k`: the autoexposure scale; default the input's own). */
export function referenceDenoise(spec: NetworkSpec, weights: NetworkWeights, images: DenoiseImages, storage: Storage = 'f32',
  k: number = inputExposure(spec, images), meanCorrection = true): Float32Array {
  const out = forward(spec, weights, preprocess(spec, images, storage, k), storage);
  return postprocess(spec, out, images, k, meanCorrection);
}

/**
 * The self-ensemble of `size` on the CPU (dihedral.ts): the network composed around each transformed image with the
 * original's exposure scale, the members' mean, then the local mean correction, once (as the runtimes do).
 */
export async function referenceEnsemble(spec: NetworkSpec, weights: NetworkWeights, images: DenoiseImages, size: EnsembleSize): Promise<Float32Array> {
  const k = inputExposure(spec, images);
  const mean = await denoiseEnsemble(images, size, async (view) => referenceDenoise(spec, weights, view, 'f32', k, false));
  return correctLocalMean(mean, images.color, images.width, images.height);
}
