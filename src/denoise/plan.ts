// The network laid out for one (padded) image size: tensor textures, one uniform slot per pass, bind groups, and
// the pool/conv dispatches in order. Built once per size and reused by every denoise call of that size.
//
// Textures per level l: S[l] holds the skip tensor (the network input at level 0, the pooled encoder input
// below; at the bottom level the pool output goes to scratch); A[l] and B[l] are ping-pong scratch for conv
// outputs. A decoder's first conv reads the coarser level's output straight from that level's scratch
// (upsampled by addressing) plus S[l]: upsample + concat cost no pass and no copy.
import type { GpuContext } from '../gpu/context.ts';
import { convGeometry, CONV_PARAMS_BYTES, writeConvParams, type ConvKernel } from './conv.ts';
import { inputLayers } from './io-passes.ts';
import { POOL_PARAMS_BYTES, writePoolParams, type PoolKernel } from './pool.ts';
import { convLayers, levelsOf, type ConvLayer, type NetworkSpec } from './spec.ts';
import { createTensorTexture, texelBytes, type TensorFormat, type TensorTexture } from './tensors.ts';

/** Uniform slots are this far apart (WebGPU's minUniformBufferOffsetAlignment is at most 256). */
export const PARAM_SLOT = 256;

export interface TensorRef {
  tex: string; // 'S3', 'A0', ...
  layer: number;
}

export interface LayoutStep {
  kind: 'pool' | 'conv';
  name: string;
  level: number;
  src: TensorRef;
  dst: TensorRef;
  /** A decoder conv's coarser-level input (read upsampled). */
  up?: TensorRef;
  /** Layers read (pool: also written). */
  groups: number;
  layer?: ConvLayer;
}

/** Which texture each tensor lives in, how many layers each texture needs, and the steps in order. */
export interface TensorLayout {
  textures: Map<string, { level: number; layers: number }>;
  steps: LayoutStep[];
  input: TensorRef;
  output: TensorRef;
}

export function tensorLayout(spec: NetworkSpec): TensorLayout {
  const levels = levelsOf(spec);
  const layers = convLayers(spec);
  const textures = new Map<string, { level: number; layers: number }>();
  const need = (tex: string, level: number, n: number) => {
    textures.set(tex, { level, layers: Math.max(n, textures.get(tex)?.layers ?? 0) });
  };
  const scratch = (level: number, avoid: string): string => (avoid === `A${level}` ? `B${level}` : `A${level}`);
  const steps: LayoutStep[] = [];
  let curGroups = inputLayers(spec);
  let cur: TensorRef = { tex: levels > 0 ? 'S0' : 'A0', layer: 0 };
  need(cur.tex, 0, curGroups);
  const input = cur;
  for (const c of layers) {
    if (c.poolBefore) {
      const dst: TensorRef = { tex: c.level < levels ? `S${c.level}` : `A${c.level}`, layer: 0 };
      need(dst.tex, c.level, curGroups);
      steps.push({ kind: 'pool', name: `pool${c.level}`, level: c.level, src: cur, dst, groups: curGroups });
      cur = dst;
    }
    const g = convGeometry(c);
    const up = c.upChannels > 0 ? cur : undefined;
    const src: TensorRef = up ? { tex: `S${c.level}`, layer: 0 } : cur;
    const dst: TensorRef = { tex: scratch(c.level, src.tex), layer: 0 };
    need(dst.tex, c.level, g.outLayers);
    steps.push({ kind: 'conv', name: c.name, level: c.level, src, up, dst, groups: g.groups, layer: c });
    cur = dst;
    curGroups = g.outLayers;
  }
  return { textures, steps, input, output: cur };
}

/** Tensor memory per (padded) full-resolution pixel, in bytes. */
export function tensorBytesPerPixel(spec: NetworkSpec, format: TensorFormat): number {
  let n = 0;
  for (const t of tensorLayout(spec).textures.values()) n += (t.layers * texelBytes(format)) / 4 ** t.level;
  return n;
}

interface Step {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

export interface PlanKernels {
  conv: ConvKernel;
  pool: PoolKernel;
}

export class NetworkPlan {
  private readonly steps: Step[] = [];
  private readonly textures = new Map<string, TensorTexture>();
  /** Slot 0 is the input pass's, slot 1 the output pass's; then one per pool/conv step. */
  readonly params: GPUBuffer;
  /** Where the input pass writes (layer of the network input's first 4 channels). */
  readonly input: { tensor: TensorTexture; layer: number };
  /** Where the final conv leaves the network output (3 channels in one layer). */
  readonly output: { tensor: TensorTexture; layer: number };

