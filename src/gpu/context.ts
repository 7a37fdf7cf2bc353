// One GPU context per application: the device, what the adapter is, and error/device-loss reporting.
// Core code only sees a `GPU` object (navigator.gpu in the browser, the `webgpu` package in Node).

export const NO_ADAPTER_HELP =
  'No WebGPU adapter found. In Node, install a Vulkan driver: `sudo bash scripts/setup-vulkan.sh` ' +
  '(Mesa lavapipe, a software driver); in a browser, use one with WebGPU enabled.';

export interface AdapterSummary {
  name: string;
  vendor: string;
  architecture: string;
  description: string;
  isFallback: boolean;
}

export class GpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuError';
  }
}

export interface GpuContextOptions {
  /** Ask for a software adapter even when a hardware one exists. */
  forceFallback?: boolean;
  label?: string;
}

/** Limits raised from WebGPU's defaults to what the adapter offers (large scenes need big buffers). */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
] as const;

export class GpuContext {
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  readonly features: ReadonlySet<string>;
  /** Set once the device is lost; every later call fails with this message. */
  lostMessage: string | null = null;
  /** Set by destroy(): every later call fails with a GpuError saying so (not WebGPU's errors of a destroyed device). */
  private destroyed = false;
  private uncaptured: string[] = [];
  /** Dawn's Node bindings stop processing GPU work once the `GPU` object is garbage-collected: hold it. */
  private gpuRoot: GPU | null;

