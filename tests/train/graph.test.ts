// The WGSL training passes against the float64 reference: network output, loss and every parameter gradient,
// for each loss, on a batch of two with non-square crops, and with both strip heights of the conv kernels on
// sizes whose levels are not whole strips (and narrower and wider than a workgroup).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convLayers } from '../../src/denoise/spec.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import { TrainGraph } from '../../src/train/graph.ts';
import { STRIP_ROWS, TrainKernels, type StripRows } from '../../src/train/kernels.ts';
import { LOSS_KINDS } from '../../src/train/loss.ts';
import { transformBatch } from '../../src/train/data.ts';
import { paramLayout } from '../../src/train/params.ts';
import { NetworkTrainer } from '../../src/train/trainer.ts';
import { f32, paramBuffers, randomT64, stepVsReference, TINY_SPEC, tinyWeights } from './support.ts';

const spec = TINY_SPEC;
let gpu: GpuContext;
let defaultKernels: TrainKernels;
const byRows = new Map<StripRows, TrainKernels>();

beforeAll(async () => {
  gpu = await createNodeGpuContext();
  defaultKernels = await TrainKernels.create(gpu);
  for (const r of STRIP_ROWS) byRows.set(r, await TrainKernels.create(gpu, { stripRows: r }));
});
afterAll(() => gpu?.destroy());

