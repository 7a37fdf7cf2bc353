// The network's parameters as one flat float32 buffer (what the training kernels and Adam work on): per conv, in
// convLayers order, its weights [out][in][3][3] then its biases.
import { convLayers, type ConvLayer, type NetworkSpec } from '../denoise/spec.ts';
import { checkWeights, type NetworkWeights } from '../denoise/weights.ts';

export interface ParamSlot {
  layer: ConvLayer;
  /** Offset of the weights and of the biases, in floats. */
  wOff: number;
  bOff: number;
  /** Number of weights (out * in * 9). */
  nW: number;
}

export interface ParamLayout {
  slots: ParamSlot[];
  /** Total parameters. */
  total: number;
}

export function paramLayout(spec: NetworkSpec): ParamLayout {
  let off = 0;
  const slots = convLayers(spec).map((layer) => {
    const nW = layer.outChannels * layer.inChannels * 9;
    const slot = { layer, wOff: off, bOff: off + nW, nW };
    off += nW + layer.outChannels;
    return slot;
  });
  return { slots, total: off };
}

export function packParams(spec: NetworkSpec, weights: NetworkWeights): Float32Array {
  checkWeights(spec, weights);
  const { slots, total } = paramLayout(spec);
  const flat = new Float32Array(total);
  for (const s of slots) {
    flat.set(weights[s.layer.name].weight, s.wOff);
    flat.set(weights[s.layer.name].bias, s.bOff);
  }
  return flat;
}

export function unpackParams(spec: NetworkSpec, flat: Float32Array): NetworkWeights {
  const { slots, total } = paramLayout(spec);
  if (flat.length !== total) throw new RangeError(`unpackParams: ${flat.length} values for ${total} parameters of '${spec.name}'`);
  const w: NetworkWeights = {};
  for (const s of slots) {
    w[s.layer.name] = {
      weight: flat.slice(s.wOff, s.wOff + s.nW),
      bias: flat.slice(s.bOff, s.bOff + s.layer.outChannels),
    };
  }
  return w;
}
