// The denoiser network as data: a U-Net (Noise2Noise, Lehtinen et al. 2018, appendix A) described by a small JSON
// spec, validated here, and expanded into the list of 3x3 convolutions that the runtime, the CPU reference and the
// weights file all walk in the same order.

export type InputKind = 'color' | 'albedo' | 'normal';
export const INPUT_KINDS: readonly InputKind[] = ['color', 'albedo', 'normal'];

/**
 * A U-Net. Level 0 is full resolution; level l > 0 starts with a 2x2 max-pool of level l-1's encoder output.
 * The decoder walks back up: decoder[l] runs after nearest 2x upsampling of level l+1's output concatenated
 * (upsampled channels first) with the skip tensor of level l (the input of level l's encoder: the pooled tensor,
 * or the network input at level 0). A final linear 3x3 conv maps decoder[0]'s output to `outputChannels`.
 * Every other conv is followed by a leaky ReLU with slope `leakySlope`.
 */
export interface NetworkSpec {
  format: 'tracelab-unet';
  version: 1;
  name: string;
  description: string;
  /** Input images in channel order; 'color' first; 3 channels each. */
  inputs: InputKind[];
  leakySlope: number;
  /** encoder[l] = output channels of each conv at level l; levels = encoder.length - 1 (the number of pools). */
  encoder: number[][];
  /** decoder[l] for l in 0..levels-1 = output channels of each conv at level l. */
  decoder: number[][];
  /** Always 3 (RGB). */
  outputChannels: number;
  /**
   * Albedo demodulation (needs the albedo input): the network sees colour / d and predicts the clean colour / d,
   * and the output is multiplied back by d, with d = max(albedo clamped to [0, 1], DEMOD_EPSILON) per channel
   * (src/denoise/transform.ts). Textures then pass through the albedo instead of being learned. Default false.
   */
  demodulate?: boolean;
  /**
   * Autoexposure key: the colour is scaled by k = autoexposure / E before its transform and the output divided by k,
   * E being the image's exposure statistic (geometric mean of 16x16-bin mean luminance, src/denoise/transform.ts
   * exposureStatistic), so that the network sees every image near the exposure its training data centred on. Not
   * part of the architecture hash: it only moves the input, and weights trained without it stay loadable (the
   * shipped specs' key is the median statistic of the training views). Default: none (k = 1).
   */
  autoexposure?: number;
}

export class SpecError extends Error {
  constructor(readonly source: string, readonly reason: string) {
    super(`${source}: ${reason}`);
    this.name = 'SpecError';
  }
}

/** One 3x3 convolution of the network, in execution order. */
export interface ConvLayer {
  /** Tensor-name stem in the weights file: `enc{l}.{i}`, `dec{l}.{i}` or `out`. */
  name: string;
  level: number;
  /** Channels read: `upChannels` from the upsampled coarser level, then `skipChannels` at this level (a concat), or `inChannels` from the previous tensor. */
  inChannels: number;
  upChannels: number;
  skipChannels: number;
  outChannels: number;
  /** Leaky ReLU after the conv (false only for the final linear conv). */
  activation: boolean;
  /** Max-pool the input first (the first conv of encoder level l > 0). */
  poolBefore: boolean;
  /** This conv's input is saved as the skip tensor of its level (first conv of encoder levels < levels). */
  savesSkip: boolean;
}

export const MAX_LEVELS = 8;
const MAX_CHANNELS = 1024;

export function inputChannels(spec: NetworkSpec): number {
  return spec.inputs.length * 3;
}

export function levelsOf(spec: NetworkSpec): number {
  return spec.encoder.length - 1;
}

/** The network's convolutions in execution order (encoder top-down, decoder bottom-up, then the output conv). */
export function convLayers(spec: NetworkSpec): ConvLayer[] {
  const levels = levelsOf(spec);
  const layers: ConvLayer[] = [];
  const skip: number[] = [];
  let channels = inputChannels(spec);
  for (let l = 0; l <= levels; l++) {
    skip[l] = channels;
    spec.encoder[l].forEach((out, i) => {
      layers.push({
        name: `enc${l}.${i}`, level: l, inChannels: channels, upChannels: 0, skipChannels: 0, outChannels: out,
        activation: true, poolBefore: l > 0 && i === 0, savesSkip: i === 0 && l < levels,
      });
      channels = out;
    });
  }
  for (let l = levels - 1; l >= 0; l--) {
    spec.decoder[l].forEach((out, i) => {
      const concat = i === 0;
      layers.push({
        name: `dec${l}.${i}`, level: l, inChannels: concat ? channels + skip[l] : channels,
        upChannels: concat ? channels : 0, skipChannels: concat ? skip[l] : 0, outChannels: out,
        activation: true, poolBefore: false, savesSkip: false,
      });
      channels = out;
    });
  }
  layers.push({
    name: 'out', level: 0, inChannels: channels, upChannels: 0, skipChannels: 0, outChannels: spec.outputChannels,
    activation: false, poolBefore: false, savesSkip: false,
  });
  return layers;
}

export function parameterCount(spec: NetworkSpec): number {
  return convLayers(spec).reduce((n, c) => n + c.inChannels * c.outChannels * 9 + c.outChannels, 0);
}

/** Multiply-accumulates per full-resolution pixel (a conv at level l runs on 1/4^l of the pixels). */
export function macsPerPixel(spec: NetworkSpec): number {
  return convLayers(spec).reduce((n, c) => n + (c.inChannels * c.outChannels * 9) / 4 ** c.level, 0);
}

/** Image sizes are padded up to a multiple of this so that every pool halves exactly. */
export function sizeMultiple(spec: NetworkSpec): number {
  return 2 ** levelsOf(spec);
}

