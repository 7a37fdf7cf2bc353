// Owner of shaders/nn/transform.wgsl, input_common.wgsl, input_frame.wgsl, input_image.wgsl, output.wgsl,
// exposure_*.wgsl and local_mean_*.wgsl: the passes that turn a film buffer or plain images into the network input
// tensor, the network output into linear HDR RGB, the film's autoexposure scale that both read, and the local mean
// correction of the whole result.
import exposureBinsWgsl from '../../shaders/nn/exposure_bins.wgsl?raw';
import exposureCommonWgsl from '../../shaders/nn/exposure_common.wgsl?raw';
import exposureFinishWgsl from '../../shaders/nn/exposure_finish.wgsl?raw';
import inputCommon from '../../shaders/nn/input_common.wgsl?raw';
import inputFrame from '../../shaders/nn/input_frame.wgsl?raw';
import inputImage from '../../shaders/nn/input_image.wgsl?raw';
import localMeanApply from '../../shaders/nn/local_mean_apply.wgsl?raw';
import localMeanCommon from '../../shaders/nn/local_mean_common.wgsl?raw';
import localMeanRows from '../../shaders/nn/local_mean_rows.wgsl?raw';
import outputPass from '../../shaders/nn/output.wgsl?raw';
import transform from '../../shaders/nn/transform.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { DenoiseInputError } from './images.ts';
import type { InputKind, NetworkSpec } from './spec.ts';
import { EXPOSURE_BIN, LOCAL_MEAN_SHRINKAGE, LOCAL_MEAN_LIMIT, LOCAL_MEAN_RADIUS } from './transform.ts';
import { storeModule, type TensorFormat } from './tensors.ts';

/**
 * Byte layout of InputParams (input_common.wgsl): 4 u32, vec4u order, out_layer, out_layers, inv_spp, demodulate,
 * origin, src_size, symmetry (+ padding).
 */
export const INPUT_PARAMS_BYTES = 80;
/**
 * Byte layout of OutputParams (output.wgsl): width, height, layer, dst_stride, src_origin, dst_offset, demodulate,
 * source_origin, source_size, color_base, albedo_base, source_stride, source_scale, region_size, symmetry, accumulate,
 * weight (+ padding).
 */
export const OUTPUT_PARAMS_BYTES = 96;

const KIND_CODE: Record<InputKind, number> = { color: 0, albedo: 1, normal: 2 };

export interface InputDispatch {
  /** The region denoised: its origin in the source and size. */
  x: number;
  y: number;
  width: number;
  height: number;
  sourceWidth: number;
  sourceHeight: number;
  paddedWidth: number;
  paddedHeight: number;
  outLayer: number;
  /** Film path only: samples per pixel. */
  spp: number;
  /** The symmetry the network sees the region under (dihedral.ts); default 0, none. */
  symmetry?: number;
}

export function inputLayers(spec: NetworkSpec): number {
  return Math.ceil((spec.inputs.length * 3) / 4);
}

export function writeInputParams(view: DataView, offset: number, spec: NetworkSpec, d: InputDispatch): void {
  [d.width, d.height, d.paddedWidth, d.paddedHeight].forEach((v, i) => view.setUint32(offset + 4 * i, v, true));
  for (let k = 0; k < 4; k++) view.setUint32(offset + 16 + 4 * k, k < spec.inputs.length ? KIND_CODE[spec.inputs[k]] : 3, true);
  view.setUint32(offset + 32, d.outLayer, true);
  view.setUint32(offset + 36, inputLayers(spec), true);
  view.setFloat32(offset + 40, d.spp > 0 ? 1 / d.spp : 0, true);
  view.setUint32(offset + 44, spec.demodulate ? 1 : 0, true);
  [d.x, d.y, d.sourceWidth, d.sourceHeight].forEach((v, i) => view.setUint32(offset + 48 + 4 * i, v, true));
  view.setUint32(offset + 64, d.symmetry ?? 0, true);
}

