// Per-call GPU buffers for the image filters: created for one image size, destroyed together.
import type { GpuContext } from '../../gpu/context.ts';
import type { StructLayout, StructValues } from '../../render/layout.ts';

export class FilterBuffers {
  private readonly owned: GPUBuffer[] = [];
  constructor(private readonly gpu: GpuContext, private readonly label: string) {}

  /** Read-only storage input holding `data` (vec4f per pixel). */
  input(name: string, data: Float32Array): GPUBuffer {
    const b = this.gpu.createBufferWithData(`${this.label}: ${name}`, data, GPUBufferUsage.STORAGE);
    this.owned.push(b);
    return b;
  }

  /** Writable storage of `pixels` vec4f, readable back. */
  storage(name: string, pixels: number): GPUBuffer {
    const b = this.gpu.device.createBuffer({
      label: `${this.label}: ${name}`,
      size: Math.max(16, pixels * 16),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
    this.owned.push(b);
    return b;
  }

  uniform(name: string, layout: StructLayout, values: StructValues): GPUBuffer {
    const bytes = new ArrayBuffer(layout.size);
    layout.write(new DataView(bytes), 0, values);
    const b = this.gpu.createBufferWithData(`${this.label}: ${name}`, new Uint8Array(bytes), GPUBufferUsage.UNIFORM);
    this.owned.push(b);
    return b;
  }

  bindGroup(name: string, pipeline: GPUComputePipeline, buffers: GPUBuffer[]): GPUBindGroup {
    return this.gpu.device.createBindGroup({
      label: `${this.label}: ${name}`,
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
  }
}

export const FILTER_WORKGROUP = 8;

export function dispatch2d(pass: GPUComputePassEncoder, width: number, height: number): void {
  pass.dispatchWorkgroups(Math.ceil(width / FILTER_WORKGROUP), Math.ceil(height / FILTER_WORKGROUP));
}
