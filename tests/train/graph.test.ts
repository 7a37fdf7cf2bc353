// The WGSL training passes against the float64 reference: network output, loss and every parameter gradient,
// for each loss, on a batch of two with non-square crops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convLayers } from '../../src/denoise/spec.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { TrainGraph } from '../../src/train/graph.ts';
import { TrainKernels } from '../../src/train/kernels.ts';
import { LOSS_KINDS } from '../../src/train/loss.ts';
import { packParams, paramLayout } from '../../src/train/params.ts';
import { forward64, lossAndGrads64 } from '../../src/train/reference.ts';
import { f32, randomT64, TINY_SPEC, tinyWeights } from './support.ts';

const spec = TINY_SPEC;
let gpu: GpuContext;
let kernels: TrainKernels;

beforeAll(async () => {
  gpu = await createNodeGpuContext();
  kernels = await TrainKernels.create(gpu);
});
afterAll(() => gpu?.destroy());

describe('training graph (WGSL) vs the float64 reference', () => {
  const cases = [...LOSS_KINDS.map((loss) => ({ loss, saturate: false })), { loss: 'hdr' as const, saturate: true }];
  for (const { loss, saturate } of cases) {
    it(`${loss}${saturate ? ', outputs past the clamp' : ''}: output, loss and gradients`, async () => {
      const [B, W, H] = [2, 12, 8];
      const weights = tinyWeights(21);
      // Red far above the output transform's clamp (straight-through derivative there).
      if (saturate) weights.out.bias[0] = 0.8;
      const flat = packParams(spec, weights);
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      const params = gpu.createBufferWithData('test params', flat, usage);
      const grads = gpu.device.createBuffer({ label: 'test grads', size: flat.byteLength, usage });
      const graph = new TrainGraph(gpu, kernels, spec, { batch: B, width: W, height: H }, { params, grads }, loss);
      try {
        const inputs = [0, 1].map((b) => f32(randomT64(9, W, H, 30 + b, -0.5, 0.5)));
        const targets = [0, 1].map((b) => f32(randomT64(3, W, H, 40 + b, 0, 1.5)));
        const cat = (ts: typeof inputs) => Float32Array.from(ts.flatMap((t) => Array.from(t.d)));
        gpu.device.queue.writeBuffer(graph.input.buffer, 0, cat(inputs));
        gpu.device.queue.writeBuffer(graph.target, 0, cat(targets));
        await gpu.scoped('train step', async () => {
          const enc = gpu.device.createCommandEncoder({ label: 'test step' });
          graph.encodeForward(enc);
          graph.encodeBackward(enc);
          gpu.device.queue.submit([enc.finish()]);
        });
        const out = new Float32Array(await gpu.readBuffer(graph.output.buffer));
        const g = new Float32Array(await gpu.readBuffer(grads));
        const lossSum = new Float32Array(await gpu.readBuffer(graph.lossSum))[0];
        const ref = lossAndGrads64(spec, weights, loss, inputs, targets);
        const refOut = inputs.flatMap((x) => Array.from(forward64(spec, weights, x).output.d));
        let outErr = 0;
        refOut.forEach((v, i) => (outErr = Math.max(outErr, Math.abs(v - out[i]))));
        expect(outErr).toBeLessThan(2e-6);
        expect(lossSum / (B * 3 * W * H) / ref.loss).toBeCloseTo(1, 5);
        for (const s of paramLayout(spec).slots) {
          const r = ref.grads[s.layer.name];
          for (const [which, off, arr] of [['weight', s.wOff, r.weight], ['bias', s.bOff, r.bias]] as const) {
            const scale = Math.max(...Array.from(arr, Math.abs));
            expect(scale, `${s.layer.name}.${which} has a gradient`).toBeGreaterThan(0);
            let err = 0;
            arr.forEach((v, i) => (err = Math.max(err, Math.abs(v - g[off + i]))));
            expect(err / scale, `${s.layer.name}.${which}`).toBeLessThan(1e-4);
          }
        }
        expect(convLayers(spec).length).toBe(paramLayout(spec).slots.length);
      } finally {
        graph.destroy();
        params.destroy();
        grads.destroy();
      }
    });
  }

  it('a forward-only graph computes the same output without gradient memory', async () => {
    const [W, H] = [12, 8];
    const flat = packParams(spec, tinyWeights(5));
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const params = gpu.createBufferWithData('test params', flat, usage);
    const grads = gpu.device.createBuffer({ label: 'test grads', size: flat.byteLength, usage });
    const train = new TrainGraph(gpu, kernels, spec, { batch: 1, width: W, height: H }, { params, grads }, 'l2');
    const fwd = new TrainGraph(gpu, kernels, spec, { batch: 1, width: W, height: H }, { params, grads }, null);
    try {
      const x = Float32Array.from(f32(randomT64(9, W, H, 77, -0.5, 0.5)).d);
      const outputs: Float32Array[] = [];
      for (const g of [train, fwd]) {
        gpu.device.queue.writeBuffer(g.input.buffer, 0, x);
        const enc = gpu.device.createCommandEncoder({ label: 'test forward' });
        g.encodeForward(enc);
        gpu.device.queue.submit([enc.finish()]);
        outputs.push(new Float32Array(await gpu.readBuffer(g.output.buffer)));
      }
      expect(outputs[1]).toEqual(outputs[0]);
      expect(fwd.bytes).toBeLessThan(train.bytes / 2);
      expect(() => fwd.encodeBackward(gpu.device.createCommandEncoder())).toThrow(/forward-only/);
      expect(() => fwd.target).toThrow(/forward-only/);
    } finally {
      train.destroy();
      fwd.destroy();
      params.destroy();
      grads.destroy();
    }
  });
});
