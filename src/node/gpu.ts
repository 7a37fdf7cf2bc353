// Node-only: the `webgpu` package (Dawn) as the GPU entry point.
import { GpuContext, type GpuContextOptions } from '../gpu/context.ts';

export async function createNodeGpuContext(options: GpuContextOptions = {}): Promise<GpuContext> {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]) as unknown as GPU;
  return GpuContext.create(gpu, options);
}
