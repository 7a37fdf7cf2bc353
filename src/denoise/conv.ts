// Owner of shaders/nn/conv3x3.wgsl (with its lanes modules) and conv3x3_tiles.wgsl, which share conv_common.wgsl:
// the weight-texture layout and the conv pipeline.
import convCore from '../../shaders/nn/conv3x3.wgsl?raw';
import convTiles from '../../shaders/nn/conv3x3_tiles.wgsl?raw';
import convCommon from '../../shaders/nn/conv_common.wgsl?raw';
import lanesPlain from '../../shaders/nn/conv_lanes_plain.wgsl?raw';
import lanesSubgroup from '../../shaders/nn/conv_lanes_subgroup.wgsl?raw';
import subgroupProbe from '../../shaders/nn/subgroup_probe.wgsl?raw';
import { fromHalf, toHalf } from '../image/exr-write.ts';
import type { GpuContext } from '../gpu/context.ts';
import { convLayers, type ConvLayer, type NetworkSpec } from './spec.ts';
import { storeModule, type TensorFormat } from './tensors.ts';
import type { NetworkWeights } from './weights.ts';

/** Output channels per workgroup (one 16-channel block per workgroup z). */
export const CONV_BLOCK = 16;
/** Texels per row of the weight texture (WTEX_WIDTH in the WGSL). */
export const WEIGHT_TEXTURE_WIDTH = 1024;
/** Texels per (block, input layer): 4 channels x 9 taps x 4 texels (GROUP_TEXELS in the WGSL). */
export const GROUP_TEXELS = 144;
/** Rows of pixels one invocation computes. */
export const CONV_ROWS = 8;

/**
 * How weights reach the invocations: 'subgroup' (8-lane shuffles; needs subgroups of >= 8 lanes) or 'plain'
 * (weights and input tile staged in workgroup memory).
 */
export type ConvLanes = 'subgroup' | 'plain';

/**
 * What one invocation of the conv computes, rows of pixels x output channels. '8x16' (conv3x3.wgsl) is tuned for
 * CPU adapters, whose SIMD lanes hold many accumulators; '4x8' (conv3x3_tiles.wgsl, 16 x 16 pixel tiles staged
 * in workgroup memory) holds a quarter of the registers, for GPUs.
 */
export type ConvStrip = '8x16' | '4x8';
export const CONV_STRIPS: readonly ConvStrip[] = ['8x16', '4x8'];

/** The strip for an adapter: '8x16' on a software (fallback) adapter, where it was tuned, else '4x8'. */
export function defaultConvStrip(isFallback: boolean): ConvStrip {
  return isFallback ? '8x16' : '4x8';
}

/** Pixels per side of a '4x8' workgroup's tile (TILE_X, TILE_Y * ROWS in conv3x3_tiles.wgsl). */
export const CONV_TILE = 16;

/** Input layers of a conv: `upGroups` layers of the coarser level's output first (read upsampled), then the rest. */
export interface ConvGeometry {
  groups: number;
  upGroups: number;
  blocks: number;
  outLayers: number;
}

export function convGeometry(layer: ConvLayer): ConvGeometry {
  const upGroups = Math.ceil(layer.upChannels / 4);
  const groups = layer.upChannels > 0 ? upGroups + Math.ceil(layer.skipChannels / 4) : Math.ceil(layer.inChannels / 4);
  return { groups, upGroups, blocks: Math.ceil(layer.outChannels / CONV_BLOCK), outLayers: Math.ceil(layer.outChannels / 4) };
}

/** Texels a layer's weights take: per block, 4 bias texels then GROUP_TEXELS per input layer. */
export function layerTexels(layer: ConvLayer): number {
  const g = convGeometry(layer);
  return g.blocks * (4 + g.groups * GROUP_TEXELS);
}

/** The spec's input channel that texture channel `tc` (layer * 4 + component) holds, or -1 for padding. */
function specChannel(layer: ConvLayer, g: ConvGeometry, tc: number): number {
  if (layer.upChannels === 0) return tc < layer.inChannels ? tc : -1;
  if (tc < g.upGroups * 4) return tc < layer.upChannels ? tc : -1;
  const j = tc - g.upGroups * 4;
  return j < layer.skipChannels ? layer.upChannels + j : -1;
}

export interface PackedWeights {
  /** RGBA texels, WEIGHT_TEXTURE_WIDTH per row. */
  data: Float32Array;
  rows: number;
  /** First texel of each layer, by ConvLayer.name. */
  base: Record<string, number>;
}

/** Lays out all conv weights in the texel order conv3x3.wgsl reads (padding channels are zero). */
export function packWeights(spec: NetworkSpec, weights: NetworkWeights): PackedWeights {
  const layers = convLayers(spec);
  const base: Record<string, number> = {};
  let texels = 0;
  for (const l of layers) (base[l.name] = texels), (texels += layerTexels(l));
  const rows = Math.max(1, Math.ceil(texels / WEIGHT_TEXTURE_WIDTH));
  const data = new Float32Array(rows * WEIGHT_TEXTURE_WIDTH * 4);
  for (const l of layers) {
    const g = convGeometry(l);
    const { weight, bias } = weights[l.name];
    for (let b = 0; b < g.blocks; b++) {
      const blockBase = base[l.name] + b * (4 + g.groups * GROUP_TEXELS);
      for (let k = 0; k < CONV_BLOCK; k++) {
        const o = b * CONV_BLOCK + k;
        if (o >= l.outChannels) continue;
        data[(blockBase + (k >> 2)) * 4 + (k & 3)] = bias[o];
        for (let tc = 0; tc < g.groups * 4; tc++) {
          const ic = specChannel(l, g, tc);
          if (ic < 0) continue;
          const group = tc >> 2, cg = tc & 3;
          for (let t = 0; t < 9; t++) {
            const texel = blockBase + 4 + group * GROUP_TEXELS + (cg * 9 + t) * 4 + (k >> 2);
            data[texel * 4 + (k & 3)] = weight[(o * l.inChannels + ic) * 9 + t];
          }
        }
      }
    }
  }
  return { data, rows, base };
}

