// The denoiser network on gpu.js: the fallback where there is no WebGPU adapter. gpu.js's 'async' mode picks
// the best backend it can prove (WebGPU, WebGL2, WebGL, WebAssembly, then plain JavaScript); in Node without
// WebGL that is WebAssembly. Only the layers run as gpu.js kernels: preprocessing and postprocessing are the
// CPU reference's own (src/denoise/reference.ts), so the two differ only in float32 summation order.
//   const dn = await GpuJsDenoiser.create({ spec, weights });
//   const image = await dn.denoise({ color, albedo, normal });   // linear HDR RGB, ImageF32
import { GPU, Input, type IKernelRunShortcut, type KernelOutput } from 'gpu.js';
import type { ImageF32 } from '../../image/image.ts';
import { denoiseEnsemble, ENSEMBLE_SIZES, isEnsembleSize, type EnsembleSize } from '../dihedral.ts';
import { checkDenoiseImages, DenoiseInputError, toDenoiseImages, type DenoiseImages, type ImageInput } from '../images.ts';
import { inputExposure, postprocess, preprocess, type Tensor } from '../reference.ts';
import { convLayers, type ConvLayer, type NetworkSpec } from '../spec.ts';
import { checkWeights, initWeights, type NetworkWeights } from '../weights.ts';
import { correctLocalMean } from '../transform.ts';
import { CONV_CONCAT_SOURCE, CONV_SOURCE, POOL_SOURCE } from './kernels.ts';

/** gpu.js modes: 'async' auto-selects; the others force one backend. */
export type GpuJsMode = 'async' | 'cpu' | 'webasm' | 'webgl' | 'webgl2' | 'headlessgl' | 'webgpu' | 'gpu';

export interface GpuJsDenoiserOptions {
  spec: NetworkSpec;
  /** Defaults to seeded He initialisation, as for the WebGPU Denoiser. */
  weights?: NetworkWeights;
  /** Default 'async'. */
  mode?: GpuJsMode;
  /** The local mean correction after the network (default true), as for the WebGPU Denoiser. */
  localMean?: boolean;
}

/** Images GpuJsDenoiser takes (a path-tracer Frame lives in a WebGPU buffer, which gpu.js cannot read). */
export type GpuJsInput = ImageInput | DenoiseImages | ImageF32;

type Kernel = IKernelRunShortcut;

/** One conv of the network with the kernels that run it at one image size. */
interface Step {
  layer: ConvLayer;
  pool: Kernel | null;
  conv: Kernel;
}

interface Plan {
  width: number;
  height: number;
  steps: Step[];
}

export class GpuJsDenoiser {
  private plan: Plan | null = null;
  private destroyed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private ran: string | null = null;
  private exposure = 1;

  private constructor(
    private readonly gpu: GPU,
    readonly spec: NetworkSpec,
    private readonly weights: NetworkWeights,
    readonly mode: GpuJsMode,
    private readonly localMean: boolean,
  ) {}

  static async create(options: GpuJsDenoiserOptions): Promise<GpuJsDenoiser> {
    const { spec } = options;
    const weights = options.weights ?? initWeights(spec, 1);
    checkWeights(spec, weights, `weights for '${spec.name}'`);
    const mode = options.mode ?? 'async';
    return new GpuJsDenoiser(new GPU({ mode }), spec, weights, mode, options.localMean !== false);
  }

  /**
   * The gpu.js backend that ran the last denoise ('webasm', 'cpu', 'webgl2', 'webgpu', ...), or null before the
   * first: 'async' settles on a backend when a kernel first runs.
   */
  get backend(): string | null {
    return this.ran;
  }

  /** The autoexposure scale k the last denoise multiplied its input by (1 for a spec without `autoexposure`, and before one). */
  get lastExposureScale(): number {
    return this.exposure;
  }

