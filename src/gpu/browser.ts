import { GpuContext, type GpuContextOptions } from './context.ts';

export function createBrowserGpuContext(options: GpuContextOptions = {}): Promise<GpuContext> {
  const gpu = typeof navigator !== 'undefined' ? navigator.gpu : undefined;
  return GpuContext.create(gpu, options);
}
