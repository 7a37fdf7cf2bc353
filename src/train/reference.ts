// The denoiser network's forward and backward passes in float64 TypeScript: the reference that the WGSL training
// kernels are tested against, itself tested against finite differences. Slow; for small sizes only.
// Same semantics as src/denoise/reference.ts (zero-padded 3x3 convs, leaky ReLU, 2x2 max-pool, nearest 2x
// upsampling concatenated before the skip tensor); leaky ReLU's derivative is taken from the sign of its output,
// and max-pool routes the gradient to the first maximum of each 2x2 block (row-major), as the GPU does.
import { convLayers, type ConvLayer, type NetworkSpec } from '../denoise/spec.ts';
import type { NetworkWeights } from '../denoise/weights.ts';
import { elementLoss, outputLinearAndSlope, type LossKind } from './loss.ts';

/** Channels-first float64 tensor: d[(c * h + y) * w + x]. */
export interface T64 {
  c: number;
  w: number;
  h: number;
  d: Float64Array;
}

export function t64(c: number, w: number, h: number): T64 {
  return { c, w, h, d: new Float64Array(c * w * h) };
}

/** Float64 gradients (or parameters), by layer name. */
export type Grads = Record<string, { weight: Float64Array; bias: Float64Array }>;

function inputAt(up: T64 | null, main: T64, i: number, x: number, y: number): number {
  if (x < 0 || y < 0 || x >= main.w || y >= main.h) return 0;
  if (up && i < up.c) return up.d[(i * up.h + (y >> 1)) * up.w + (x >> 1)];
  const j = up ? i - up.c : i;
  return main.d[(j * main.h + y) * main.w + x];
}

function conv(layer: ConvLayer, up: T64 | null, main: T64, w: ArrayLike<number>, b: ArrayLike<number>, slope: number): T64 {
  const cin = layer.inChannels;
  const out = t64(layer.outChannels, main.w, main.h);
  for (let o = 0; o < layer.outChannels; o++) {
    for (let y = 0; y < main.h; y++) {
      for (let x = 0; x < main.w; x++) {
        let s = b[o];
        for (let i = 0; i < cin; i++) {
          for (let t = 0; t < 9; t++) s += w[(o * cin + i) * 9 + t] * inputAt(up, main, i, x + (t % 3) - 1, y + Math.floor(t / 3) - 1);
        }
        out.d[(o * main.h + y) * main.w + x] = layer.activation ? Math.max(s, slope * s) : s;
      }
    }
  }
  return out;
}

function pool(x: T64): T64 {
  const out = t64(x.c, x.w / 2, x.h / 2);
  for (let c = 0; c < x.c; c++) {
    for (let y = 0; y < out.h; y++) {
      for (let xx = 0; xx < out.w; xx++) {
        const s = (c * x.h + 2 * y) * x.w + 2 * xx;
        out.d[(c * out.h + y) * out.w + xx] = Math.max(x.d[s], x.d[s + 1], x.d[s + x.w], x.d[s + x.w + 1]);
      }
    }
  }
  return out;
}

/** Every tensor of one forward pass, for the backward pass. */
interface Trace {
  /** Per layer: the coarse input (decoder convs), the main input, and the output. */
  ins: { up: T64 | null; main: T64; pooledFrom: T64 | null }[];
  outs: T64[];
}

function toF64(p: NetworkWeights | Grads, name: string): { weight: ArrayLike<number>; bias: ArrayLike<number> } {
  return p[name];
}

/** Forward pass over a preprocessed input (channels-first, float64). */
export function forward64(spec: NetworkSpec, params: NetworkWeights | Grads, input: T64): { output: T64; trace: Trace } {
  const trace: Trace = { ins: [], outs: [] };
  const skips: T64[] = [];
  let x = input;
  for (const layer of convLayers(spec)) {
    let pooledFrom: T64 | null = null;
    if (layer.poolBefore) {
      pooledFrom = x;
      x = pool(x);
    }
    if (layer.savesSkip) skips[layer.level] = x;
    const up = layer.upChannels > 0 ? x : null;
    const main = up ? skips[layer.level] : x;
    const p = toF64(params, layer.name);
    trace.ins.push({ up, main, pooledFrom });
    x = conv(layer, up, main, p.weight, p.bias, spec.leakySlope);
    trace.outs.push(x);
  }
  return { output: x, trace };
}