  /**
   * Denoises `input` to linear HDR RGB of its size. Calls made while another runs wait for it. `ensemble` > 1
   * averages over that many flips / transpositions of the input (dihedral.ts), the input's exposure scale shared.
   */
  denoise(input: GpuJsInput, options: { ensemble?: EnsembleSize } = {}): Promise<ImageF32> {
    const run = this.queue.then(() => this.denoiseNow(input, options.ensemble ?? 1));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async denoiseNow(input: GpuJsInput, ensemble: EnsembleSize): Promise<ImageF32> {
    if (this.destroyed) throw new Error('GpuJsDenoiser used after destroy()');
    if (!isEnsembleSize(ensemble)) throw new DenoiseInputError('ensemble', `${String(ensemble)} is not one of ${ENSEMBLE_SIZES.join(', ')}`);
    const images = this.toImages(input);
    const k = inputExposure(this.spec, images);
    this.exposure = k;
    const data = await denoiseEnsemble(images, ensemble, async (view) => {
      const tensor = preprocess(this.spec, view, 'f32', k);
      const out = await this.forward(this.planFor(tensor.width, tensor.height), tensor);
      return postprocess(this.spec, out, view, k, false);
    });
    if (this.localMean) correctLocalMean(data, images.color, images.width, images.height);
    return { width: images.width, height: images.height, channels: 3, data };
  }

  /** Runs the layers in the reference's order (forward() in reference.ts), tensors staying in gpu.js's hands. */
  private async forward(plan: Plan, input: Tensor): Promise<Tensor> {
    const skips: KernelOutput[] = [];
    let x: KernelOutput | Input = new Input(input.data as unknown as number[], [input.width, input.height, input.channels]);
    let last: Kernel | null = null;
    for (const { layer, pool, conv } of plan.steps) {
      const w = this.weights[layer.name];
      if (pool) x = await pool(x);
      if (layer.savesSkip) skips[layer.level] = x as KernelOutput;
      x = await (layer.upChannels > 0 ? conv(x, skips[layer.level], w.weight, w.bias) : conv(x, w.weight, w.bias));
      last = conv;
    }
    this.ran = backendOf(last!);
    return toTensor(x as KernelOutput, plan.width, plan.height, this.spec.outputChannels);
  }

  /** The kernels for a padded width x height, compiled on first use (gpu.js compiles on a kernel's first call). */
  private planFor(width: number, height: number): Plan {
    if (this.plan && this.plan.width === width && this.plan.height === height) return this.plan;
    this.destroyPlan();
    const layers = convLayers(this.spec);
    const steps = layers.map((layer, i): Step => {
      const w = width >> layer.level, h = height >> layer.level;
      const settings = (output: [number, number, number], constants: Record<string, number>, final: boolean) => ({
        output, constants, precision: 'single' as const, loopMaxIterations: 4096,
        // keep intermediates on the device on GPU backends (cpu/webasm return plain arrays either way)
        pipeline: !final,
      });
      const pool = layer.poolBefore
        ? this.gpu.createKernel(POOL_SOURCE, settings([w, h, layer.inChannels], {}, false))
        : null;
      const constants = {
        width: w, height: h, activation: layer.activation ? 1 : 0, slope: this.spec.leakySlope,
        ...(layer.upChannels > 0
          ? { upChannels: layer.upChannels, skipChannels: layer.skipChannels }
          : { inChannels: layer.inChannels }),
      };
      const source = layer.upChannels > 0 ? CONV_CONCAT_SOURCE : CONV_SOURCE;
      const conv = this.gpu.createKernel(source, settings([w, h, layer.outChannels], constants, i === layers.length - 1));
      return { layer, pool, conv };
    });
    this.plan = { width, height, steps };
    return this.plan;
  }

  private toImages(input: GpuJsInput): DenoiseImages {
    if ('film' in input) throw new DenoiseInputError('frame', 'the gpu.js denoiser takes images; read the Frame back first (PathTracer.readFrame)');
    if ('data' in input) return toDenoiseImages(this.spec, { color: input });
    if (input.color instanceof Float32Array) {
      const images = input as DenoiseImages;
      checkDenoiseImages(this.spec, images);
      return images;
    }
    return toDenoiseImages(this.spec, input as ImageInput);
  }

  private destroyPlan(): void {
    for (const s of this.plan?.steps ?? []) {
      s.pool?.destroy();
      s.conv.destroy();
    }
    this.plan = null;
  }

  /** Releases the kernels and gpu.js's backend (worker pool, GL context). */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.queue;
    this.destroyPlan();
    await this.gpu.destroy();
  }
}

/** The backend a kernel really ran on ('async' kernels may be upgraded or degraded at their first call). */
function backendOf(kernel: Kernel): string {
  const inner = (kernel as { kernel?: { constructor: { mode?: string } } }).kernel;
  return inner?.constructor.mode ?? 'unknown';
}

/** A 3D kernel result ([channel][y][x] rows, or a device texture) as a flat channels-first Tensor. */
function toTensor(result: KernelOutput, width: number, height: number, channels: number): Tensor {
  let nested: unknown = result;
  if (nested && typeof (nested as { toArray?: unknown }).toArray === 'function') nested = (nested as { toArray(): unknown }).toArray();
  const data = new Float32Array(channels * width * height);
  const planes = nested as ArrayLike<ArrayLike<number>>[];
  if (!planes || planes.length !== channels || planes[0]?.length !== height) {
    throw new Error(`gpu.js denoiser: unexpected output shape (expected ${channels} x ${height} x ${width})`);
  }
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) data.set(planes[c][y] as ArrayLike<number>, (c * height + y) * width);
  }
  return { channels, width, height, data };
}
