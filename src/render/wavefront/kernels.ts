// WGSL composition and pipelines of the wavefront path tracer (shaders/pathtrace/wavefront/*.wgsl).
// Each kernel gets only the modules it needs; all share one explicit layout: group 0 = scene, group 1 = wave
// state, and (control only) group 2 = indirect dispatch arguments.
import type { GpuContext } from '../../gpu/context.ts';
import { pathtraceModules as m } from '../shaders.ts';
import { SceneBuffers } from '../scene-buffers.ts';
import state from '../../../shaders/pathtrace/wavefront/state.wgsl?raw';
import generate from '../../../shaders/pathtrace/wavefront/generate.wgsl?raw';
import extend from '../../../shaders/pathtrace/wavefront/extend.wgsl?raw';
import shade from '../../../shaders/pathtrace/wavefront/shade.wgsl?raw';
import connect from '../../../shaders/pathtrace/wavefront/connect.wgsl?raw';
import control from '../../../shaders/pathtrace/wavefront/control.wgsl?raw';
import finish from '../../../shaders/pathtrace/wavefront/finish.wgsl?raw';

/** Workgroup size of the 1D wavefront kernels (the `WF_GROUP` override in state.wgsl). */
export const WF_GROUP = 64;
/** Bytes per path in `paths` (PathState in state.wgsl), per shadow ray (ShadowRay) and of WaveCounters. */
export const PATH_STATE_BYTES = 112;
export const SHADOW_RAY_BYTES = 48;
export const WAVE_COUNTERS_BYTES = 16;
export const WAVE_PARAMS_BYTES = 32;
/** Byte offsets of the two indirect dispatch argument triples written by control.wgsl. */
export const ARGS_RAYS_OFFSET = 0;
export const ARGS_SHADOW_OFFSET = 12;
export const ARGS_BYTES = 24;

const head = [m.common, m.params, state];
const traversal = [m.common, m.structs, m.params, m.sceneBindings, m.bvh, state];

export const wavefrontSources = {
  generate: () => [...head, m.path, generate].join('\n'),
  extend: () => [...traversal, extend].join('\n'),
  shade: () => [m.common, m.structs, m.params, m.sceneBindings, m.bvh, m.sampling, m.microfacet, m.bsdf, m.lights, m.path, state, shade].join('\n'),
  connect: () => [...traversal, connect].join('\n'),
  control: () => [...head, control].join('\n'),
  finish: () => [...head, finish].join('\n'),
} as const;

export interface WavefrontKernels {
  sceneLayout: GPUBindGroupLayout;
  waveLayout: GPUBindGroupLayout;
  argsLayout: GPUBindGroupLayout;
  generate: GPUComputePipeline;
  /** null when extend is fused into shade. */
  extend: GPUComputePipeline | null;
  shade: GPUComputePipeline;
  connect: GPUComputePipeline;
  control: GPUComputePipeline;
  finish: GPUComputePipeline;
}

export async function createWavefrontKernels(gpu: GpuContext, fusedExtend: boolean): Promise<WavefrontKernels> {
  const sceneLayout = SceneBuffers.layout(gpu);
  // params, wave, paths, queue_in, queue_out, shadow_rays, counters, film
  const waveLayout = gpu.bindGroupLayout('wavefront state layout', ['uniform', 'uniform', 'write', 'read', 'write', 'write', 'write', 'write']);
  const argsLayout = gpu.bindGroupLayout('wavefront dispatch args layout', ['write']);
  const layout = gpu.device.createPipelineLayout({ label: 'wavefront layout', bindGroupLayouts: [sceneLayout, waveLayout] });
  const controlLayout = gpu.device.createPipelineLayout({
    label: 'wavefront control layout',
    bindGroupLayouts: [sceneLayout, waveLayout, argsLayout],
  });
  const s = wavefrontSources;
  const group = { WF_GROUP };
  const [gen, ext, sh, con, ctl, fin] = await Promise.all([
    gpu.computePipeline('wavefront generate', s.generate(), group, layout),
    fusedExtend ? Promise.resolve(null) : gpu.computePipeline('wavefront extend', s.extend(), group, layout),
    gpu.computePipeline('wavefront shade', s.shade(), { ...group, FUSED_EXTEND: fusedExtend ? 1 : 0 }, layout),
    gpu.computePipeline('wavefront connect', s.connect(), group, layout),
    gpu.computePipeline('wavefront control', s.control(), group, controlLayout),
    gpu.computePipeline('wavefront finish', s.finish(), group, layout),
  ]);
  return { sceneLayout, waveLayout, argsLayout, generate: gen, extend: ext, shade: sh, connect: con, control: ctl, finish: fin };
}