/** Uploads packed weights as an rgba32float or rgba16float texture (f16 rounds to nearest even). */
export function createWeightTexture(gpu: GpuContext, packed: PackedWeights, format: TensorFormat): GPUTexture {
  const texture = gpu.device.createTexture({
    label: 'denoiser weights',
    size: [WEIGHT_TEXTURE_WIDTH, packed.rows],
    format,
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
  });
  writeWeightTexture(gpu, texture, packed, format);
  return texture;
}

/** Uploads packed weights into a texture made by createWeightTexture for the same spec (same size). */
export function writeWeightTexture(gpu: GpuContext, texture: GPUTexture, packed: PackedWeights, format: TensorFormat): void {
  const size = [WEIGHT_TEXTURE_WIDTH, packed.rows];
  if (format === 'rgba32float') {
    gpu.device.queue.writeTexture({ texture }, packed.data, { bytesPerRow: WEIGHT_TEXTURE_WIDTH * 16 }, size);
  } else {
    const half = new Uint16Array(packed.data.length);
    for (let i = 0; i < half.length; i++) half[i] = toHalf(packed.data[i]);
    gpu.device.queue.writeTexture({ texture }, half, { bytesPerRow: WEIGHT_TEXTURE_WIDTH * 8 }, size);
  }
}

/** Half-precision rounding of a value, as the f16 weight texture stores it. */
export function roundHalf(v: number): number {
  return fromHalf(toHalf(v));
}

/** Byte layout of ConvParams (conv3x3.wgsl): 12 x 4 bytes. */
export const CONV_PARAMS_BYTES = 48;

export interface ConvDispatch {
  width: number;
  height: number;
  geometry: ConvGeometry;
  inLayer: number;
  /** First layer of the coarser level's output (decoder convs). */
  upLayer: number;
  outLayer: number;
  weightBase: number;
  slope: number;
}

export function writeConvParams(view: DataView, offset: number, d: ConvDispatch): void {
  const u = [d.width, d.height, d.geometry.groups, d.geometry.upGroups, d.inLayer, d.outLayer, d.geometry.outLayers, d.weightBase];
  u.forEach((v, i) => view.setUint32(offset + 4 * i, v, true));
  view.setFloat32(offset + 32, d.slope, true);
  view.setUint32(offset + 36, d.upLayer, true);
}

/**
 * Whether the 'subgroup' lanes module works here: subgroups of at least 8 lanes whose aligned groups of 8 are
 * the rows of an 8 x rows workgroup, in order (checked on the GPU; WebGPU does not promise a layout).
 */
export async function subgroupLanesWork(gpu: GpuContext, workgroupRows: number): Promise<boolean> {
  const info = (gpu.device as GPUDevice & { adapterInfo?: { subgroupMinSize?: number } }).adapterInfo;
  if (!gpu.features.has('subgroups') || (info?.subgroupMinSize ?? 0) < 8) return false;
  const pipeline = await gpu.computePipeline('subgroup lane probe', subgroupProbe, { WY: workgroupRows });
  const groups = 4, n = groups * 8 * workgroupRows;
  const ok = gpu.device.createBuffer({ label: 'subgroup lane probe', size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  try {
    const enc = gpu.device.createCommandEncoder({ label: 'subgroup lane probe' });
    const pass = enc.beginComputePass({ label: 'subgroup lane probe' });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, gpu.device.createBindGroup({ label: 'subgroup lane probe', layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: ok } }] }));
    pass.dispatchWorkgroups(groups);
    pass.end();
    gpu.device.queue.submit([enc.finish()]);
    return new Uint32Array(await gpu.readBuffer(ok)).every((v) => v === 1);
  } finally {
    ok.destroy();
  }
}

export class ConvKernel {
  private constructor(readonly pipeline: GPUComputePipeline, readonly strip: ConvStrip, readonly workgroupRows: number) {}

  /** `lanes` and `workgroupRows` shape the '8x16' strip only ('4x8' stages its tiles in workgroup memory). */
  static async create(gpu: GpuContext, format: TensorFormat, lanes: ConvLanes, workgroupRows = 4, strip: ConvStrip = '8x16'): Promise<ConvKernel> {
    if (strip === '4x8') {
      const pipeline = await gpu.computePipeline(`conv3x3 (4x8 tiles, ${format})`, [storeModule(format), convCommon, convTiles].join('\n'));
      return new ConvKernel(pipeline, strip, workgroupRows);
    }
    // the lanes module goes first: `enable subgroups;` must precede every declaration
    const code = [lanes === 'subgroup' ? lanesSubgroup : lanesPlain, storeModule(format), convCommon, convCore].join('\n');
    const pipeline = await gpu.computePipeline(`conv3x3 (${lanes}, ${format})`, code, { WY: workgroupRows });
    return new ConvKernel(pipeline, strip, workgroupRows);
  }

  /** Workgroups for an output of width x height with the conv's output layers (geometry.outLayers, blocks). */
  workgroups(width: number, height: number, geometry: Pick<ConvGeometry, 'blocks' | 'outLayers'>): [number, number, number] {
    if (this.strip === '4x8') return [Math.ceil(width / CONV_TILE), Math.ceil(height / CONV_TILE), Math.ceil(geometry.outLayers / 2)];
    return [Math.ceil(width / 8), Math.ceil(height / (CONV_ROWS * this.workgroupRows)), geometry.blocks];
  }
}