describe('training graph (WGSL) vs the float64 reference', () => {
  const cases: { loss: (typeof LOSS_KINDS)[number]; saturate: boolean; size: [number, number]; rows?: StripRows }[] = [
    ...LOSS_KINDS.map((loss) => ({ loss, saturate: false, size: [12, 8] as [number, number] })),
    { loss: 'hdr', saturate: true, size: [12, 8] },
    ...STRIP_ROWS.map((rows) => ({ loss: 'hdr' as const, saturate: false, size: [20, 24] as [number, number], rows })),
  ];
  for (const { loss, saturate, size, rows } of cases) {
    it(`${loss}${saturate ? ', outputs past the clamp' : ''}, ${size.join('x')}${rows ? `, strips of ${rows} rows` : ''}: output, loss and gradients`, async () => {
      const [B, W, H] = [2, ...size];
      const kernels = rows ? byRows.get(rows)! : defaultKernels;
      if (rows) expect(kernels.stripRows).toBe(rows);
      const weights = tinyWeights(21);
      // Red far above the output transform's clamp (straight-through derivative there).
      if (saturate) weights.out.bias[0] = 0.8;
      const c = await stepVsReference(gpu, kernels, spec, weights, loss, [B, W, H]);
      expect(c.outputError).toBeLessThan(2e-6);
      expect(c.lossRatio).toBeCloseTo(1, 5);
      for (const l of c.gradients) {
        expect(l.scale, `${l.layer}.${l.which} has a gradient`).toBeGreaterThan(0);
        expect(l.error / l.scale, `${l.layer}.${l.which}`).toBeLessThan(1e-4);
      }
      expect(c.gradients.length).toBe(2 * paramLayout(spec).slots.length);
      expect(convLayers(spec).length).toBe(paramLayout(spec).slots.length);
    });
  }

  it('strip heights: software adapters default to 8 rows, GPUs to 4; other heights are refused', async () => {
    expect(defaultKernels.stripRows).toBe(gpu.adapter.isFallback ? 8 : 4);
    await expect(TrainKernels.create(gpu, { stripRows: 6 as StripRows })).rejects.toThrow(/stripRows must be one of 4, 8, got 6/);
  });

  it('the trainer applies batch transforms on the GPU as transformBatch does on the CPU', async () => {
    const [B, C] = [8, 8];
    const inC = spec.inputs.length * 3;
    const input = Float32Array.from(f32(randomT64(B * inC, C, C, 3, -0.5, 0.5)).d);
    const target = Float32Array.from(f32(randomT64(B * 3, C, C, 4, 0, 1.5)).d);
    const raw = { input, target, transforms: Uint32Array.from([0, 1, 2, 3, 4, 5, 6, 7]) };
    const results: { loss: number | null; grads: Float32Array }[] = [];
    for (const batch of [raw, transformBatch(raw, inC, C)]) {
      const trainer = await NetworkTrainer.create(gpu, { spec, weights: tinyWeights(8), loss: 'l2', batch: B, crop: C }, defaultKernels);
      try {
        const loss = await trainer.trainStep(batch, 1e-3, true);
        results.push({ loss, grads: await trainer.gradients() });
      } finally {
        trainer.destroy();
      }
    }
    expect(results[0].loss).toBe(results[1].loss);
    expect(results[0].grads).toEqual(results[1].grads);
    // an identity-free check that the transforms mattered: untransformed crops give other gradients
    const trainer = await NetworkTrainer.create(gpu, { spec, weights: tinyWeights(8), loss: 'l2', batch: B, crop: C }, defaultKernels);
    try {
      await trainer.trainStep({ input, target }, 1e-3, true);
      expect(await trainer.gradients()).not.toEqual(results[0].grads);
      // profiling a step times every pass and leaves the weights alone
      const before = await trainer.state();
      const prof = await trainer.profileStep(2);
      expect(prof.every((p) => Number.isFinite(p.ms) && p.ms >= 0)).toBe(true);
      const labels = prof.map((p) => p.label);
      for (const l of convLayers(spec)) expect(labels).toEqual(expect.arrayContaining([`train ${l.name} fwd`, `train ${l.name} dW`]));
      expect((await trainer.state()).params).toEqual(before.params);
      await expect(trainer.trainStep({ ...raw, transforms: Uint32Array.from([0, 1, 2, 3, 4, 5, 6, 8]) }, 1e-3)).rejects.toThrow(/8 values in 0..7/);
    } finally {
      trainer.destroy();
    }
  });

  it('the step\'s passes recorded one by one (for profiling) compute the same gradients as the whole step', async () => {
    const [W, H] = [12, 8];
    const buffers = paramBuffers(gpu, spec, tinyWeights(6));
    const grads = buffers.grads;
    const graph = new TrainGraph(gpu, defaultKernels, spec, { batch: 2, width: W, height: H }, buffers, 'hdr');
    try {
      gpu.device.queue.writeBuffer(graph.input.buffer, 0, Float32Array.from(f32(randomT64(18, W, H, 8, -0.5, 0.5)).d));
      gpu.device.queue.writeBuffer(graph.target, 0, Float32Array.from(f32(randomT64(6, W, H, 9, 0, 1.5)).d));
      let enc = gpu.device.createCommandEncoder();
      graph.encodeForward(enc);
      graph.encodeBackward(enc);
      gpu.device.queue.submit([enc.finish()]);
      const whole = new Float32Array(await gpu.readBuffer(grads));
      const passes = graph.stepPasses();
      expect(passes.map((p) => p.kernel)).toEqual(expect.arrayContaining(['convFwd', 'convBwdWeight', 'convBwdData', 'loss']));
      // twice: the second time proves encodeClearGradients resets what the first accumulated
      for (let round = 0; round < 2; round++) {
        enc = gpu.device.createCommandEncoder();
        graph.encodeClearGradients(enc);
        gpu.device.queue.submit([enc.finish()]);
        for (const p of passes) {
          enc = gpu.device.createCommandEncoder();
          p.encode(enc);
          gpu.device.queue.submit([enc.finish()]);
        }
        expect(new Float32Array(await gpu.readBuffer(grads))).toEqual(whole);
      }
    } finally {
      graph.destroy();
      buffers.destroy();
    }
  });

  it('a forward-only graph computes the same output without gradient memory', async () => {
    const [W, H] = [12, 8];
    const buffers = paramBuffers(gpu, spec, tinyWeights(5));
    const train = new TrainGraph(gpu, defaultKernels, spec, { batch: 1, width: W, height: H }, buffers, 'l2');
    const fwd = new TrainGraph(gpu, defaultKernels, spec, { batch: 1, width: W, height: H }, buffers, null);
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
      buffers.destroy();
    }
  });
});
