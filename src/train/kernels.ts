// The training compute pipelines (shaders/train/*.wgsl), compiled once per device and shared by every graph.
import adamSrc from '../../shaders/train/adam.wgsl?raw';
import convCommon from '../../shaders/train/conv_common.wgsl?raw';
import bwdDataSrc from '../../shaders/train/conv_bwd_data.wgsl?raw';
import bwdWeightSrc from '../../shaders/train/conv_bwd_weight.wgsl?raw';
import fwdSrc from '../../shaders/train/conv_fwd.wgsl?raw';
import convInput from '../../shaders/train/conv_input.wgsl?raw';
import dihedralSrc from '../../shaders/train/dihedral.wgsl?raw';
import elementwiseSrc from '../../shaders/train/elementwise.wgsl?raw';
import lossSrc from '../../shaders/train/loss.wgsl?raw';
import reduceSrc from '../../shaders/train/reduce_chunks.wgsl?raw';
import sumSrc from '../../shaders/train/sum.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';

type Kind = 'read' | 'write' | 'uniform';

export interface TrainKernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

export type KernelName = 'convFwd' | 'convBwdData' | 'convBwdWeight' | 'reduce' | 'elementwise' | 'loss' | 'sum' | 'adam' | 'dihedral';

const DEFS: Record<KernelName, { code: string[]; bindings: Kind[] }> = {
  convFwd: { code: [fwdSrc, convCommon, convInput], bindings: ['uniform', 'read', 'read', 'read', 'write'] },
  convBwdData: { code: [bwdDataSrc, convCommon], bindings: ['uniform', 'read', 'read', 'write'] },
  convBwdWeight: { code: [bwdWeightSrc, convCommon, convInput], bindings: ['uniform', 'read', 'read', 'read', 'write'] },
  reduce: { code: [reduceSrc], bindings: ['uniform', 'read', 'write'] },
  elementwise: { code: [elementwiseSrc], bindings: ['uniform', 'write', 'read', 'read'] },
  loss: { code: [lossSrc], bindings: ['uniform', 'read', 'read', 'write', 'write'] },
  sum: { code: [sumSrc], bindings: ['uniform', 'read', 'write'] },
  adam: { code: [adamSrc], bindings: ['uniform', 'read', 'write', 'write', 'write', 'write'] },
  dihedral: { code: [dihedralSrc], bindings: ['uniform', 'read', 'read', 'read', 'write', 'write'] },
};

/** Rows of the column strip that one invocation of the forward, data- and weight-gradient conv kernels covers. */
export type StripRows = 4 | 8;
export const STRIP_ROWS: readonly StripRows[] = [4, 8];
export const isStripRows = (n: number): n is StripRows => (STRIP_ROWS as readonly number[]).includes(n);

export interface TrainKernelOptions {
  /**
   * Rows per invocation (R in conv_common.wgsl). More rows: fewer weight and window reads per multiply-add but
   * more registers and fewer invocations. Default 8 on a software adapter (measured fastest on lavapipe), 4 on a
   * GPU. Every choice computes the same sums (the forward and data-gradient ones in the same order; the weight
   * gradients' partial sums are grouped by strip, so they agree to float rounding).
   */
  stripRows?: StripRows;
}

const STRIP_CONST = /^const R = \d+u;$/m;

export class TrainKernels {
  private constructor(readonly gpu: GpuContext, private readonly kernels: Record<KernelName, TrainKernel>, readonly stripRows: StripRows) {}

  static async create(gpu: GpuContext, options: TrainKernelOptions = {}): Promise<TrainKernels> {
    const rows = options.stripRows ?? (gpu.adapter.isFallback ? 8 : 4);
    if (!isStripRows(rows)) throw new RangeError(`TrainKernels: stripRows must be one of ${STRIP_ROWS.join(', ')}, got ${String(rows)}`);
    if (!STRIP_CONST.test(convCommon)) throw new Error('shaders/train/conv_common.wgsl: no `const R = <rows>u;` line');
    const common = convCommon.replace(STRIP_CONST, `const R = ${rows}u;`);
    const names = Object.keys(DEFS) as KernelName[];
    const built = await Promise.all(
      names.map(async (name) => {
        const def = { ...DEFS[name], code: DEFS[name].code.map((c) => (c === convCommon ? common : c)) };
        const layout = gpu.bindGroupLayout(`train ${name} layout`, def.bindings);
        const pipelineLayout = gpu.device.createPipelineLayout({ label: `train ${name}`, bindGroupLayouts: [layout] });
        const pipeline = await gpu.computePipeline(`train ${name}`, def.code.join('\n'), undefined, pipelineLayout);
        return [name, { pipeline, layout }] as const;
      }),
    );
    return new TrainKernels(gpu, Object.fromEntries(built) as Record<KernelName, TrainKernel>, rows);
  }

  get(name: KernelName): TrainKernel {
    return this.kernels[name];
  }

  bindGroup(name: KernelName, label: string, buffers: GPUBuffer[], uniform?: { buffer: GPUBuffer; offset: number; size: number }): GPUBindGroup {
    const k = this.kernels[name];
    const entries: GPUBindGroupEntry[] = [];
    let b = 0;
    if (uniform) entries.push({ binding: b++, resource: { buffer: uniform.buffer, offset: uniform.offset, size: uniform.size } });
    for (const buf of buffers) entries.push({ binding: b++, resource: { buffer: buf } });
    return this.gpu.device.createBindGroup({ label, layout: k.layout, entries });
  }
}

/** Workgroup counts for a 1D pass of n invocations in groups of 256 (x capped; the kernels fold in y). */
export function dispatch1d(n: number): [number, number] {
  const groups = Math.max(1, Math.ceil(n / 256));
  const x = Math.min(groups, 32768);
  return [x, Math.ceil(groups / x)];
}
