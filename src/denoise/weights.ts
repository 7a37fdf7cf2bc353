// Network weights: in memory (float32 per conv layer) and as a small binary file.
//
// File layout (little-endian):
//   0  magic "TLNW"            4 bytes
//   4  version                 u32 (= 1)
//   8  spec hash               u64 (FNV-1a of the spec's architecture, see specHash)
//  16  tensor count            u32
//  20  table                   per tensor: u16 name length, name (UTF-8), u8 dtype (0 = f32, 1 = f16),
//                              u8 rank, u32 dims[rank]
//      data                    each tensor's values in table order, starting at a 4-byte aligned offset,
//                              row-major; conv weights are [out][in][ky][kx] (PyTorch's OIHW), biases [out]
// The file ends exactly after the last tensor.
import { fromHalf, toHalf } from '../image/exr-write.ts';
import { convLayers, specHash, type NetworkSpec } from './spec.ts';

export const WEIGHTS_MAGIC = 'TLNW';
export const WEIGHTS_VERSION = 1;
export type WeightDType = 'f32' | 'f16';

/** One conv layer's parameters: `weight` is [out][in][3][3], `bias` is [out]. */
export interface LayerWeights {
  weight: Float32Array;
  bias: Float32Array;
}
/** All layers, by ConvLayer.name. */
export type NetworkWeights = Record<string, LayerWeights>;

export class WeightsError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'WeightsError';
  }
}

export interface TensorInfo {
  name: string;
  shape: number[];
}

/** The tensors a spec needs, in file order: `<layer>.weight` then `<layer>.bias` for each conv. */
export function expectedTensors(spec: NetworkSpec): TensorInfo[] {
  return convLayers(spec).flatMap((c) => [
    { name: `${c.name}.weight`, shape: [c.outChannels, c.inChannels, 3, 3] },
    { name: `${c.name}.bias`, shape: [c.outChannels] },
  ]);
}

/** Throws a WeightsError unless `weights` has every layer of `spec` with the right sizes. */
export function checkWeights(spec: NetworkSpec, weights: NetworkWeights, source = 'weights'): void {
  for (const c of convLayers(spec)) {
    const lw = weights[c.name];
    if (!lw) throw new WeightsError(source, `missing layer '${c.name}' of spec '${spec.name}'`);
    const n = c.outChannels * c.inChannels * 9;
    if (!(lw.weight instanceof Float32Array) || lw.weight.length !== n) {
      throw new WeightsError(source, `layer '${c.name}' weight has ${lw.weight?.length} values, expected ${n} ([${c.outChannels}, ${c.inChannels}, 3, 3])`);
    }
    if (!(lw.bias instanceof Float32Array) || lw.bias.length !== c.outChannels) {
      throw new WeightsError(source, `layer '${c.name}' bias has ${lw.bias?.length} values, expected ${c.outChannels}`);
    }
  }
}

/** Seeded uniform [0, 1) (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * He (Kaiming) normal initialisation for a leaky-ReLU network: std = sqrt(2 / ((1 + a^2) fan_in)), fan_in = 9 in;
 * the final linear conv uses std = sqrt(1 / fan_in). Biases are zero. Same seed, same weights.
 */