  constructor(
    gpu: GpuContext, spec: NetworkSpec, kernels: PlanKernels, weightView: GPUTextureView,
    weightBase: Record<string, number>, readonly width: number, readonly height: number, format: TensorFormat,
  ) {
    const layout = tensorLayout(spec);
    const dims = (l: number) => ({ w: width >> l, h: height >> l });
    for (const [name, s] of layout.textures) {
      const d = dims(s.level);
      this.textures.set(name, createTensorTexture(gpu, `denoiser tensor ${name} (${d.w}x${d.h}x${s.layers * 4})`, d.w, d.h, s.layers, format));
    }
    const tex = (r: TensorRef) => this.textures.get(r.tex)!;
    this.input = { tensor: tex(layout.input), layer: layout.input.layer };
    this.output = { tensor: tex(layout.output), layer: layout.output.layer };
    const plan = layout.steps;
    this.params = gpu.device.createBuffer({
      label: `denoiser params ${width}x${height}`,
      size: PARAM_SLOT * (2 + plan.length),
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    const bytes = new ArrayBuffer(PARAM_SLOT * plan.length);
    const view = new DataView(bytes);
    plan.forEach((s, i) => {
      const slot = PARAM_SLOT * (2 + i);
      const { w, h } = dims(s.level);
      const paramBinding = (size: number): GPUBindingResource => ({ buffer: this.params, offset: slot, size });
      if (s.kind === 'pool') {
        const d = { width: w, height: h, layers: s.groups, inLayer: s.src.layer, outLayer: s.dst.layer };
        writePoolParams(view, PARAM_SLOT * i, d);
        this.steps.push({
          label: s.name,
          pipeline: kernels.pool.pipeline,
          bindGroup: gpu.device.createBindGroup({
            label: `denoiser ${s.name}`,
            layout: kernels.pool.pipeline.getBindGroupLayout(0),
            entries: [
              { binding: 0, resource: tex(s.dst).view }, { binding: 1, resource: tex(s.src).view },
              { binding: 2, resource: paramBinding(POOL_PARAMS_BYTES) },
            ],
          }),
          workgroups: kernels.pool.workgroups(d),
        });
      } else {
        const c = s.layer!;
        const g = convGeometry(c);
        writeConvParams(view, PARAM_SLOT * i, {
          width: w, height: h, geometry: g, inLayer: s.src.layer, upLayer: s.up?.layer ?? 0, outLayer: s.dst.layer,
          weightBase: weightBase[c.name], slope: c.activation ? spec.leakySlope : 1,
        });
        this.steps.push({
          label: c.name,
          pipeline: kernels.conv.pipeline,
          bindGroup: gpu.device.createBindGroup({
            label: `denoiser ${c.name}`,
            layout: kernels.conv.pipeline.getBindGroupLayout(0),
            entries: [
              { binding: 0, resource: tex(s.dst).view }, { binding: 1, resource: tex(s.src).view },
              { binding: 2, resource: weightView }, { binding: 3, resource: paramBinding(CONV_PARAMS_BYTES) },
              { binding: 4, resource: tex(s.up ?? s.src).view },
            ],
          }),
          workgroups: kernels.conv.workgroups(w, h, g),
        });
      }
    });
    gpu.device.queue.writeBuffer(this.params, 2 * PARAM_SLOT, bytes);
  }

  /** Records the pool/conv passes (one compute pass each, so timestamp queries or profilers can split them). */
  encode(encoder: GPUCommandEncoder): void {
    for (const s of this.steps) {
      const pass = encoder.beginComputePass({ label: `denoiser ${s.label}` });
      pass.setPipeline(s.pipeline);
      pass.setBindGroup(0, s.bindGroup);
      pass.dispatchWorkgroups(...s.workgroups);
      pass.end();
    }
  }

  /** GPU memory the tensors take, in bytes. */
  get tensorBytes(): number {
    let n = 0;
    for (const t of this.textures.values()) n += (t.width + 2) * (t.height + 2) * t.layers * (t.texture.format === 'rgba32float' ? 16 : 8);
    return n;
  }

  destroy(): void {
    for (const t of this.textures.values()) t.texture.destroy();
    this.textures.clear();
    this.params.destroy();
  }
}