export interface OutputDispatch {
  width: number;
  height: number;
  layer: number;
  /** Output image width (pixels per row). */
  stride: number;
  /** Top-left of the region in the network output. */
  srcX: number;
  srcY: number;
  /** Float index of the region's first value in the bound range of the output buffer. */
  dstOffset: number;
  /** Multiply by the albedo's demodulation factor (specs with `demodulate`). */
  demodulate: boolean;
  /** Where the input pass's source (bound as floats) holds the region's colour and albedo. */
  source: {
    /** The region's top-left pixel in the source, and the source's size in pixels. */
    x: number;
    y: number;
    width: number;
    height: number;
    /** Float index of source pixel 0's colour and albedo (albedo: read only with `demodulate`). */
    colorBase: number;
    albedoBase: number;
    /** Floats per pixel, and the factor that turns stored values into colour and albedo. */
    stride: number;
    scale: number;
  };
  /**
   * Self-ensembles (dihedral.ts): the network's region before its symmetry (the tile's rectangle), the symmetry,
   * and whether this pass adds `weight` times its result to the buffer rather than writing it. Default: the plain
   * pass (no symmetry, weight 1, written).
   */
  ensemble?: { regionWidth: number; regionHeight: number; symmetry: number; accumulate: boolean; weight: number };
}

export function writeOutputParams(view: DataView, offset: number, d: OutputDispatch): void {
  const s = d.source;
  [d.width, d.height, d.layer, d.stride, d.srcX, d.srcY, d.dstOffset, d.demodulate ? 1 : 0,
    s.x, s.y, s.width, s.height, s.colorBase, s.albedoBase, s.stride].forEach((v, i) => view.setUint32(offset + 4 * i, v, true));
  view.setFloat32(offset + 60, s.scale, true);
  const e = d.ensemble ?? { regionWidth: 0, regionHeight: 0, symmetry: 0, accumulate: false, weight: 1 };
  [e.regionWidth, e.regionHeight, e.symmetry, e.accumulate ? 1 : 0].forEach((v, i) => view.setUint32(offset + 64 + 4 * i, v, true));
  view.setFloat32(offset + 80, e.weight, true);
}

/** Byte layout of ExposureParams (exposure_common.wgsl): width, height, bins_x, bins, inv_spp, key (+ padding). */
export const EXPOSURE_PARAMS_BYTES = 32;

/** Bins across and in all of a width x height film (exposure_bins.wgsl dispatches one workgroup per bin). */
export function exposureBins(width: number, height: number): { x: number; y: number; count: number } {
  const x = Math.ceil(width / EXPOSURE_BIN);
  const y = Math.ceil(height / EXPOSURE_BIN);
  return { x, y, count: x * y };
}

export function writeExposureParams(view: DataView, offset: number, d: { width: number; height: number; spp: number; key: number }): void {
  const b = exposureBins(d.width, d.height);
  [d.width, d.height, b.x, b.count].forEach((v, i) => view.setUint32(offset + 4 * i, v, true));
  view.setFloat32(offset + 16, 1 / d.spp, true);
  view.setFloat32(offset + 20, d.key, true);
}

/**
 * Byte layout of LocalMeanParams (local_mean_common.wgsl): width, height, radius, source_stride, source_first,
 * rgb_rows_first, rgb_band_first, rows_y0, rows_count, band_y0, band_count, source_scale, limit, shrinkage (+ padding).
 */
export const LOCAL_MEAN_PARAMS_BYTES = 64;

/**
 * Pixels (rows pass) or rows (apply pass) per invocation of the local mean correction (LOCAL_MEAN_RUN in
 * local_mean_common.wgsl): the run's windows share all but LOCAL_MEAN_RUN - 1 of their values on each side, which
 * needs LOCAL_MEAN_RADIUS >= (LOCAL_MEAN_RUN - 1) / 2.
 */
export const LOCAL_MEAN_RUN = 4;
if (2 * LOCAL_MEAN_RADIUS < LOCAL_MEAN_RUN - 1) throw new Error('LOCAL_MEAN_RADIUS too small for LOCAL_MEAN_RUN');

/** Where the local mean correction reads the input colour: float index of pixel 0, floats per pixel, scale. */
export interface ColorSource {
  colorBase: number;
  stride: number;
  scale: number;
}

/** One band of the local mean correction: the rows it corrects and the rows whose row sums their windows read. */
export interface LocalMeanBand {
  rowsY0: number;
  rowsCount: number;
  bandY0: number;
  bandCount: number;
}

