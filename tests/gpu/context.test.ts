import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpuContext, GpuError } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await createNodeGpuContext();
});
afterAll(() => gpu?.destroy());

describe('GpuContext', () => {
  it('reports the adapter name', () => {
    expect(gpu.adapter.name.length).toBeGreaterThan(0);
  });
  it('fails with a fix-it message when there is no GPU', async () => {
    await expect(GpuContext.create(undefined)).rejects.toThrow(/scripts\/setup-vulkan\.sh/);
  });
  it('surfaces WGSL compile errors with the line', async () => {
    await expect(gpu.computePipeline('broken', '@compute @workgroup_size(1) fn main() { let x: f32 = 1u; }'))
      .rejects.toThrow(/WGSL compile error in 'broken'.*\n.*line 1/);
  });
  it('surfaces validation errors as GpuError', async () => {
    await expect(
      gpu.scoped('bad buffer', () => gpu.device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE })),
    ).rejects.toBeInstanceOf(GpuError);
  });
  it('round-trips a buffer through a compute pass', async () => {
    const p = await gpu.computePipeline('double', `
      @group(0) @binding(0) var<storage, read_write> v: array<f32>;
      @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
        if (id.x < arrayLength(&v)) { v[id.x] = v[id.x] * 2.0; }
      }`);
    const data = new Float32Array(100).map((_, i) => i);
    const buf = gpu.createBufferWithData('v', data, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const bg = gpu.device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] });
    const enc = gpu.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(p); pass.setBindGroup(0, bg); pass.dispatchWorkgroups(2); pass.end();
    gpu.device.queue.submit([enc.finish()]);
    const out = new Float32Array(await gpu.readBuffer(buf));
    buf.destroy();
    expect(out[99]).toBe(198);
  });
});

describe('GpuContext after destroy()', () => {
  it('fails with a GpuError saying so, not a silent no-op or an empty AbortError', async () => {
    const ctx = await createNodeGpuContext();
    const buf = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_SRC });
    ctx.destroy();
    ctx.destroy(); // a second call does nothing
    expect(() => ctx.check()).toThrow(/GPU context used after destroy\(\)/);
    await expect(ctx.readBuffer(buf)).rejects.toThrow(/GPU context used after destroy\(\)/);
    await expect(ctx.scoped('anything', () => 1)).rejects.toBeInstanceOf(GpuError);
    await expect(ctx.computePipeline('p', '@compute @workgroup_size(1) fn main() {}')).rejects.toThrow(/used after destroy/);
  });
});
