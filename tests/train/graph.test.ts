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
import { packParams, paramLayout } from '../../src/train/params.ts';
import { NetworkTrainer } from '../../src/train/trainer.ts';
import { forward64, lossAndGrads64 } from '../../src/train/reference.ts';
import { f32, randomT64, TINY_SPEC, tinyWeights } from './support.ts';

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
    const flat = packParams(spec, tinyWeights(6));
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const params = gpu.createBufferWithData('test params', flat, usage);
    const grads = gpu.device.createBuffer({ label: 'test grads', size: flat.byteLength, usage });
    const graph = new TrainGraph(gpu, defaultKernels, spec, { batch: 2, width: W, height: H }, { params, grads }, 'hdr');
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
      params.destroy();
      grads.destroy();
    }
  });

  it('a forward-only graph computes the same output without gradient memory', async () => {
    const [W, H] = [12, 8];
    const flat = packParams(spec, tinyWeights(5));
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const params = gpu.createBufferWithData('test params', flat, usage);
    const grads = gpu.device.createBuffer({ label: 'test grads', size: flat.byteLength, usage });
    const train = new TrainGraph(gpu, defaultKernels, spec, { batch: 1, width: W, height: H }, { params, grads }, 'l2');
    const fwd = new TrainGraph(gpu, defaultKernels, spec, { batch: 1, width: W, height: H }, { params, grads }, null);
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
