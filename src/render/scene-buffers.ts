// GPU copies of a CompiledScene (bind group 0). One owner: destroy() frees them all.
import type { GpuContext } from '../gpu/context.ts';
import type { CompiledScene } from '../scene/compile.ts';

export class SceneBuffers {
  readonly buffers: GPUBuffer[];

  /** Layout of bind group 0 (shaders/pathtrace/scene_bindings.wgsl): six read-only storage buffers. */
  static layout(gpu: GpuContext): GPUBindGroupLayout {
    return gpu.bindGroupLayout('scene bindings layout', ['read', 'read', 'read', 'read', 'read', 'read']);
  }

  constructor(gpu: GpuContext, scene: CompiledScene) {
    const maxBinding = gpu.limits.maxStorageBufferBindingSize;
    const parts: Array<[string, ArrayBufferView]> = [
      ['bvh nodes', new Uint8Array(scene.bvh.wide.records)],
      ['triangle positions', scene.triPos],
      ['triangle shading', scene.triShading],
      ['materials', new Uint8Array(scene.materials)],
      ['light table', new Uint8Array(scene.lights.entries)],
      ['environment', scene.environment.data],
    ];
    for (const [label, data] of parts) {
      if (data.byteLength > maxBinding) {
        throw new Error(
          `${scene.name}: ${label} need ${(data.byteLength / 2 ** 20).toFixed(1)} MiB, more than this adapter's ` +
            `storage binding limit of ${(maxBinding / 2 ** 20).toFixed(0)} MiB`,
        );
      }
    }
    this.buffers = parts.map(([label, data]) =>
      gpu.createBufferWithData(`${scene.name}: ${label}`, data, GPUBufferUsage.STORAGE),
    );
  }

  bindGroup(gpu: GpuContext, layout: GPUBindGroupLayout, label: string): GPUBindGroup {
    return gpu.device.createBindGroup({
      label,
      layout,
      entries: this.buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }
}
