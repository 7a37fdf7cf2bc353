// The denoiser runtime: a network spec + weights as WebGPU compute passes.
//   const dn = await Denoiser.create(gpu, { spec, weights });
//   const out = await dn.denoise(frame);   // or { color, albedo, normal } images
//   const rgb = await out.read();           // linear HDR RGB, only when asked for
//   await dn.denoise(frame, { ensemble: 8 }) // the mean over the 8 flips / transpositions (8x the cost)
import { GpuError, type GpuContext } from '../gpu/context.ts';
import type { ImageF32 } from '../image/image.ts';
import type { Frame } from '../render/path-tracer.ts';
import {
  CONV_STRIPS, ConvKernel, createWeightTexture, defaultConvStrip, packWeights, subgroupLanesWork, writeWeightTexture, type ConvLanes, type ConvStrip,
} from './conv.ts';
import { ENSEMBLE_SIZES, ENSEMBLE_SYMMETRIES, isEnsembleSize, transformedSize, untransformRect, type EnsembleSize } from './dihedral.ts';
import { checkDenoiseImages, DenoiseInputError, toDenoiseImages, type DenoiseImages, type ImageInput } from './images.ts';
import {
  EXPOSURE_PARAMS_BYTES, exposureBins, INPUT_PARAMS_BYTES, IoKernels, OUTPUT_PARAMS_BYTES, writeExposureParams, writeInputParams,
  writeOutputParams, type ColorSource,
} from './io-passes.ts';
import { NetworkPlan, PARAM_SLOT, tensorBytesPerPixel } from './plan.ts';
import { PoolKernel } from './pool.ts';
import { paddedSize, sizeMultiple, type InputKind, type NetworkSpec } from './spec.ts';
import { exposureScale, LOCAL_MEAN_RADIUS, OUTPUT_BOUND_MEAN_RADIUS, OUTPUT_BOUND_RADIUS } from './transform.ts';
import type { TensorFormat } from './tensors.ts';
import { defaultMargin, planTiles, type Rect, type Tile } from './tiles.ts';
import { checkWeights, initWeights, type NetworkWeights } from './weights.ts';

export type Precision = 'f32' | 'f16' | 'auto';

export interface DenoiserOptions {
  spec: NetworkSpec;
  /** Defaults to seeded He initialisation (until trained weights exist the runtime does not care). */
  weights?: NetworkWeights;
  /**
   * Tensor and weight storage: 'f16' halves memory and bandwidth (math and accumulation stay f32);
   * 'auto' picks f16 when the adapter has shader-f16. Default 'auto'.
   */
  precision?: Precision;
  /**
   * What one conv invocation computes (conv.ts ConvStrip): '8x16' (tuned for CPU adapters) or '4x8' (for GPUs);
   * 'auto' = '8x16' on a software (fallback) adapter or with `lanes: 'subgroup'`, else '4x8'. Both give the same
   * result up to float rounding.
   */
  convStrip?: ConvStrip | 'auto';
  /**
   * How the '8x16' strip's weights reach the invocations; 'auto' = subgroups when they are at least 8 lanes wide.
   * The '4x8' strip stages its tiles in workgroup memory ('plain').
   */
  lanes?: ConvLanes | 'auto';
  /** Invocation rows per '8x16' conv workgroup (tile = 8 x 8*rows pixels). Default 4. */
  workgroupRows?: number;
  /**
   * Denoise in overlapping tiles of this side (pixels, margins included; rounded down to a multiple of
   * 2^levels). Default: one tile unless the image exceeds the texture size limit or `maxTensorBytes`.
   */
  tileSize?: number;
  /** Overlap kept on each inner tile side; default the receptive-field radius (seamless, bitwise). */
  tileMargin?: number;
  /** Memory budget for the network's tensors (bytes); larger images are tiled. Default 2 GiB. */
  maxTensorBytes?: number;
  /**
   * Rows per band of the local mean correction (at least its radius, LOCAL_MEAN_RADIUS). Default: the whole image
   * where it fits one storage binding, else the most rows that do.
   */
  localMeanBand?: number;
  /**
   * The local mean correction after the network (transform.ts correctLocalMean; default true). false: the
   * network's output as it is (after the output bound), for measuring what the correction does.
   */
  localMean?: boolean;
}

export const DEFAULT_MAX_TENSOR_BYTES = 2 * 2 ** 30;