  private constructor(gpu: GPU, device: GPUDevice, adapter: AdapterSummary) {
    this.gpuRoot = gpu;
    this.device = device;
    this.adapter = adapter;
    this.features = new Set([...device.features]);
    device.addEventListener('uncapturederror', (ev) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      this.uncaptured.push(e.message);
    });
    void device.lost.then((info) => {
      if (info.reason === 'destroyed') return;
      this.lostMessage =
        `GPU device lost (${info.reason || 'unknown'}): ${info.message}. ` +
        'Restart the application; if it keeps happening, lower --size or --spp per pass, or use a software adapter.';
    });
  }

  static async create(gpu: GPU | undefined, options: GpuContextOptions = {}): Promise<GpuContext> {
    if (!gpu) throw new GpuError(NO_ADAPTER_HELP);
    let adapter: GPUAdapter | null = null;
    if (!options.forceFallback) adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) adapter = await gpu.requestAdapter({ forceFallbackAdapter: true });
    if (!adapter) throw new GpuError(NO_ADAPTER_HELP);
    const info = adapter.info;
    const summary: AdapterSummary = {
      name: [info.description, info.vendor, info.architecture].filter((s) => s).join(' / ') || 'unknown adapter',
      vendor: info.vendor,
      architecture: info.architecture,
      description: info.description,
      isFallback: Boolean((info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ??
        (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter),
    };
    const requiredLimits: Record<string, number> = {};
    for (const k of RAISED_LIMITS) requiredLimits[k] = adapter.limits[k];
    const requiredFeatures: GPUFeatureName[] = [];
    for (const f of ['shader-f16', 'timestamp-query', 'subgroups'] as GPUFeatureName[]) {
      if (adapter.features.has(f)) requiredFeatures.push(f);
    }
    const device = await adapter.requestDevice({
      label: options.label ?? 'tracelab device',
      requiredLimits,
      requiredFeatures,
    });
    return new GpuContext(gpu, device, summary);
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Throws if the device was lost or an error escaped the error scopes. */
  check(): void {
    if (this.destroyed) {
      throw new GpuError('GPU context used after destroy(): create a new GpuContext, and new objects (PathTracer, Denoiser, ...) from it');
    }
    if (this.lostMessage) throw new GpuError(this.lostMessage);
    if (this.uncaptured.length) {
      const msg = this.uncaptured.join('\n');
      this.uncaptured = [];
      throw new GpuError(`WebGPU error: ${msg}`);
    }
  }

  /**
   * Runs `fn` inside validation and out-of-memory error scopes and throws a GpuError naming `what`
   * if WebGPU reported an error while it ran.
   */
  async scoped<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
    this.check();
    const d = this.device;
    d.pushErrorScope('internal');
    d.pushErrorScope('out-of-memory');
    d.pushErrorScope('validation');
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      await Promise.all([d.popErrorScope(), d.popErrorScope(), d.popErrorScope()]);
      throw err;
    }
    const errors = await Promise.all([d.popErrorScope(), d.popErrorScope(), d.popErrorScope()]);
    const first = errors.find((e) => e !== null);
    if (first) throw new GpuError(`${what}: ${first.message}`);
    this.check();
    return result;
  }

  /** Creates a compute pipeline from WGSL, surfacing compile errors with the shader's label. */
  async computePipeline(
    label: string,
    code: string,
    constants?: Record<string, number>,
    layout: GPUPipelineLayout | 'auto' = 'auto',
  ): Promise<GPUComputePipeline> {
    return this.scoped(`creating pipeline '${label}'`, async () => {
      const module = this.device.createShaderModule({ label, code });
      const info = await module.getCompilationInfo();
      const errs = info.messages.filter((m) => m.type === 'error');
      if (errs.length) {
        const lines = code.split('\n');
        const detail = errs
          .map((m) => `line ${m.lineNum}:${m.linePos}: ${m.message}\n    ${lines[m.lineNum - 1] ?? ''}`)
          .join('\n');
        throw new GpuError(`WGSL compile error in '${label}':\n${detail}`);
      }
      return this.device.createComputePipelineAsync({
        label,
        layout,
        compute: { module, entryPoint: 'main', constants },
      });
    });
  }

  /** A bind group layout of storage buffers (read-only unless listed in `writable`) and uniforms, compute stage. */
  bindGroupLayout(label: string, kinds: ReadonlyArray<'read' | 'write' | 'uniform'>): GPUBindGroupLayout {
    return this.device.createBindGroupLayout({
      label,
      entries: kinds.map((k, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: k === 'uniform' ? 'uniform' : k === 'write' ? 'storage' : 'read-only-storage' },
      })),
    });
  }

  /** Copies a storage buffer region to the CPU. */
  async readBuffer(src: GPUBuffer, byteOffset = 0, byteLength = src.size - byteOffset): Promise<ArrayBuffer> {
    this.check();
    const staging = this.device.createBuffer({
      label: `readback of ${src.label}`,
      size: byteLength,
      usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
    });
    try {
      const enc = this.device.createCommandEncoder({ label: 'readback' });
      enc.copyBufferToBuffer(src, byteOffset, staging, 0, byteLength);
      this.device.queue.submit([enc.finish()]);
      try {
        await staging.mapAsync(GPUMapMode.READ);
      } catch (e) {
        // a failed map says little (Dawn: an AbortError with no message); the device loss or validation error says why
        this.check();
        throw new GpuError(`reading back ${src.label || 'a buffer'}: ${(e as Error).message || (e as Error).name || String(e)}`);
      }
      this.check();
      return staging.getMappedRange().slice(0);
    } finally {
      staging.destroy();
    }
  }

  /** Creates a buffer initialised with `data`. */
  createBufferWithData(label: string, data: ArrayBufferView, usage: GPUBufferUsageFlags): GPUBuffer {
    const size = Math.max(16, Math.ceil(data.byteLength / 4) * 4);
    const buf = this.device.createBuffer({ label, size, usage: usage | GPUBufferUsage.COPY_DST, mappedAtCreation: true });
    new Uint8Array(buf.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buf.unmap();
    return buf;
  }

  /** Destroys the device; a second call does nothing. Objects made from this context must not be used afterwards. */
  destroy(): void {
    this.destroyed = true;
    this.device.destroy();
    this.gpuRoot = null;
  }
}