/**
 * Rows per band of the local mean correction for a width-pixel-wide image whose colour source has `stride` floats
 * per pixel: the whole height if it fits one storage binding of `bindable` bytes bound from an offset aligned to
 * `align`, else the most rows whose band plus LOCAL_MEAN_RADIUS rows on each side fit (0 if none does).
 */
export function localMeanBandRows(width: number, height: number, stride: number, bindable: number, align: number): number {
  const rowBytes = width * 4 * Math.max(3, stride);
  if (height * rowBytes + align <= bindable) return height;
  return Math.max(0, Math.floor((bindable - align) / rowBytes) - 2 * LOCAL_MEAN_RADIUS);
}

/**
 * The bands of `rows` rows (the last one shorter) covering a height-row image, each with the rows within
 * LOCAL_MEAN_RADIUS of it. Bands are corrected in order with the next band's row sums taken first, so with
 * rows >= LOCAL_MEAN_RADIUS every row sum reads the uncorrected output (IoKernels.submitLocalMean).
 */
export function localMeanBands(height: number, rows: number): LocalMeanBand[] {
  const bands: LocalMeanBand[] = [];
  for (let y = 0; y < height; y += rows) {
    const bandCount = Math.min(rows, height - y);
    const rowsY0 = Math.max(0, y - LOCAL_MEAN_RADIUS);
    bands.push({ rowsY0, rowsCount: Math.min(height, y + bandCount + LOCAL_MEAN_RADIUS) - rowsY0, bandY0: y, bandCount });
  }
  return bands;
}

/** A binding of `floats` floats from float index `first`: its byte offset aligned down to `align`, its size, and `first` within it. */
export function alignedRange(first: number, floats: number, align: number): { offset: number; size: number; first: number } {
  const offset = Math.floor((first * 4) / align) * align;
  return { offset, size: first * 4 + floats * 4 - offset, first: first - offset / 4 };
}

export function writeLocalMeanParams(view: DataView, offset: number, d: {
  width: number; height: number; stride: number; sourceFirst: number; rgbRowsFirst: number; rgbBandFirst: number;
  band: LocalMeanBand; scale: number;
}): void {
  const { band } = d;
  [d.width, d.height, LOCAL_MEAN_RADIUS, d.stride, d.sourceFirst, d.rgbRowsFirst, d.rgbBandFirst, band.rowsY0, band.rowsCount, band.bandY0, band.bandCount]
    .forEach((v, i) => view.setUint32(offset + 4 * i, v, true));
  view.setFloat32(offset + 44, d.scale, true);
  view.setFloat32(offset + 48, LOCAL_MEAN_LIMIT, true);
  view.setFloat32(offset + 52, LOCAL_MEAN_SHRINKAGE, true);
}

export class IoKernels {
  private constructor(
    readonly frameInput: GPUComputePipeline,
    readonly imageInput: GPUComputePipeline,
    readonly output: GPUComputePipeline,
    readonly exposureBins: GPUComputePipeline,
    readonly exposureFinish: GPUComputePipeline,
    readonly localMeanRows: GPUComputePipeline,
    readonly localMeanApply: GPUComputePipeline,
  ) {}

  static async create(gpu: GpuContext, format: TensorFormat): Promise<IoKernels> {
    const store = storeModule(format);
    const [f, i, o, eb, ef, lr, la] = await Promise.all([
      gpu.computePipeline(`denoiser input from film (${format})`, [store, transform, inputCommon, inputFrame].join('\n')),
      gpu.computePipeline(`denoiser input from images (${format})`, [store, transform, inputCommon, inputImage].join('\n')),
      gpu.computePipeline('denoiser output', [transform, outputPass].join('\n')),
      gpu.computePipeline('denoiser autoexposure bins', [transform, exposureCommonWgsl, exposureBinsWgsl].join('\n')),
      gpu.computePipeline('denoiser autoexposure scale', [exposureCommonWgsl, exposureFinishWgsl].join('\n')),
      gpu.computePipeline('denoiser local mean rows', [transform, localMeanCommon, localMeanRows].join('\n')),
      gpu.computePipeline('denoiser local mean correction', [localMeanCommon, localMeanApply].join('\n')),
    ]);
    return new IoKernels(f, i, o, eb, ef, lr, la);
  }