export function initWeights(spec: NetworkSpec, seed = 1): NetworkWeights {
  const rand = mulberry32(seed);
  const normal = (): number => {
    const u = 1 - rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  const out: NetworkWeights = {};
  for (const c of convLayers(spec)) {
    const gain = c.activation ? 2 / (1 + spec.leakySlope ** 2) : 1;
    const std = Math.sqrt(gain / (c.inChannels * 9));
    const weight = new Float32Array(c.outChannels * c.inChannels * 9);
    for (let i = 0; i < weight.length; i++) weight[i] = normal() * std;
    out[c.name] = { weight, bias: new Float32Array(c.outChannels) };
  }
  return out;
}

function tensorData(weights: NetworkWeights, name: string): Float32Array {
  const [layer, kind] = [name.slice(0, name.lastIndexOf('.')), name.slice(name.lastIndexOf('.') + 1)];
  return kind === 'weight' ? weights[layer].weight : weights[layer].bias;
}

/** Serialises weights for `spec` (values rounded to half precision when dtype is 'f16'). */
export function encodeWeights(spec: NetworkSpec, weights: NetworkWeights, dtype: WeightDType = 'f32'): Uint8Array {
  checkWeights(spec, weights);
  const tensors = expectedTensors(spec);
  const enc = new TextEncoder();
  const names = tensors.map((t) => enc.encode(t.name));
  let tableBytes = 0;
  tensors.forEach((t, i) => (tableBytes += 2 + names[i].length + 2 + 4 * t.shape.length));
  let offset = Math.ceil((20 + tableBytes) / 4) * 4;
  const elem = dtype === 'f32' ? 4 : 2;
  const starts = tensors.map((t) => {
    const start = offset;
    offset = Math.ceil((offset + elem * t.shape.reduce((a, b) => a * b, 1)) / 4) * 4;
    return start;
  });
  const bytes = new Uint8Array(offset);
  const view = new DataView(bytes.buffer);
  bytes.set(enc.encode(WEIGHTS_MAGIC), 0);
  view.setUint32(4, WEIGHTS_VERSION, true);
  view.setBigUint64(8, BigInt(`0x${specHash(spec)}`), true);
  view.setUint32(16, tensors.length, true);
  let p = 20;
  tensors.forEach((t, i) => {
    view.setUint16(p, names[i].length, true);
    bytes.set(names[i], p + 2);
    p += 2 + names[i].length;
    view.setUint8(p, dtype === 'f32' ? 0 : 1);
    view.setUint8(p + 1, t.shape.length);
    p += 2;
    for (const d of t.shape) (view.setUint32(p, d, true), (p += 4));
  });
  tensors.forEach((t, i) => {
    const data = tensorData(weights, t.name);
    for (let j = 0; j < data.length; j++) {
      if (dtype === 'f32') view.setFloat32(starts[i] + 4 * j, data[j], true);
      else view.setUint16(starts[i] + 2 * j, toHalf(data[j]), true);
    }
  });
  return bytes;
}

/** The spec hash a weights file's header records (16 hex digits), or null if the file is too short to hold one. */
export function weightsSpecHash(bytes: Uint8Array): string | null {
  if (bytes.byteLength < 16) return null;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(8, true).toString(16).padStart(16, '0');
}

/**
 * Reads a weights file for `spec`. Throws a WeightsError naming `file` on a bad magic, an unsupported version, a
 * spec-hash mismatch, a truncated or over-long file, or tensors whose names or shapes differ from the spec's.
 */
export function decodeWeights(spec: NetworkSpec, bytes: Uint8Array, file = 'weights'): NetworkWeights {
  const fail = (reason: string): never => {
    throw new WeightsError(file, reason);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (end: number, what: string): void => {
    if (end > bytes.byteLength) fail(`truncated: ${what} needs ${end} bytes, the file has ${bytes.byteLength}`);
  };
  need(20, 'the header');
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== WEIGHTS_MAGIC) fail(`not a tracelab weights file (magic ${JSON.stringify(magic)}, expected "${WEIGHTS_MAGIC}")`);
  const version = view.getUint32(4, true);
  if (version !== WEIGHTS_VERSION) fail(`unsupported weights version ${version} (this build reads version ${WEIGHTS_VERSION})`);
  const hash = weightsSpecHash(bytes)!;
  if (hash !== specHash(spec)) fail(`weights were made for a different network (spec hash ${hash}, '${spec.name}' has ${specHash(spec)})`);
  const expected = expectedTensors(spec);
  const count = view.getUint32(16, true);
  if (count !== expected.length) fail(`has ${count} tensors, spec '${spec.name}' needs ${expected.length}`);
  const dec = new TextDecoder('utf-8', { fatal: true });
  let p = 20;
  const table = expected.map((want, i) => {
    need(p + 2, `tensor table entry ${i}`);
    const len = view.getUint16(p, true);
    need(p + 4 + len, `tensor table entry ${i}`);
    let name = '';
    try {
      name = dec.decode(bytes.subarray(p + 2, p + 2 + len));
    } catch {
      fail(`tensor ${i}'s name is not UTF-8 (corrupt tensor table)`);
    }
    const dtype = view.getUint8(p + 2 + len);
    const rank = view.getUint8(p + 3 + len);
    p += 4 + len;
    need(p + 4 * rank, `the shape of tensor '${name}'`);
    const shape = Array.from({ length: rank }, (_, k) => view.getUint32(p + 4 * k, true));
    p += 4 * rank;
    if (name !== want.name) fail(`tensor ${i} is '${name}', expected '${want.name}'`);
    if (shape.join('x') !== want.shape.join('x')) fail(`tensor '${name}' has shape [${shape.join(', ')}], expected [${want.shape.join(', ')}]`);
    if (dtype > 1) fail(`tensor '${name}' has unknown dtype code ${dtype} (0 = f32, 1 = f16)`);
    return { name, shape, dtype };
  });
  let offset = Math.ceil(p / 4) * 4;
  const out: NetworkWeights = {};
  for (const t of table) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const elem = t.dtype === 0 ? 4 : 2;
    need(offset + n * elem, `the data of tensor '${t.name}'`);
    const data = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      data[j] = t.dtype === 0 ? view.getFloat32(offset + 4 * j, true) : fromHalf(view.getUint16(offset + 2 * j, true));
    }
    offset = Math.ceil((offset + n * elem) / 4) * 4;
    const layer = t.name.slice(0, t.name.lastIndexOf('.'));
    out[layer] ??= { weight: new Float32Array(0), bias: new Float32Array(0) };
    if (t.name.endsWith('.weight')) out[layer].weight = data;
    else out[layer].bias = data;
  }
  if (offset !== bytes.byteLength) fail(`has ${bytes.byteLength - offset} unexpected bytes after the last tensor`);
  return out;
}
