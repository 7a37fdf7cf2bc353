// Run as a child process by lifetime.test.ts (node --expose-gc): contexts created and destroyed, then collected.
import { createNodeGpuContext } from '../../src/node/gpu.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
for (let i = 0; i < 2; i++) {
  const ctx = await createNodeGpuContext();
  ctx.device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE }).destroy();
  ctx.destroy();
}
for (let i = 0; i < 10; i++) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 20));
}
console.log('collected');
