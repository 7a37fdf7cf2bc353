// Host struct layouts (src/render/layout.ts) against the WGSL structs themselves: a kernel copies every
// field of a host-packed struct out word by word, so a wrong offset, order or type shows up as a mismatch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { LIGHT_ENTRY_LAYOUT, MATERIAL_LAYOUT, PARAMS_LAYOUT, type StructLayout } from '../../src/render/layout.ts';
import { pathtraceModules } from '../../src/render/shaders.ts';

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await createNodeGpuContext();
});
afterAll(() => gpu?.destroy());

function structSource(wgsl: string, name: string): string {
  const m = new RegExp(`struct ${name} \\{[^}]*\\}`).exec(wgsl);
  if (!m) throw new Error(`struct ${name} not found`);
  return m[0];
}

const COMPONENTS: Record<string, number> = { f32: 1, u32: 1, vec2f: 2, vec3f: 3, vec4f: 4, vec3u: 3, vec4u: 4 };

async function roundTrip(layout: StructLayout, wgslStruct: string, uniform: boolean): Promise<void> {
  // Distinct values for every component: floats k + 0.5, integers 1000 + k.
  const values: Record<string, number[]> = {};
  let k = 0;
  const expected: number[] = [];
  for (const f of layout.fields) {
    const n = COMPONENTS[f.type];
    const isFloat = f.type.endsWith('f') || f.type === 'f32';
    values[f.name] = Array.from({ length: n }, () => (isFloat ? k++ + 0.5 : 1000 + k++));
    expected.push(...values[f.name]);
  }
  const packed = new ArrayBuffer(layout.size);
  layout.write(new DataView(packed), 0, values);
  const reads: string[] = [];
  let w = 0;
  for (const f of layout.fields) {
    const n = COMPONENTS[f.type];
    const isFloat = f.type.endsWith('f') || f.type === 'f32';
    for (let c = 0; c < n; c++) {
      const access = n === 1 ? `s.${f.name}` : `s.${f.name}[${c}]`;
      reads.push(`out[${w++}] = ${isFloat ? access : `f32(${access})`};`);
    }
  }
  const code = `${wgslStruct}
    @group(0) @binding(0) var<${uniform ? 'uniform' : 'storage, read'}> s: ${/struct (\w+)/.exec(wgslStruct)![1]};
    @group(0) @binding(1) var<storage, read_write> out: array<f32>;
    @compute @workgroup_size(1) fn main() { ${reads.join('\n')} }`;
  const pipeline = await gpu.computePipeline(`layout check ${layout.name}`, code);
  const src = gpu.createBufferWithData(`${layout.name} packed`, new Uint8Array(packed), uniform ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE);
  const out = gpu.device.createBuffer({ label: 'layout out', size: expected.length * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const bg = gpu.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: out } }],
  });
  const enc = gpu.device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bg);
  pass.dispatchWorkgroups(1);
  pass.end();
  gpu.device.queue.submit([enc.finish()]);
  const got = Array.from(new Float32Array(await gpu.readBuffer(out)));
  src.destroy();
  out.destroy();
  expect(got).toEqual(expected);
}

describe('WGSL struct layouts', () => {
  it('Params (uniform) matches params.wgsl', async () => {
    const s = structSource(pathtraceModules.params, 'Params');
    expect(PARAMS_LAYOUT.size).toBe(160);
    // the row band sits in what was tail padding; the jitter pattern starts a new 16-byte row
    expect([PARAMS_LAYOUT.offsetOf('row_start'), PARAMS_LAYOUT.offsetOf('row_count')]).toEqual([136, 140]);
    await roundTrip(PARAMS_LAYOUT, s, true);
  });
  it('Material matches structs.wgsl (64 bytes)', async () => {
    expect(MATERIAL_LAYOUT.size).toBe(64);
    await roundTrip(MATERIAL_LAYOUT, structSource(pathtraceModules.structs, 'Material'), false);
  });
  it('LightEntry matches structs.wgsl (16 bytes)', async () => {
    expect(LIGHT_ENTRY_LAYOUT.size).toBe(16);
    await roundTrip(LIGHT_ENTRY_LAYOUT, structSource(pathtraceModules.structs, 'LightEntry'), false);
  });
});
