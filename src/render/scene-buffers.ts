// GPU copies of a CompiledScene (bind group 0). Either one owner (`new`, destroy() frees them all) or shared by
// every PathTracer of the same compiled scene on one device (`acquire` / `release`, freed with the last release):
// the app's view, preview, reference, anti-aliased emission and online-training tracers of a 1M-triangle scene
// would otherwise each upload their own ~83 MiB copy.
import type { GpuContext } from '../gpu/context.ts';
import type { CompiledScene } from '../scene/compile.ts';

/** The shared copies per device and compiled scene (the scene object is the key: compiled scenes are not modified). */
const SHARED = new WeakMap<GpuContext, WeakMap<CompiledScene, SceneBuffers>>();

export class SceneBuffers {
  readonly buffers: GPUBuffer[];
  /** Holders of a shared copy (acquire); 0 for an owned one. */
  private refs = 0;
  private destroyed = false;

  /**
   * The scene's shared copy on `gpu`, uploaded by the first caller; each acquire needs one release(). A copy
   * released by all is destroyed, and the next acquire uploads the scene again.
   */
  static acquire(gpu: GpuContext, scene: CompiledScene): SceneBuffers {
    let byScene = SHARED.get(gpu);
    if (!byScene) SHARED.set(gpu, (byScene = new WeakMap()));
    let shared = byScene.get(scene);
    if (!shared || shared.destroyed) {
      shared = new SceneBuffers(gpu, scene);
      byScene.set(scene, shared);
    }
    shared.refs++;
    return shared;
  }

  /** Gives back a copy from acquire(); the last holder's release destroys it. */
  release(): void {
    if (this.refs === 0) throw new Error('SceneBuffers.release: not an acquired copy, or released more often than acquired');
    if (--this.refs === 0) this.free();
  }

  /** Holders of this copy (0 for an owned one, or once all released). */
  get holders(): number {
    return this.refs;
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Layout of bind group 0 (shaders/pathtrace/scene_bindings.wgsl): six read-only storage buffers. */
  static layout(gpu: GpuContext): GPUBindGroupLayout {
    return gpu.bindGroupLayout('scene bindings layout', ['read', 'read', 'read', 'read', 'read', 'read']);
  }

  constructor(gpu: GpuContext, scene: CompiledScene) {
    const maxBinding = gpu.limits.maxStorageBufferBindingSize;
    const parts: Array<[string, ArrayBufferView]> = [
      ['bvh nodes', new Uint8Array(scene.bvh.wide.records)],
      ['triangle positions', scene.triPos],
      ['triangle shading', scene.triShading],
      ['materials', new Uint8Array(scene.materials)],
      ['light table', new Uint8Array(scene.lights.entries)],
      ['environment', scene.environment.data],
    ];
    for (const [label, data] of parts) {
      if (data.byteLength <= maxBinding) continue;
      const env = scene.environment;
      const size = `need ${(data.byteLength / 2 ** 20).toFixed(1)} MiB, more than this adapter's storage binding limit of ${(maxBinding / 2 ** 20).toFixed(0)} MiB`;
      if (label !== 'environment' || env.kind !== 2) throw new Error(`${scene.name}: ${label} ${size}`);
      // a map that is too large is the user's file: name it, and the largest 2:1 map (power-of-two sides) that fits
      const bytesPerTexel = data.byteLength / (env.width * env.height);
      let h = 1;
      while (2 * (2 * h) ** 2 * bytesPerTexel <= maxBinding) h *= 2;
      throw new Error(`${scene.name}: environment map ${env.name ? `${env.name} ` : ''}(${env.width}x${env.height}) ${size.replace('need', 'needs')}: use a map of at most ${2 * h}x${h}`);
    }
    this.buffers = parts.map(([label, data]) =>
      gpu.createBufferWithData(`${scene.name}: ${label}`, data, GPUBufferUsage.STORAGE),
    );
  }

  bindGroup(gpu: GpuContext, layout: GPUBindGroupLayout, label: string): GPUBindGroup {
    return gpu.device.createBindGroup({
      label,
      layout,
      entries: this.buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }

  /** Frees an owned copy (`new`); a shared one is freed by its last release(). */
  destroy(): void {
    if (this.refs > 0) throw new Error('SceneBuffers.destroy: a shared copy is freed by release()');
    this.free();
  }

  private free(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of this.buffers) b.destroy();
  }
}