/** The network's size for a width x height image: both rounded up to a multiple of 2^levels. */
export function paddedSize(spec: NetworkSpec, width: number, height: number): { width: number; height: number } {
  const m = sizeMultiple(spec);
  return { width: Math.ceil(width / m) * m, height: Math.ceil(height / m) * m };
}

/** The architecture fields only, in a fixed order: what the weights must match (names/descriptions may change). */
export function canonicalArchitecture(spec: NetworkSpec): string {
  return JSON.stringify({
    format: spec.format, version: spec.version, inputs: spec.inputs, leakySlope: spec.leakySlope,
    encoder: spec.encoder, decoder: spec.decoder, outputChannels: spec.outputChannels,
    // only when set, so that the hashes of specs (and weights files) from before the field stay the same
    ...(spec.demodulate ? { demodulate: true } : {}),
  });
}

/** 64-bit FNV-1a of the canonical architecture, as 16 hex digits (stored in weights files). */
export function specHash(spec: NetworkSpec): string {
  let h = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(canonicalArchitecture(spec));
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}

/** Validates parsed JSON as a NetworkSpec; `source` (a file name) goes into every error. */
export function parseSpec(json: unknown, source = 'network spec'): NetworkSpec {
  const fail = (reason: string): never => {
    throw new SpecError(source, reason);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('must be a JSON object');
  const o = json as Record<string, unknown>;
  const known = ['format', 'version', 'name', 'description', 'inputs', 'leakySlope', 'encoder', 'decoder', 'outputChannels', 'demodulate', 'autoexposure'];
  for (const k of Object.keys(o)) if (!known.includes(k)) fail(`unknown field '${k}' (expected ${known.join(', ')})`);
  if (o.format !== 'tracelab-unet') fail(`format must be "tracelab-unet", got ${JSON.stringify(o.format)}`);
  if (o.version !== 1) fail(`unsupported version ${JSON.stringify(o.version)} (this build reads version 1)`);
  if (typeof o.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(o.name)) fail('name must be a non-empty identifier (letters, digits, . _ -)');
  if (typeof o.description !== 'string') fail('description must be a string');
  if (!Array.isArray(o.inputs) || o.inputs.length === 0) fail('inputs must be a non-empty array');
  const inputs = o.inputs as unknown[];
  inputs.forEach((k, i) => {
    if (!INPUT_KINDS.includes(k as InputKind)) fail(`inputs[${i}] must be one of ${INPUT_KINDS.join(', ')}, got ${JSON.stringify(k)}`);
    if (inputs.indexOf(k) !== i) fail(`inputs[${i}] repeats ${JSON.stringify(k)}`);
  });
  if (inputs[0] !== 'color') fail('inputs[0] must be "color"');
  if (typeof o.leakySlope !== 'number' || !(o.leakySlope >= 0 && o.leakySlope < 1)) fail('leakySlope must be a number in [0, 1)');
  const channelList = (v: unknown, where: string, allowEmpty: boolean): number[] => {
    if (!Array.isArray(v) || (!allowEmpty && v.length === 0)) fail(`${where} must be a non-empty array of channel counts`);
    (v as unknown[]).forEach((c, i) => {
      if (!Number.isInteger(c) || (c as number) < 1 || (c as number) > MAX_CHANNELS) {
        fail(`${where}[${i}] must be an integer channel count in 1..${MAX_CHANNELS}, got ${JSON.stringify(c)}`);
      }
    });
    return v as number[];
  };
  if (!Array.isArray(o.encoder) || o.encoder.length < 1 || o.encoder.length > MAX_LEVELS + 1) {
    fail(`encoder must be an array of 1..${MAX_LEVELS + 1} levels (levels = encoder.length - 1 pools)`);
  }
  const encoder = (o.encoder as unknown[]).map((lv, l) => channelList(lv, `encoder[${l}]`, false));
  const levels = encoder.length - 1;
  if (!Array.isArray(o.decoder) || o.decoder.length !== levels) {
    fail(`decoder must have one entry per pooled level (${levels}, from encoder.length - 1), got ${Array.isArray(o.decoder) ? o.decoder.length : typeof o.decoder}`);
  }
  const decoder = (o.decoder as unknown[]).map((lv, l) => channelList(lv, `decoder[${l}]`, false));
  if (o.outputChannels !== 3) fail(`outputChannels must be 3 (linear RGB), got ${JSON.stringify(o.outputChannels)}`);
  if (o.demodulate !== undefined && typeof o.demodulate !== 'boolean') fail(`demodulate must be true or false, got ${JSON.stringify(o.demodulate)}`);
  if (o.demodulate === true && !inputs.includes('albedo')) fail('demodulate needs "albedo" among the inputs');
  if (o.autoexposure !== undefined && !(typeof o.autoexposure === 'number' && Number.isFinite(o.autoexposure) && o.autoexposure > 0)) {
    fail(`autoexposure must be a positive number (the exposure key), got ${JSON.stringify(o.autoexposure)}`);
  }
  return {
    format: 'tracelab-unet', version: 1, name: o.name as string, description: o.description as string,
    inputs: inputs as InputKind[], leakySlope: o.leakySlope as number, encoder, decoder, outputChannels: o.outputChannels as number,
    ...(o.demodulate === true ? { demodulate: true } : {}),
    ...(o.autoexposure !== undefined ? { autoexposure: o.autoexposure as number } : {}),
  };
}

/** Parses spec JSON text (e.g. a file's contents). */
export function parseSpecText(text: string, source = 'network spec'): NetworkSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SpecError(source, `invalid JSON (${(e as Error).message})`);
  }
  return parseSpec(json, source);
}
