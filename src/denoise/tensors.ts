// Tensors on the GPU: 2D-array textures of 4 channels per layer with a one-texel zero border (so 3x3 halo reads
// and upsampled reads of the coarser level need no bounds checks). Textures rather than storage buffers because
// (a) the largest tensors (64 channels at 1080p: 0.5 GiB in f32) exceed the 128 MiB storage-binding limit of some
// adapters, and (b) on CPU adapters a texel fetch brings 4 channels for the price of one gather.
import store16 from '../../shaders/nn/store_rgba16float.wgsl?raw';
import store32 from '../../shaders/nn/store_rgba32float.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';

export type TensorFormat = 'rgba32float' | 'rgba16float';

/** WGSL declaring binding 0 (`dst`) as a write-only storage texture array of `format`. */
export function storeModule(format: TensorFormat): string {
  return format === 'rgba32float' ? store32 : store16;
}

export interface TensorTexture {
  texture: GPUTexture;
  /** 2d-array views for reading (texture_2d_array<f32>) and writing (texture_storage_2d_array). */
  view: GPUTextureView;
  /** Pixel size (the texture is 2 texels larger for the border). */
  width: number;
  height: number;
  layers: number;
}

export function createTensorTexture(
  gpu: GpuContext, label: string, width: number, height: number, layers: number, format: TensorFormat,
): TensorTexture {
  const texture = gpu.device.createTexture({
    label,
    size: [width + 2, height + 2, layers],
    format,
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.COPY_SRC,
  });
  const view = texture.createView({ label: `${label} view`, dimension: '2d-array' });
  return { texture, view, width, height, layers };
}

/** Bytes per texel of a tensor format. */
export function texelBytes(format: TensorFormat): number {
  return format === 'rgba32float' ? 16 : 8;
}
