// One training graph: the activations and gradients of the network for a fixed batch and crop size, with every
// pass's bind group and uniforms built once, so that a training step is a single command buffer:
// forward, loss, backward (data and weight gradients), then (optionally) Adam. The parameters, their gradients
// and Adam's moments live in buffers owned by the caller (the trainer), shared by graphs of other sizes.
import { sizeMultiple, type NetworkSpec } from '../denoise/spec.ts';
import type { GpuContext } from '../gpu/context.ts';
import { dispatch1d, type KernelName, type TrainKernels } from './kernels.ts';
import { LOSS_CODES, type LossKind } from './loss.ts';
import { paramLayout } from './params.ts';

const SLOT = 256;
/** Column strips per partial weight-gradient sum: each of a workgroup's 32 invocations sums 32 of them. */
const CHUNK_STRIPS = 1024;

export interface GraphSize {
  batch: number;
  width: number;
  height: number;
}

export interface ParamBuffers {
  params: GPUBuffer;
  grads: GPUBuffer;
}

interface Tensor {
  name: string;
  channels: number;
  width: number;
  height: number;
  buffer: GPUBuffer;
  grad: GPUBuffer | null;
}

interface Pass {
  label: string;
  kernel: KernelName;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

const storageUsage = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;

export class TrainGraph {
  readonly input: Tensor;
  readonly output: Tensor;
  private readonly targetBuffer: GPUBuffer | null = null;
  private readonly lossSumBuffer: GPUBuffer | null = null;
  private readonly buffers: GPUBuffer[] = [];
  private readonly forwardPasses: Pass[] = [];
  private readonly backwardPasses: Pass[] = [];
  private readonly lossPasses: Pass[] = [];
  private readonly gradBuffers: GPUBuffer[] = [];
  private readonly uniform: GPUBuffer;

