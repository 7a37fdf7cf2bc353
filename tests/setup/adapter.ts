// Fails the run at once, with the fix, when this machine has no WebGPU adapter (instead of every GPU test
// failing on its own).
import { createNodeGpuContext } from '../../src/node/gpu.ts';

export default async function setup(): Promise<void> {
  try {
    const gpu = await createNodeGpuContext();
    console.log(`WebGPU adapter: ${gpu.adapter.name}`);
    gpu.destroy();
  } catch (e) {
    throw new Error((e as Error).message.split('\n')[0]);
  }
}