/** Mean loss over every element of a batch of outputs and targets (targets: channels-first linear RGB). */
export function loss64(kind: LossKind, outputs: T64[], targets: T64[]): { loss: number; grads: T64[] } {
  const n = outputs.reduce((s, o) => s + o.d.length, 0);
  let total = 0;
  const grads = outputs.map((o, k) => {
    const g = t64(o.c, o.w, o.h);
    for (let i = 0; i < o.d.length; i++) {
      const { lin, slope } = outputLinearAndSlope(o.d[i]);
      const { loss, dLdf } = elementLoss(kind, lin, targets[k].d[i]);
      total += loss;
      g.d[i] = (dLdf * slope) / n;
    }
    return g;
  });
  return { loss: total / n, grads };
}

function zeroGrads(spec: NetworkSpec): Grads {
  const g: Grads = {};
  for (const c of convLayers(spec)) g[c.name] = { weight: new Float64Array(c.outChannels * c.inChannels * 9), bias: new Float64Array(c.outChannels) };
  return g;
}

/** Adds the parameter gradients of one image to `into` (returns it); gOut is dLoss/dOutput. */
export function backward64(spec: NetworkSpec, params: NetworkWeights | Grads, trace: Trace, gOut: T64, into = zeroGrads(spec)): Grads {
  const layers = convLayers(spec);
  // Gradient per tensor object: a skip tensor receives from two consumers.
  const grad = new Map<T64, T64>();
  const gradOf = (t: T64): T64 => {
    let g = grad.get(t);
    if (!g) grad.set(t, (g = t64(t.c, t.w, t.h)));
    return g;
  };
  grad.set(trace.outs[layers.length - 1], gOut);
  for (let k = layers.length - 1; k >= 0; k--) {
    const layer = layers[k];
    const { up, main, pooledFrom } = trace.ins[k];
    const y = trace.outs[k];
    const g = gradOf(y);
    const gpre = new Float64Array(g.d.length);
    for (let i = 0; i < g.d.length; i++) gpre[i] = layer.activation && y.d[i] <= 0 ? g.d[i] * spec.leakySlope : g.d[i];
    const cin = layer.inChannels;
    const w = toF64(params, layer.name).weight;
    const gw = into[layer.name];
    const needInput = k > 0; // the network input needs no gradient
    const gUp = up && needInput ? gradOf(up) : null;
    const gMain = needInput ? gradOf(main) : null;
    for (let o = 0; o < layer.outChannels; o++) {
      for (let yy = 0; yy < y.h; yy++) {
        for (let xx = 0; xx < y.w; xx++) {
          const gv = gpre[(o * y.h + yy) * y.w + xx];
          if (gv === 0) continue;
          gw.bias[o] += gv;
          for (let i = 0; i < cin; i++) {
            for (let t = 0; t < 9; t++) {
              const sx = xx + (t % 3) - 1, sy = yy + Math.floor(t / 3) - 1;
              if (sx < 0 || sy < 0 || sx >= main.w || sy >= main.h) continue;
              const wi = (o * cin + i) * 9 + t;
              gw.weight[wi] += gv * inputAt(up, main, i, sx, sy);
              if (!needInput) continue;
              if (up && i < up.c) gUp!.d[(i * up.h + (sy >> 1)) * up.w + (sx >> 1)] += gv * w[wi];
              else gMain!.d[((up ? i - up.c : i) * main.h + sy) * main.w + sx] += gv * w[wi];
            }
          }
        }
      }
    }
    if (pooledFrom && needInput) {
      // main is the pooled tensor; its gradient is complete here (its decoder consumer ran earlier).
      const gp = gradOf(main), gf = gradOf(pooledFrom);
      for (let c = 0; c < main.c; c++) {
        for (let yy = 0; yy < main.h; yy++) {
          for (let xx = 0; xx < main.w; xx++) {
            const s = (c * pooledFrom.h + 2 * yy) * pooledFrom.w + 2 * xx;
            const cand = [s, s + 1, s + pooledFrom.w, s + pooledFrom.w + 1];
            let best = cand[0];
            for (const q of cand) if (pooledFrom.d[q] > pooledFrom.d[best]) best = q;
            gf.d[best] += gp.d[(c * main.h + yy) * main.w + xx];
          }
        }
      }
    }
  }
  return into;
}

/** Loss and parameter gradients of a batch (mean loss over every output element). */
export function lossAndGrads64(
  spec: NetworkSpec, params: NetworkWeights | Grads, kind: LossKind, inputs: T64[], targets: T64[],
): { loss: number; grads: Grads } {
  const passes = inputs.map((x) => forward64(spec, params, x));
  const { loss, grads: gOuts } = loss64(kind, passes.map((p) => p.output), targets);
  const grads = zeroGrads(spec);
  passes.forEach((p, k) => backward64(spec, params, p.trace, gOuts[k], grads));
  return { loss, grads };
}
