// Run by adapter.ts in a child process: prints the adapter's name, or the first line of why there is none.
import { createNodeGpuContext } from '../../src/node/gpu.ts';

try {
  const gpu = await createNodeGpuContext();
  console.log(gpu.adapter.name);
  gpu.destroy();
} catch (e) {
  console.error((e as Error).message.split('\n')[0]);
  process.exitCode = 1;
}
