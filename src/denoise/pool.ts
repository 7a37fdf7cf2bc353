// Owner of shaders/nn/maxpool.wgsl: 2x2 max-pool of a tensor texture into the next (coarser) level.
import maxpool from '../../shaders/nn/maxpool.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { storeModule, type TensorFormat } from './tensors.ts';

/** Byte layout of PoolParams: width, height, layers, in_layer, out_layer, 3 x pad (u32). */
export const POOL_PARAMS_BYTES = 32;

export interface PoolDispatch {
  /** Output (coarser level) size. */
  width: number;
  height: number;
  layers: number;
  inLayer: number;
  outLayer: number;
}

export function writePoolParams(view: DataView, offset: number, d: PoolDispatch): void {
  [d.width, d.height, d.layers, d.inLayer, d.outLayer].forEach((v, i) => view.setUint32(offset + 4 * i, v, true));
}

export class PoolKernel {
  private constructor(readonly pipeline: GPUComputePipeline) {}

  static async create(gpu: GpuContext, format: TensorFormat): Promise<PoolKernel> {
    return new PoolKernel(await gpu.computePipeline(`maxpool (${format})`, [storeModule(format), maxpool].join('\n')));
  }

  workgroups(d: PoolDispatch): [number, number, number] {
    return [Math.ceil(d.width / 8), Math.ceil(d.height / 8), d.layers];
  }
}