  /**
   * Submits the local mean correction (transform.ts correctLocalMean) of the whole result `rgb` (interleaved RGB
   * f32) given the input colour in `color`; its buffers go into `owned`, destroyed by the caller once the work is
   * done. An image too large for one storage binding (or `bandRows` given) is corrected in bands of rows
   * (localMeanBands), each band's row sums taken before the previous band is corrected, so every window sees the
   * uncorrected output.
   */
  submitLocalMean(gpu: GpuContext, d: { rgb: GPUBuffer; color: GPUBuffer; source: ColorSource; width: number; height: number; bandRows?: number }, owned: GPUBuffer[]): void {
    const { rgb, color, source, width, height } = d;
    const align = gpu.limits.minStorageBufferOffsetAlignment;
    const fit = localMeanBandRows(width, height, source.stride, gpu.limits.maxStorageBufferBindingSize, align);
    const rows = Math.min(fit, d.bandRows ?? height);
    if (rows < LOCAL_MEAN_RADIUS && rows < height) {
      throw new DenoiseInputError('image', `${width}x${height} cannot take the local mean correction: ${LOCAL_MEAN_RADIUS} rows and ${2 * LOCAL_MEAN_RADIUS} more do not fit this adapter's ${(gpu.limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB storage binding limit`);
    }
    const bands = localMeanBands(height, rows);
    const sumBytes = Math.max(16, Math.max(...bands.map((b) => b.rowsCount)) * width * 12);
    // two sets of row-sum buffers (input, output, squared residual): band k + 1's are written while band k's are
    // still to be read
    const sums = [0, 1].slice(0, Math.min(2, bands.length)).map((k) => ['input', 'output', 'residual'].map((what) => gpu.device.createBuffer({
      label: `denoiser local mean ${what} row sums ${k}`, size: sumBytes, usage: GPUBufferUsage.STORAGE,
    })));
    owned.push(...sums.flat());
    const enc = gpu.device.createCommandEncoder({ label: 'denoiser local mean correction' });
    const run = (pipeline: GPUComputePipeline, params: GPUBuffer, buffers: GPUBufferBinding[], columns: number, rowCount: number) => {
      const pass = enc.beginComputePass({ label: pipeline.label });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, gpu.device.createBindGroup({
        label: pipeline.label,
        layout: pipeline.getBindGroupLayout(0),
        entries: [{ buffer: params }, ...buffers].map((resource, binding) => ({ binding, resource })),
      }));
      pass.dispatchWorkgroups(Math.ceil(columns / 8), Math.ceil(rowCount / 8));
      pass.end();
    };
    const passes = bands.map((band, k) => {
      const src = alignedRange(source.colorBase + band.rowsY0 * width * source.stride, band.rowsCount * width * source.stride, align);
      const rgbRows = alignedRange(band.rowsY0 * width * 3, band.rowsCount * width * 3, align);
      const rgbBand = alignedRange(band.bandY0 * width * 3, band.bandCount * width * 3, align);
      const params = gpu.device.createBuffer({ label: `denoiser local mean params ${k}`, size: LOCAL_MEAN_PARAMS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      owned.push(params);
      const data = new ArrayBuffer(LOCAL_MEAN_PARAMS_BYTES);
      writeLocalMeanParams(new DataView(data), 0, {
        width, height, stride: source.stride, sourceFirst: src.first, rgbRowsFirst: rgbRows.first, rgbBandFirst: rgbBand.first, band, scale: source.scale,
      });
      gpu.device.queue.writeBuffer(params, 0, data);
      const rowSums = sums[k % 2].map((buffer) => ({ buffer }));
      return {
        rows: () => run(this.localMeanRows, params, [
          { buffer: color, offset: src.offset, size: src.size }, { buffer: rgb, offset: rgbRows.offset, size: rgbRows.size }, ...rowSums,
        ], Math.ceil(width / LOCAL_MEAN_RUN), band.rowsCount),
        apply: () => run(this.localMeanApply, params, [...rowSums, { buffer: rgb, offset: rgbBand.offset, size: rgbBand.size }], width, Math.ceil(band.bandCount / LOCAL_MEAN_RUN)),
      };
    });
    passes[0].rows();
    passes.forEach((p, k) => {
      passes[k + 1]?.rows();
      p.apply();
    });
    gpu.device.queue.submit([enc.finish()]);
  }
}
