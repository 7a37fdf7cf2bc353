// Node-only: the `webgpu` package (Dawn) as the GPU entry point.
import { GpuContext, type GpuContextOptions } from '../gpu/context.ts';

/**
 * The process's one Dawn `GPU` object, held for the life of the process. Dawn's Node bindings crash the process
 * (a segmentation fault or an abort from a background thread) when a `GPU` object whose device was destroyed is
 * garbage-collected: every context destroyed in a long-lived process (a test runner, the CLI between stages)
 * left one behind, and whichever collection found it ended the process. Devices are still destroyed one by one;
 * the instance, which holds no device, stays.
 */
let instance: Promise<GPU> | null = null;

export function nodeGpu(): Promise<GPU> {
  instance ??= import('webgpu').then(({ create, globals }) => {
    Object.assign(globalThis, globals);
    return create([]) as unknown as GPU;
  });
  return instance;
}

export async function createNodeGpuContext(options: GpuContextOptions = {}): Promise<GpuContext> {
  return GpuContext.create(await nodeGpu(), options);
}