/** Per-call options of `Denoiser.denoise`. */
export interface DenoiseCallOptions {
  /** Average the network's results over this many symmetries of the input (dihedral.ts); default 1. */
  ensemble?: EnsembleSize;
}

/** Anything `denoise` accepts: a path-tracer Frame (on the GPU), images, or a bare colour image. */
export type DenoiseInput = Frame | ImageInput | DenoiseImages | ImageF32;

/** A denoised image on the GPU: packed linear HDR RGB float32, width * height * 3 values. */
export class DenoisedImage {
  private destroyed = false;

  constructor(private readonly gpu: GpuContext, readonly buffer: GPUBuffer, readonly width: number, readonly height: number) {}

  async read(): Promise<Float32Array> {
    if (this.destroyed) throw new GpuError('DenoisedImage read after destroy()');
    return new Float32Array(await this.gpu.readBuffer(this.buffer, 0, this.width * this.height * 12));
  }

  destroy(): void {
    this.destroyed = true;
    this.buffer.destroy();
  }
}

/** The key of a tile's upload: the rect it covers (the whole image's, when untiled, holds the colour plane the local mean correction reads). */
function rectKey(r: Rect): string {
  return `${r.x},${r.y},${r.width},${r.height}`;
}

export class Denoiser {
  private plan: NetworkPlan | null = null;
  private destroyed = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly gpu: GpuContext,
    readonly spec: NetworkSpec,
    readonly format: TensorFormat,
    readonly lanes: ConvLanes,
    private readonly conv: ConvKernel,
    private readonly pool: PoolKernel,
    private readonly io: IoKernels,
    private readonly weightTexture: GPUTexture,
    private readonly weightBase: Record<string, number>,
    private readonly options: DenoiserOptions,
    /** exposure[0]: the autoexposure scale of the image being denoised (1 without `spec.autoexposure`). */
    private readonly exposure: GPUBuffer,
  ) {}

  static async create(gpu: GpuContext, options: DenoiserOptions): Promise<Denoiser> {
    const { spec } = options;
    const weights = options.weights ?? initWeights(spec, 1);
    checkWeights(spec, weights, `weights for '${spec.name}'`);
    const precision = options.precision ?? 'auto';
    const format: TensorFormat =
      precision === 'f16' || (precision === 'auto' && gpu.features.has('shader-f16')) ? 'rgba16float' : 'rgba32float';
    const rows = options.workgroupRows ?? 4;
    if (!Number.isInteger(rows) || rows < 1 || rows > 16) throw new RangeError(`denoiser: workgroupRows must be an integer in 1..16, got ${rows}`);
    const band = options.localMeanBand;
    if (band !== undefined && !(Number.isInteger(band) && band >= LOCAL_MEAN_RADIUS)) {
      throw new RangeError(`denoiser: localMeanBand must be an integer of at least ${LOCAL_MEAN_RADIUS} (the local mean correction's radius), got ${band}`);
    }
    const stripOption = options.convStrip ?? 'auto';
    if (stripOption !== 'auto' && !CONV_STRIPS.includes(stripOption)) {
      throw new RangeError(`denoiser: convStrip must be 'auto' or one of ${CONV_STRIPS.join(', ')}, got ${String(stripOption)}`);
    }
    // asking for subgroup lanes asks for the strip that has them
    const strip: ConvStrip = stripOption !== 'auto' ? stripOption : options.lanes === 'subgroup' ? '8x16' : defaultConvStrip(gpu.adapter.isFallback);
    if (strip === '4x8' && options.lanes === 'subgroup') {
      throw new RangeError(`denoiser: lanes 'subgroup' exists for the '8x16' conv strip only, not '4x8'`);
    }
    const canSubgroup = options.lanes === 'plain' || strip === '4x8' ? false : await subgroupLanesWork(gpu, rows);
    const lanes: ConvLanes = options.lanes === 'auto' || !options.lanes ? (canSubgroup ? 'subgroup' : 'plain') : options.lanes;
    if (lanes === 'subgroup' && !canSubgroup) {
      throw new GpuError(`denoiser: lanes 'subgroup' needs subgroups of at least 8 lanes laid out in workgroup rows; this adapter has none`);
    }
    const [conv, pool, io] = await Promise.all([
      ConvKernel.create(gpu, format, lanes, rows, strip),
      PoolKernel.create(gpu, format),
      IoKernels.create(gpu, format),
    ]);
    const packed = packWeights(spec, weights);
    const weightTexture = await gpu.scoped('uploading denoiser weights', () => createWeightTexture(gpu, packed, format));
    const exposure = gpu.device.createBuffer({
      label: 'denoiser exposure scale', size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    });
    return new Denoiser(gpu, spec, format, lanes, conv, pool, io, weightTexture, packed.base, options, exposure);
  }

  /**
   * Replaces the weights (same spec), e.g. with those of a network being trained online. Denoise calls made
   * before it finish with the old weights; later ones use the new.
   */
  setWeights(weights: NetworkWeights): Promise<void> {
    checkWeights(this.spec, weights, `weights for '${this.spec.name}'`);
    const packed = packWeights(this.spec, weights);
    const run = this.queue.then(() => {
      if (this.destroyed) throw new Error('denoiser: setWeights after destroy()');
      writeWeightTexture(this.gpu, this.weightTexture, packed, this.format);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Denoises `input`; resolves once the GPU has finished. The result's buffer belongs to the caller. Calls made
   * while another is running wait for it (they share the tensors). `ensemble` > 1 runs the network on that many
   * flipped / transposed copies of the input and averages them (dihedral.ts): better, at that many times the cost.
   */
  denoise(input: DenoiseInput, options: DenoiseCallOptions = {}): Promise<DenoisedImage> {
    const run = this.queue.then(() => this.denoiseNow(input, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async denoiseNow(input: DenoiseInput, options: DenoiseCallOptions): Promise<DenoisedImage> {
    if (this.destroyed) throw new GpuError('Denoiser used after destroy()');
    if (typeof input !== 'object' || input === null) throw new DenoiseInputError('input', `expected a Frame, images or an ImageF32, got ${input === null ? 'null' : typeof input}`);
    const ensemble = options.ensemble ?? 1;
    if (!isEnsembleSize(ensemble)) throw new DenoiseInputError('ensemble', `${String(ensemble)} is not one of ${ENSEMBLE_SIZES.join(', ')}`);
    const gpu = this.gpu;
    const frame = 'film' in input ? input : null;
    const images = frame ? null : this.toImages(input as ImageInput | DenoiseImages | ImageF32);
    const { width, height } = frame ?? images!;
    if (frame) {
      if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new DenoiseInputError('frame', `invalid size ${width}x${height}`);
      if (!Number.isInteger(frame.spp) || frame.spp < 1) throw new DenoiseInputError('frame', `has ${frame.spp} samples per pixel; render at least 1 first`);
      if (frame.film.size < width * height * 64) throw new DenoiseInputError('frame', `film buffer of ${frame.film.size} bytes is too small for ${width}x${height}`);
    }
    if (width * height * 12 > gpu.limits.maxBufferSize) {
      throw new DenoiseInputError('image', `${width}x${height} needs a ${(width * height * 12 / 2 ** 20).toFixed(0)} MiB result buffer, over this adapter's limit`);
    }
    const symmetries = ENSEMBLE_SYMMETRIES[ensemble];
    // each symmetry's image J is tiled as J itself would be (so that tiling stays seamless), the tiles mapped back
    const tilings = symmetries.map((symmetry) => {
      const j = transformedSize(width, height, symmetry);
      const tiles = this.tilesFor(j.width, j.height).map((t) => ({
        rect: untransformRect(t.rect, width, height, symmetry),
        core: untransformRect(t.core, width, height, symmetry),
        network: t.rect,
      }));
      return { symmetry, tiles };
    });
    // the first symmetry's tensors before the result buffer exists (a tensor allocation error leaves nothing behind)
    await this.planFor(tilings[0].tiles[0].network.width, tilings[0].tiles[0].network.height);
    const what = ensemble > 1 ? ` (ensemble of ${ensemble})` : '';
    return gpu.scoped(`denoising ${width}x${height} with '${this.spec.name}'${what}`, async () => {
      const rgb = gpu.device.createBuffer({
        label: `denoised ${width}x${height}`,
        size: Math.max(16, width * height * 12),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      });
      const owned: GPUBuffer[] = [];
      // uploaded tile regions by position (one tile: the whole image, shared by every symmetry)
      let uploads = new Map<string, GPUBuffer>();
      try {
        if (frame && this.spec.autoexposure !== undefined) this.filmExposure(frame, this.spec.autoexposure, owned);
        else gpu.device.queue.writeBuffer(this.exposure, 0, new Float32Array([images ? exposureScale(this.spec.autoexposure, images.color, width, height) : 1]));
        for (const [k, { symmetry, tiles }] of tilings.entries()) {
          const first = tiles[0].network;
          const p = paddedSize(this.spec, first.width, first.height);
          const resize = this.plan !== null && (this.plan.width !== p.width || this.plan.height !== p.height);
          // another tensor size (a transposed non-square image), or the last symmetry's tile uploads to free:
          // the work queued so far finishes first
          if (resize || (k > 0 && tiles.length > 1)) {
            await gpu.device.queue.onSubmittedWorkDone();
            if (tiles.length > 1) {
              for (const b of uploads.values()) b.destroy();
              uploads = new Map();
            }
          }
          const plan = await this.planFor(first.width, first.height);
          for (const tile of tiles) {
            let source = frame?.film;
            if (!source) {
              const key = rectKey(tile.rect);
              source = uploads.get(key) ?? this.upload(images!, tile.rect);
              uploads.set(key, source);
            }
            this.runTile(plan, tile, source, frame ? { width, height, spp: frame.spp } : null, rgb, width,
              { symmetry, accumulate: k > 0, weight: 1 / symmetries.length });
          }
        }
        if (this.options.localMean !== false) {
          // the local mean correction of the whole result reads the input colour: the film, the whole-image upload
          // (one tile), or the colour uploaded alone
          let color: { buffer: GPUBuffer; source: ColorSource };
          if (frame) {
            color = { buffer: frame.film, source: { colorBase: 0, stride: 4, scale: 1 / frame.spp } };
          } else {
            const whole = uploads.get(rectKey({ x: 0, y: 0, width, height }));
            const base = Math.max(0, this.spec.inputs.indexOf('color')) * width * height * 3;
            if (whole) {
              color = { buffer: whole, source: { colorBase: base, stride: 3, scale: 1 } };
            } else {
              const alone = gpu.createBufferWithData('denoiser input colour', images!.color, GPUBufferUsage.STORAGE);
              owned.push(alone);
              color = { buffer: alone, source: { colorBase: 0, stride: 3, scale: 1 } };
            }
          }
          this.io.submitLocalMean(gpu, { rgb, color: color.buffer, source: color.source, width, height, bandRows: this.options.localMeanBand }, owned);
        }
        await gpu.device.queue.onSubmittedWorkDone();
      } catch (e) {
        rgb.destroy();
        throw e;
      } finally {
        for (const b of owned) b.destroy();
        for (const b of uploads.values()) b.destroy();
      }
      return new DenoisedImage(gpu, rgb, width, height);
    });
  }

  /**
   * Submits the film's autoexposure passes (exposure_*.wgsl), which leave k in `this.exposure` before the tiles
   * run; the buffers it makes go into `owned`, which the caller destroys once the work is done.
   */
  private filmExposure(frame: Frame, key: number, owned: GPUBuffer[]): void {
    const gpu = this.gpu;
    const bins = exposureBins(frame.width, frame.height);
    const params = gpu.device.createBuffer({ label: 'denoiser exposure params', size: EXPOSURE_PARAMS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    owned.push(params);
    const logs = gpu.device.createBuffer({ label: `denoiser exposure bins (${bins.count})`, size: bins.count * 8, usage: GPUBufferUsage.STORAGE });
    owned.push(logs);
    const bytes = new ArrayBuffer(EXPOSURE_PARAMS_BYTES);
    writeExposureParams(new DataView(bytes), 0, { width: frame.width, height: frame.height, spp: frame.spp, key });
    gpu.device.queue.writeBuffer(params, 0, bytes);
    const enc = gpu.device.createCommandEncoder({ label: 'denoiser autoexposure' });
    const run = (pipeline: GPUComputePipeline, third: GPUBuffer, x: number, y: number) => {
      const pass = enc.beginComputePass({ label: pipeline.label });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, gpu.device.createBindGroup({
        label: pipeline.label,
        layout: pipeline.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer: params } }, { binding: 1, resource: { buffer: logs } }, { binding: 2, resource: { buffer: third } }],
      }));
      pass.dispatchWorkgroups(x, y);
      pass.end();
    };
    run(this.io.exposureBins, frame.film, bins.x, bins.y);
    run(this.io.exposureFinish, this.exposure, 1, 1);
    gpu.device.queue.submit([enc.finish()]);
  }

  /** The autoexposure scale k the last denoise call used (1 for a spec without `autoexposure`). */
  async lastExposureScale(): Promise<number> {
    await this.queue;
    if (this.destroyed) throw new GpuError('Denoiser used after destroy()');
    return new Float32Array(await this.gpu.readBuffer(this.exposure, 0, 4))[0];
  }

  /** The tiles for a width x height image: one unless it exceeds the texture size or the memory budget. */
  tilesFor(width: number, height: number): Tile[] {
    const m = sizeMultiple(this.spec);
    // at least the output bound's radii, so that its windows at a tile's edge see what the whole image would
    const margin = Math.ceil(Math.max(this.options.tileMargin ?? defaultMargin(this.spec), OUTPUT_BOUND_RADIUS, OUTPUT_BOUND_MEAN_RADIUS) / m) * m;
    const maxSide = Math.floor((this.gpu.limits.maxTextureDimension2D - 2) / m) * m;
    const budget = this.options.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES;
    const bpp = tensorBytesPerPixel(this.spec, this.format);
    const uploadBpp = this.spec.inputs.length * 12;
    const bindable = this.gpu.limits.maxStorageBufferBindingSize;
    let size = this.options.tileSize === undefined ? undefined : Math.floor(this.options.tileSize / m) * m;
    if (size === undefined) {
      const p = paddedSize(this.spec, width, height);
      // tensors within the budget, the image upload and the result rows each within one storage binding
      const fits = p.width <= maxSide && p.height <= maxSide && p.width * p.height * bpp <= budget &&
        width * height * Math.max(uploadBpp, 12) <= bindable;
      if (fits) return [{ rect: { x: 0, y: 0, width, height }, core: { x: 0, y: 0, width, height } }];
      const side = Math.sqrt(Math.min(budget / bpp, bindable / uploadBpp));
      size = Math.min(maxSide, Math.floor(side / m) * m, Math.floor(bindable / (width * 12) / m) * m);
    }
    if (size <= 2 * margin || size > maxSide) {
      throw new DenoiseInputError('tiling', `tile size ${size} must be over twice the margin ${margin} and at most ${maxSide} (raise maxTensorBytes or lower tileMargin)`);
    }
    return planTiles(width, height, size, margin, m);
  }

  /** Copies the tile's region of each input image into one upload buffer (colour, albedo, normal planes). */
  private upload(images: DenoiseImages, r: Rect): GPUBuffer {
    const planes = this.spec.inputs.map((k) => images[k] as Float32Array);
    const plane = r.width * r.height * 3;
    const data = new Float32Array(plane * planes.length);
    planes.forEach((src, k) => {
      for (let y = 0; y < r.height; y++) {
        const from = ((r.y + y) * images.width + r.x) * 3;
        data.set(src.subarray(from, from + r.width * 3), k * plane + y * r.width * 3);
      }
    });
    return this.gpu.createBufferWithData('denoiser input images', data, GPUBufferUsage.STORAGE);
  }

  /** Input pass, network, output pass for one tile (the film is read in place; an upload covers just the tile). */
  private runTile(plan: NetworkPlan, tile: Tile, source: GPUBuffer, film: { width: number; height: number; spp: number } | null,
    rgb: GPUBuffer, stride: number, ensemble: { symmetry: number; accumulate: boolean; weight: number }): void {
    const gpu = this.gpu;
    const { rect, core } = tile;
    const bytes = new ArrayBuffer(PARAM_SLOT + OUTPUT_PARAMS_BYTES);
    const view = new DataView(bytes);
    writeInputParams(view, 0, this.spec, {
      x: film ? rect.x : 0, y: film ? rect.y : 0, width: rect.width, height: rect.height,
      sourceWidth: film ? film.width : rect.width, sourceHeight: film ? film.height : rect.height,
      paddedWidth: plan.width, paddedHeight: plan.height, outLayer: plan.input.layer, spp: film ? film.spp : 0,
      symmetry: ensemble.symmetry,
    });
    // bind the output rows this tile writes (offsets must be 256-byte aligned)
    const first = (core.y * stride + core.x) * 12;
    const end = ((core.y + core.height - 1) * stride + core.x + core.width) * 12;
    const bindStart = Math.floor(first / 256) * 256;
    // the output pass reads the colour (its bound) and, demodulating, the albedo where the input pass read them
    const slot = (kind: InputKind): number => Math.max(0, this.spec.inputs.indexOf(kind));
    const plane = rect.width * rect.height * 3;
    const region = film
      ? { x: core.x, y: core.y, width: film.width, height: film.height, colorBase: 0, albedoBase: 2 * film.width * film.height * 4, stride: 4, scale: 1 / film.spp }
      : { x: core.x - rect.x, y: core.y - rect.y, width: rect.width, height: rect.height, colorBase: slot('color') * plane, albedoBase: slot('albedo') * plane, stride: 3, scale: 1 };
    writeOutputParams(view, PARAM_SLOT, {
      width: core.width, height: core.height, layer: plan.output.layer, stride,
      srcX: core.x - rect.x, srcY: core.y - rect.y, dstOffset: (first - bindStart) / 4, demodulate: this.spec.demodulate === true, source: region,
      ensemble: { regionWidth: rect.width, regionHeight: rect.height, ...ensemble },
    });
    gpu.device.queue.writeBuffer(plan.params, 0, bytes);
    const inputPipeline = film ? this.io.frameInput : this.io.imageInput;
    const enc = gpu.device.createCommandEncoder({ label: 'denoise' });
    let pass = enc.beginComputePass({ label: 'denoiser input' });
    pass.setPipeline(inputPipeline);
    pass.setBindGroup(0, gpu.device.createBindGroup({
      label: 'denoiser input',
      layout: inputPipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: plan.input.tensor.view },
        { binding: 1, resource: { buffer: plan.params, offset: 0, size: INPUT_PARAMS_BYTES } },
        { binding: 2, resource: { buffer: source } },
        { binding: 3, resource: { buffer: this.exposure } },
      ],
    }));
    pass.dispatchWorkgroups(Math.ceil(plan.width / 8), Math.ceil(plan.height / 8));
    pass.end();
    plan.encode(enc);
    pass = enc.beginComputePass({ label: 'denoiser output' });
    pass.setPipeline(this.io.output);
    pass.setBindGroup(0, gpu.device.createBindGroup({
      label: 'denoiser output',
      layout: this.io.output.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: rgb, offset: bindStart, size: end - bindStart } },
        { binding: 1, resource: plan.output.tensor.view },
        { binding: 2, resource: { buffer: plan.params, offset: PARAM_SLOT, size: OUTPUT_PARAMS_BYTES } },
        { binding: 3, resource: { buffer: source } },
        { binding: 4, resource: { buffer: this.exposure } },
      ],
    }));
    pass.dispatchWorkgroups(Math.ceil(core.width / 8), Math.ceil(core.height / 8));
    pass.end();
    gpu.device.queue.submit([enc.finish()]);
  }

  private toImages(input: ImageInput | DenoiseImages | ImageF32): DenoiseImages {
    if ('data' in input) return toDenoiseImages(this.spec, { color: input });
    if (input.color instanceof Float32Array) {
      const images = input as DenoiseImages;
      checkDenoiseImages(this.spec, images);
      return images;
    }
    return toDenoiseImages(this.spec, input as ImageInput);
  }

  private async planFor(width: number, height: number): Promise<NetworkPlan> {
    const p = paddedSize(this.spec, width, height);
    if (this.plan && this.plan.width === p.width && this.plan.height === p.height) return this.plan;
    this.plan?.destroy();
    this.plan = null;
    this.plan = await this.gpu.scoped(`allocating denoiser tensors for ${p.width}x${p.height}`, () =>
      new NetworkPlan(this.gpu, this.spec, { conv: this.conv, pool: this.pool }, this.weightTexture.createView({ label: 'denoiser weights view' }),
        this.weightBase, p.width, p.height, this.format));
    return this.plan;
  }

  /** What one conv invocation computes here (DenoiserOptions.convStrip, 'auto' resolved). */
  get convStrip(): ConvStrip {
    return this.conv.strip;
  }

  /** GPU memory of the current size's tensors (0 before the first denoise). */
  get tensorBytes(): number {
    return this.plan?.tensorBytes ?? 0;
  }

  /**
   * Frees the GPU objects; a second call does nothing. Calls made after it reject; a denoise already running
   * finishes first (its result is valid and the caller's), and the objects are freed once it has.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    void this.queue.then(() => {
      this.plan?.destroy();
      this.plan = null;
      this.weightTexture.destroy();
      this.exposure.destroy();
    });
  }
}
