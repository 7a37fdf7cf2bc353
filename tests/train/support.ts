// Shared by the training tests (and bench/train.ts's kernel check): a tiny U-Net, seeded random tensors, float64
// copies, and one GPU training step against the float64 reference.
import type { NetworkSpec } from '../../src/denoise/spec.ts';
import { initWeights, type NetworkWeights } from '../../src/denoise/weights.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { TrainGraph } from '../../src/train/graph.ts';
import type { TrainKernels } from '../../src/train/kernels.ts';
import type { LossKind } from '../../src/train/loss.ts';
import { packParams, paramLayout } from '../../src/train/params.ts';
import { forward64, lossAndGrads64, t64, type T64 } from '../../src/train/reference.ts';
import { mulberry32 } from '../support/random.ts';

/** Two pools, a two-conv decoder level and odd channel counts (exercises partial channel blocks). */
export const TINY_SPEC: NetworkSpec = {
  format: 'tracelab-unet',
  version: 1,
  name: 'tiny-test',
  description: 'test network',
  inputs: ['color', 'albedo', 'normal'],
  leakySlope: 0.1,
  encoder: [[5], [6], [7]],
  decoder: [[9, 5], [6]],
  outputChannels: 3,
};

/**
 * Seeded weights with biases made non-zero (initWeights zeroes them), so bias paths are exercised; the output
 * conv is scaled down so that outputs stay inside the output transform's unclamped range (|o| < 0.5), where the
 * loss is smooth.
 */
export function tinyWeights(seed: number, spec = TINY_SPEC): NetworkWeights {
  const w = initWeights(spec, seed);
  const rnd = mulberry32(seed + 99);
  for (const lw of Object.values(w)) for (let i = 0; i < lw.bias.length; i++) lw.bias[i] = (rnd() - 0.5) * 0.2;
  for (let i = 0; i < w.out.weight.length; i++) w.out.weight[i] *= 0.1;
  return w;
}

export function randomT64(c: number, w: number, h: number, seed: number, lo: number, hi: number): T64 {
  const t = t64(c, w, h);
  const rnd = mulberry32(seed);
  for (let i = 0; i < t.d.length; i++) t.d[i] = lo + (hi - lo) * rnd();
  return t;
}

/** Float32-rounded copy (what the GPU sees). */
export function f32(t: T64): T64 {
  return { ...t, d: Float64Array.from(Float32Array.from(t.d)) };
}

/** A parameter buffer holding `weights` and a gradient buffer of the same size, for training graphs outside a trainer. */
export function paramBuffers(gpu: GpuContext, spec: NetworkSpec, weights: NetworkWeights): { params: GPUBuffer; grads: GPUBuffer; destroy(): void } {
  const flat = packParams(spec, weights);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const params = gpu.createBufferWithData('test params', flat, usage);
  const grads = gpu.device.createBuffer({ label: 'test grads', size: flat.byteLength, usage });
  return { params, grads, destroy: () => { params.destroy(); grads.destroy(); } };
}

/** How far one GPU training step is from the float64 reference. */
export interface StepCheck {
  /** Largest |GPU - float64| network output value. */
  outputError: number;
  /** GPU loss over the reference's. */
  lossRatio: number;
  /** Per layer's weights and biases: the largest |gradient| of the reference and the largest |GPU - reference|. */
  gradients: { layer: string; which: 'weight' | 'bias'; scale: number; error: number }[];
}

/**
 * One training step (forward, loss, backward) of `spec` with `kernels` on a batch of B seeded random W x H crops
 * (inputs in [-0.5, 0.5), targets in [0, 1.5)), against the float64 reference: the graph test's check, also run
 * by bench/train.ts on the adapter it times.
 */
export async function stepVsReference(gpu: GpuContext, kernels: TrainKernels, spec: NetworkSpec, weights: NetworkWeights, loss: LossKind,
  [B, W, H]: readonly [number, number, number]): Promise<StepCheck> {
  const buffers = paramBuffers(gpu, spec, weights);
  const graph = new TrainGraph(gpu, kernels, spec, { batch: B, width: W, height: H }, buffers, loss);
  try {
    const inputs = Array.from({ length: B }, (_, b) => f32(randomT64(spec.inputs.length * 3, W, H, 30 + b, -0.5, 0.5)));
    const targets = Array.from({ length: B }, (_, b) => f32(randomT64(3, W, H, 40 + b, 0, 1.5)));
    const cat = (ts: T64[]) => Float32Array.from(ts.flatMap((t) => Array.from(t.d)));
    gpu.device.queue.writeBuffer(graph.input.buffer, 0, cat(inputs));
    gpu.device.queue.writeBuffer(graph.target, 0, cat(targets));
    await gpu.scoped('train step', async () => {
      const enc = gpu.device.createCommandEncoder({ label: 'test step' });
      graph.encodeForward(enc);
      graph.encodeBackward(enc);
      gpu.device.queue.submit([enc.finish()]);
    });
    const out = new Float32Array(await gpu.readBuffer(graph.output.buffer));
    const g = new Float32Array(await gpu.readBuffer(buffers.grads));
    const lossSum = new Float32Array(await gpu.readBuffer(graph.lossSum))[0];
    const ref = lossAndGrads64(spec, weights, loss, inputs, targets);
    let outputError = 0;
    inputs.flatMap((x) => Array.from(forward64(spec, weights, x).output.d)).forEach((v, i) => (outputError = Math.max(outputError, Math.abs(v - out[i]))));
    const gradients: StepCheck['gradients'] = [];
    for (const s of paramLayout(spec).slots) {
      const r = ref.grads[s.layer.name];
      for (const [which, off, arr] of [['weight', s.wOff, r.weight], ['bias', s.bOff, r.bias]] as const) {
        let error = 0;
        arr.forEach((v, i) => (error = Math.max(error, Math.abs(v - g[off + i]))));
        gradients.push({ layer: s.layer.name, which, scale: Math.max(...Array.from(arr, Math.abs)), error });
      }
    }
    return { outputError, lossRatio: lossSum / (B * 3 * W * H) / ref.loss, gradients };
  } finally {
    graph.destroy();
    buffers.destroy();
  }
}
