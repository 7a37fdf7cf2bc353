// GPU buffers of the wavefront tracer: path state, ray queues (ping-pong), shadow-ray queue, counters,
// indirect dispatch arguments and the film. One owner: destroy() frees them all.
import type { GpuContext } from '../../gpu/context.ts';
import { PARAMS_LAYOUT } from '../layout.ts';
import {
  ARGS_BYTES,
  PATH_STATE_BYTES,
  SHADOW_RAY_BYTES,
  WAVE_COUNTERS_BYTES,
  WAVE_PARAMS_BYTES,
  WF_GROUP,
  type WavefrontKernels,
} from './kernels.ts';

/** One wave: pixels [pixelBase, pixelBase + pixelCount) x samples [sampleBase, sampleBase + samples). */
export interface Wave {
  pixelBase: number;
  pixelCount: number;
  sampleBase: number;
  samples: number;
}

/** Max paths a wave buffer set must hold for `pixels` pixels and a wave size of `waveSize`. */
export function waveCapacity(pixels: number, waveSize: number): number {
  return pixels <= waveSize ? pixels * Math.floor(waveSize / pixels) : waveSize;
}

/**
 * Splits `spp` samples starting at sample `sampleStart` into waves of at most `capacity` paths: whole
 * samples of the image when it fits (several per wave), else pixel chunks one sample at a time, so every
 * pixel still receives its samples in order.
 */
export function planWaves(pixels: number, sampleStart: number, spp: number, capacity: number): Wave[] {
  const waves: Wave[] = [];
  if (pixels <= capacity) {
    const perWave = Math.floor(capacity / pixels);
    for (let s = 0; s < spp; s += perWave) {
      waves.push({ pixelBase: 0, pixelCount: pixels, sampleBase: sampleStart + s, samples: Math.min(perWave, spp - s) });
    }
    return waves;
  }
  for (let s = 0; s < spp; s++) {
    for (let base = 0; base < pixels; base += capacity) {
      waves.push({ pixelBase: base, pixelCount: Math.min(capacity, pixels - base), sampleBase: sampleStart + s, samples: 1 });
    }
  }
  return waves;
}

export class WaveBuffers {
  /** Paths one wave can hold. */
  readonly capacity: number;
  readonly params: GPUBuffer;
  readonly film: GPUBuffer;
  readonly args: GPUBuffer;
  /** groups[0]: queue_in = queue A, queue_out = queue B; groups[1] the other way round. */
  readonly groups: readonly [GPUBindGroup, GPUBindGroup];
  readonly argsGroup: GPUBindGroup;
  private readonly wave: GPUBuffer;
  private readonly counters: GPUBuffer;
  private readonly all: GPUBuffer[];

  constructor(
    private readonly gpu: GpuContext,
    kernels: WavefrontKernels,
    width: number,
    height: number,
    waveSize: number,
  ) {
    const { device, limits } = gpu;
    this.capacity = waveCapacity(width * height, waveSize);
    const filmBytes = width * height * 16 * 4;
    const pathBytes = this.capacity * PATH_STATE_BYTES;
    for (const [what, bytes] of [['film', filmBytes], ['path state', pathBytes]] as const) {
      if (bytes > limits.maxStorageBufferBindingSize) {
        throw new RangeError(`wavefront: ${what} for ${width}x${height} (wave of ${this.capacity} paths) needs ${(bytes / 2 ** 20).toFixed(0)} MiB, over this adapter's binding limit`);
      }
    }
    const S = GPUBufferUsage.STORAGE;
    const make = (label: string, size: number, usage: GPUBufferUsageFlags) => device.createBuffer({ label, size, usage });
    this.params = make('wavefront params', PARAMS_LAYOUT.size, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.wave = make('wavefront wave params', WAVE_PARAMS_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    const paths = make('wavefront path state', pathBytes, S);
    const queueA = make('wavefront ray queue A', this.capacity * 4, S);
    const queueB = make('wavefront ray queue B', this.capacity * 4, S);
    const shadow = make('wavefront shadow rays', this.capacity * SHADOW_RAY_BYTES, S);
    this.counters = make('wavefront counters', WAVE_COUNTERS_BYTES, S | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    this.args = make('wavefront dispatch args', ARGS_BYTES, S | GPUBufferUsage.INDIRECT | GPUBufferUsage.COPY_DST);
    this.film = make('wavefront film', filmBytes, S | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.all = [this.params, this.wave, paths, queueA, queueB, shadow, this.counters, this.args, this.film];
    const group = (label: string, qin: GPUBuffer, qout: GPUBuffer) =>
      device.createBindGroup({
        label,
        layout: kernels.waveLayout,
        entries: [this.params, this.wave, paths, qin, qout, shadow, this.counters, this.film].map((buffer, binding) => ({
          binding,
          resource: { buffer },
        })),
      });
    this.groups = [group('wavefront state (A -> B)', queueA, queueB), group('wavefront state (B -> A)', queueB, queueA)];
    this.argsGroup = device.createBindGroup({
      label: 'wavefront dispatch args',
      layout: kernels.argsLayout,
      entries: [{ binding: 0, resource: { buffer: this.args } }],
    });
  }

  /** Queues the uniform and counter writes that start `wave` (ordered before the next submit). */
  startWave(wave: Wave): void {
    const q = this.gpu.device.queue;
    const paths = wave.pixelCount * wave.samples;
    if (paths > this.capacity) throw new RangeError(`wavefront: wave of ${paths} paths exceeds capacity ${this.capacity}`);
    q.writeBuffer(this.wave, 0, new Uint32Array([paths, wave.pixelBase, wave.pixelCount, wave.sampleBase, wave.samples, 0, 0, 0]));
    q.writeBuffer(this.counters, 0, new Uint32Array([paths, 0, 0, 0]));
    q.writeBuffer(this.args, 0, new Uint32Array([Math.ceil(paths / WF_GROUP), 1, 1, 0, 1, 1]));
  }

  /** Rays queued for the next bounce (reads back the counters: a CPU-GPU round trip). */
  async raysLeft(): Promise<number> {
    return new Uint32Array(await this.gpu.readBuffer(this.counters))[0];
  }

  destroy(): void {
    for (const b of this.all) b.destroy();
  }
}