  constructor(
    private readonly gpu: GpuContext,
    private readonly kernels: TrainKernels,
    readonly spec: NetworkSpec,
    readonly size: GraphSize,
    pb: ParamBuffers,
    /** The training loss; null for a forward-only (inference) graph, which allocates no gradients. */
    loss: LossKind | null,
  ) {
    const { batch, width, height } = size;
    const m = sizeMultiple(spec);
    if (!(batch >= 1 && width >= m && height >= m && width % m === 0 && height % m === 0)) {
      throw new RangeError(`training graph: ${batch} x ${width}x${height} is not a batch of sizes that are multiples of ${m}`);
    }
    const layout = paramLayout(spec);
    const uniforms: ArrayBuffer[] = [];
    const slot = (data: ArrayBuffer): { offset: number; size: number } => {
      uniforms.push(data);
      return { offset: (uniforms.length - 1) * SLOT, size: data.byteLength };
    };
    const plans: { kernel: KernelName; label: string; buffers: () => GPUBuffer[]; u: { offset: number; size: number }; wg: [number, number, number]; into: Pass[] }[] = [];
    const add = (into: Pass[], kernel: KernelName, label: string, buffers: () => GPUBuffer[], u: ArrayBuffer, wg: [number, number, number]) =>
      plans.push({ kernel, label, buffers, u: slot(u), wg, into });

    const tensor = (name: string, channels: number, level: number, needsGrad: boolean): Tensor => {
      const w = width >> level, h = height >> level;
      const bytes = batch * channels * w * h * 4;
      const buffer = this.buffer(`train ${name}`, bytes);
      const grad = needsGrad && loss !== null ? this.buffer(`train ${name} grad`, bytes) : null;
      if (grad) this.gradBuffers.push(grad);
      return { name, channels, width: w, height: h, buffer, grad };
    };
    const ew = (n: number, op: number, w: number, h: number, slope: number): ArrayBuffer => {
      const u = new ArrayBuffer(32);
      new Uint32Array(u, 0, 4).set([n, op, w, h]);
      new Float32Array(u, 16, 1)[0] = slope;
      return u;
    };

    const convU = (k: number, mode: number, chunkStrips: number): ArrayBuffer => {
      const s = layout.slots[k];
      const st = steps[k];
      const u = new ArrayBuffer(48);
      const v = new Uint32Array(u);
      v.set([st.out.width, st.out.height, batch, s.layer.upChannels, s.layer.inChannels - s.layer.upChannels, s.layer.outChannels, s.wOff, s.bOff]);
      new Float32Array(u)[8] = spec.leakySlope;
      v[9] = s.layer.activation ? 1 : 0;
      v[10] = chunkStrips;
      v[11] = mode;
      return u;
    };
    // Forward and data-gradient convs: workgroups of 16 x 4 invocations, each a column strip of R rows (R / 2
    // coarse rows for the upsampled input's gradient) x 8 channels (`blocks` of them along z, per image).
    const blocks = (n: number) => Math.ceil(n / 8);
    const R = kernels.stripRows;
    this.input = tensor('input', spec.inputs.length * 3, 0, false);
    const skips: Tensor[] = [];
    const steps: { slotIndex: number; up: Tensor | null; main: Tensor; out: Tensor; pooledFrom: Tensor | null; pooled: Tensor | null }[] = [];
    let x = this.input;
    layout.slots.forEach((s, k) => {
      const c = s.layer;
      let pooledFrom: Tensor | null = null;
      let pooled: Tensor | null = null;
      if (c.poolBefore) {
        pooledFrom = x;
        pooled = tensor(`pool${c.level}`, x.channels, c.level, true);
        const n = batch * x.channels * pooled.width * pooled.height;
        const from = x, to = pooled;
        add(this.forwardPasses, 'elementwise', `train pool${c.level}`, () => [to.buffer, from.buffer, from.buffer], ew(n, 1, to.width, to.height, 0), [...dispatch1d(n), 1]);
        x = pooled;
      }
      if (c.savesSkip) skips[c.level] = x;
      const up = c.upChannels > 0 ? x : null;
      const main = up ? skips[c.level] : x;
      const out = tensor(c.name, c.outChannels, c.level, true);
      const st = { slotIndex: k, up, main, out, pooledFrom, pooled };
      steps.push(st);
      add(this.forwardPasses, 'convFwd', `train ${c.name} fwd`, () => [(st.up ?? st.main).buffer, st.main.buffer, pb.params, st.out.buffer], convU(k, 0, 0),
        [Math.ceil(out.width / 16), Math.ceil(out.height / (4 * R)), batch * blocks(c.outChannels)]);
      x = out;
    });
    this.output = x;
    if (loss !== null) {
      const target = (this.targetBuffer = this.buffer('train target', batch * 3 * width * height * 4));
      const lossSum = (this.lossSumBuffer = this.buffer('train loss sum', 16));
      const nOut = batch * 3 * width * height;
      const lossElems = this.buffer('train loss elements', nOut * 4);
      // Loss: gradient at the output and per-element losses.
      const lu = new ArrayBuffer(16);
      new Uint32Array(lu).set([nOut, LOSS_CODES[loss], 0, 0]);
      const outT = this.output;
      add(this.lossPasses, 'loss', 'train loss', () => [outT.buffer, target, outT.grad!, lossElems], lu, [...dispatch1d(nOut), 1]);
      const su = new ArrayBuffer(16);
      new Uint32Array(su).set([nOut, 0, 0, 0]);
      add(this.lossPasses, 'sum', 'train loss sum', () => [lossElems, lossSum], su, [1, 1, 1]);
      // Backward, last conv first.
      let partialFloats = 0;
      for (let k = steps.length - 1; k >= 0; k--) {
        const st = steps[k];
        const s = layout.slots[k];
        const c = s.layer;
        const w = st.out.width, h = st.out.height;
        const n = batch * c.outChannels * w * h;
        if (c.activation) {
          add(this.backwardPasses, 'elementwise', `train ${c.name} act bwd`, () => [st.out.grad!, st.out.buffer, st.out.buffer], ew(n, 0, 0, 0, spec.leakySlope), [...dispatch1d(n), 1]);
        }
        const chunks = Math.ceil((batch * w * Math.ceil(h / R)) / CHUNK_STRIPS);
        partialFloats = Math.max(partialFloats, chunks * (s.nW + c.outChannels));
        add(this.backwardPasses, 'convBwdWeight', `train ${c.name} dW`, () => [st.out.grad!, (st.up ?? st.main).buffer, st.main.buffer, this.partial!], convU(k, 0, CHUNK_STRIPS),
          [Math.ceil(c.outChannels / 8), c.inChannels, chunks]);
        const ru = new ArrayBuffer(32);
        new Uint32Array(ru).set([s.nW, c.outChannels, chunks, s.wOff, s.bOff, 0, 0, 0]);
        add(this.backwardPasses, 'reduce', `train ${c.name} dW reduce`, () => [this.partial!, pb.grads], ru, [...dispatch1d(s.nW + c.outChannels), 1]);
        if (st.main.grad) {
          const cm = c.inChannels - c.upChannels;
          add(this.backwardPasses, 'convBwdData', `train ${c.name} dX`, () => [st.out.grad!, pb.params, st.main.grad!], convU(k, 0, 0), [Math.ceil(w / 16), Math.ceil(h / (4 * R)), batch * blocks(cm)]);
        }
        if (st.up?.grad) {
          add(this.backwardPasses, 'convBwdData', `train ${c.name} dUp`, () => [st.out.grad!, pb.params, st.up!.grad!], convU(k, 1, 0),
            [Math.ceil(w / 2 / 16), Math.ceil(h / 2 / (4 * (R / 2))), batch * blocks(c.upChannels)]);
        }
        if (st.pooled && st.pooledFrom?.grad) {
          const p = st.pooled, f = st.pooledFrom;
          const np = batch * p.channels * p.width * p.height;
          add(this.backwardPasses, 'elementwise', `train pool${c.level} bwd`, () => [f.grad!, f.buffer, p.grad!], ew(np, 2, p.width, p.height, 0), [...dispatch1d(np), 1]);
        }
      }
      this.partial = this.buffer('train dW partials', Math.max(16, partialFloats * 4));
    }

    this.uniform = gpu.device.createBuffer({ label: 'train graph uniforms', size: Math.max(SLOT, uniforms.length * SLOT), usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const all = new Uint8Array(uniforms.length * SLOT);
    uniforms.forEach((u, i) => all.set(new Uint8Array(u), i * SLOT));
    gpu.device.queue.writeBuffer(this.uniform, 0, all);
    for (const p of plans) {
      p.into.push({
        label: p.label,
        kernel: p.kernel,
        bindGroup: kernels.bindGroup(p.kernel, p.label, p.buffers(), { buffer: this.uniform, ...p.u }),
        workgroups: p.wg,
      });
    }
  }

  private partial: GPUBuffer | null = null;

  /** Linear RGB targets, channels-first per image, like the output (training graphs only). */
  get target(): GPUBuffer {
    if (!this.targetBuffer) throw new Error('forward-only training graph: no target');
    return this.targetBuffer;
  }

  /** Where the loss pass writes the batch's summed loss (training graphs only). */
  get lossSum(): GPUBuffer {
    if (!this.lossSumBuffer) throw new Error('forward-only training graph: no loss');
    return this.lossSumBuffer;
  }

  private buffer(label: string, bytes: number): GPUBuffer {
    const b = this.gpu.device.createBuffer({ label, size: Math.max(16, bytes), usage: storageUsage() });
    this.buffers.push(b);
    return b;
  }

  private run(pass: GPUComputePassEncoder, list: Pass[]): void {
    for (const p of list) {
      const k = this.kernels.get(p.kernel);
      pass.setPipeline(k.pipeline);
      pass.setBindGroup(0, p.bindGroup);
      pass.dispatchWorkgroups(...p.workgroups);
    }
  }

  /** Records the forward pass (input -> output). */
  encodeForward(enc: GPUCommandEncoder): void {
    const pass = enc.beginComputePass({ label: 'train forward' });
    this.run(pass, this.forwardPasses);
    pass.end();
  }

  /** Zeroes the activations' gradients, which the backward passes accumulate into (encodeBackward does this first). */
  encodeClearGradients(enc: GPUCommandEncoder): void {
    for (const g of this.gradBuffers) enc.clearBuffer(g);
  }

  /** Records loss + backward: afterwards the caller's gradient buffer holds d(mean loss)/d(params). */
  encodeBackward(enc: GPUCommandEncoder): void {
    if (!this.targetBuffer) throw new Error('forward-only training graph: no backward pass');
    this.encodeClearGradients(enc);
    const pass = enc.beginComputePass({ label: 'train loss + backward' });
    this.run(pass, this.lossPasses);
    this.run(pass, this.backwardPasses);
    pass.end();
  }

  /** A training step's passes in order: forward, loss, backward. */
  private stepOrder(): Pass[] {
    if (!this.targetBuffer) throw new Error('forward-only training graph: no backward pass');
    return [...this.forwardPasses, ...this.lossPasses, ...this.backwardPasses];
  }

  /**
   * Forward, loss and backward as `slices` recorders of about equal numbers of dispatches, to be submitted one
   * after another with other GPU work (the app's render frames) free to run in between. The same dispatches in
   * the same order as encodeForward + encodeBackward, so the result is bitwise the same; the gradient buffers are
   * cleared in the first slice (the forward passes do not touch them).
   */
  stepSlices(slices: number): ((enc: GPUCommandEncoder) => void)[] {
    const all = this.stepOrder();
    const n = Math.max(1, Math.min(Math.floor(slices), all.length));
    return Array.from({ length: n }, (_, i) => (enc: GPUCommandEncoder) => {
      if (i === 0) for (const g of this.gradBuffers) enc.clearBuffer(g);
      const pass = enc.beginComputePass({ label: `train step slice ${i + 1}/${n}` });
      this.run(pass, all.slice(Math.floor((i * all.length) / n), Math.floor(((i + 1) * all.length) / n)));
      pass.end();
    });
  }

  /**
   * Every pass of a training step (forward, loss, backward) in order, each able to record itself alone: for
   * timing the passes one by one (bench/train.ts --profile). Recorded in order after encodeClearGradients, they
   * compute what encodeForward + encodeBackward do.
   */
  stepPasses(): { label: string; kernel: KernelName; workgroups: readonly number[]; encode(enc: GPUCommandEncoder): void }[] {
    return this.stepOrder().map((p) => ({
      label: p.label, kernel: p.kernel, workgroups: p.workgroups,
      encode: (enc: GPUCommandEncoder) => {
        const pass = enc.beginComputePass({ label: p.label });
        this.run(pass, [p]);
        pass.end();
      },
    }));
  }

  /** Bytes of GPU memory this graph owns. */
  get bytes(): number {
    return this.buffers.reduce((s, b) => s + b.size, 0) + this.uniform.size;
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.uniform.destroy();
  }
}
