// One interactive render: the scene, its path tracers (the view, a low-resolution preview while the camera moves,
// and a background reference), the denoiser and the images they produce. All GPU work runs one step at a time
// through `queue`, one step per animation frame, each sized to the frame budget (budget.ts): a sample slower than
// the budget renders as bands of rows, so a camera change waits for one band, not one whole sample.
import type { GpuContext } from '../gpu/context.ts';
import type { ImageF32 } from '../image/image.ts';
import { psnr } from '../metrics/psnr.ts';
import { EmissionTracker, subtractEmission } from '../render/emission.ts';
import { IntegratorPipeline, PathTracer, type FrameData } from '../render/path-tracer.ts';
import type { BuiltScene } from '../scene/built-scene.ts';
import { compileScene, type CompiledCamera, type CompiledScene } from '../scene/compile.ts';
import type { EnvironmentInput } from '../scene/environment.ts';
import { previewScale, TimedTracer } from './budget.ts';
import { DenoiseSchedule } from './denoise-schedule.ts';
import type { EnsembleSize } from '../denoise/dihedral.ts';
import type { DenoiserChoice } from './denoising.ts';
import { Reference, REFERENCE_SEED_OFFSET } from './reference.ts';

/** A camera change within this long counts as "moving": the preview renders and denoising waits. */
export const INTERACTION_MS = 200;

export interface SessionSettings {
  width: number;
  height: number;
  targetSpp: number;
  seed: number;
  maxDepth: number;
  denoiser?: DenoiserChoice; // at start; default 'auto'
  /**
   * Emission separation (src/render/emission.ts): the denoiser gets the frame without the emission its camera rays
   * hit first, and that emission goes back on its output from this many primary rays per pixel; 0: off. Default 0.
   */
  emissionSpp?: number;
}

export interface SceneSource {
  name: string;
  origin: 'builtin' | 'file';
  built: BuiltScene;
}

export interface SessionListener {
  /** A new full-resolution frame (`noisy`) or a denoised image is ready. */
  frame(): void;
  /** A preview frame (lower resolution) is ready. */
  preview(frame: FrameData, cameraVersion: number): void;
  /** Something the user should know that is not an error (the reference was discarded, ...). */
  notice(text: string): void;
  /** A GPU step failed: the session stops. */
  failed(err: unknown): void;
}

export class RenderSession {
  scene: CompiledScene | null = null;
  source: SceneSource | null = null;
  environment: { name: string; input: EnvironmentInput } | null = null;
  camera: CompiledCamera | null = null;
  cameraVersion = 0;
  cameraChanges = 0;
  noisy: FrameData | null = null;
  /** Camera version of `noisy`. */
  noisyVersion = 0;
  readonly reference = new Reference();
  readonly denoise: DenoiseSchedule;
  psnrNoisy: number | null = null;
  psnrDenoised: number | null = null;
  scale = 1;

  private main: TimedTracer | null = null;
  /** The view's first-hit emission, kept in step with `main` (made at the first separated denoise of a scene). */
  private emission: EmissionTracker | null = null;
  /** Camera version the emission tracker renders. */
  private emissionVersion = -1;
  private preview: TimedTracer | null = null;
  private mainVersion = 0;
  private lastCameraChange = -Infinity;
  private queue: Promise<void> = Promise.resolve();
  private scheduled = false;
  private stopped = false;
  private turn = 0;
  private previewVersion = -1;
  readonly pipeline: Promise<IntegratorPipeline>; // shared with the online trainer's tracer

  constructor(private readonly gpu: GpuContext, readonly settings: SessionSettings, private readonly listener: SessionListener) {
    this.pipeline = IntegratorPipeline.create(gpu);
    this.denoise = new DenoiseSchedule(gpu, () => listener.frame(), settings.denoiser);
  }

  /** The denoised image of the current view, if any. */
  get denoised(): { image: ImageF32; spp: number } | null {
    return this.denoise.result;
  }

  get done(): boolean {
    return this.main !== null && this.mainVersion === this.cameraVersion && this.main.samples >= this.settings.targetSpp;
  }

  samplesPerSecond(): number {
    return this.main?.samplesPerSecond() ?? 0;
  }

  /** Recent GPU time per sample per pixel of the full-resolution view (null before the first pass). */
  get msPerSpp(): number | null {
    return this.main?.msPerSpp ?? null;
  }

  /**
   * Runs `fn` after every queued step. A failure of a `fatal` task (a render step) stops the session and reaches
   * the listener; other failures (loading a scene, timing) only reject the returned promise.
   */
  private enqueue<T>(fn: () => Promise<T>, fatal = true): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.then(() => undefined, (err: unknown) => {
      if (!fatal || this.stopped) return;
      this.stopped = true;
      this.listener.failed(err);
    });
    return run;
  }

  private wake(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      void this.enqueue(() => this.tick()).catch(() => undefined);
    });
  }

  private async tracer(scene: CompiledScene, width: number, height: number, seed: number, camera = this.camera, firstHitEmission = false): Promise<TimedTracer> {
    const pt = await PathTracer.create(this.gpu, scene, { width, height, maxDepth: this.settings.maxDepth, pipeline: this.pipeline, firstHitEmission });
    pt.reset(seed);
    if (camera && camera !== scene.camera) pt.setCamera(camera);
    return new TimedTracer(pt);
  }

  /**
   * Compiles `source` (with the loaded environment, if any) and renders it from sample 0. A scene that fails to
   * compile or upload throws here and leaves the current one running. `keepCamera` keeps the current view.
   */
  async setScene(source: SceneSource, keepCamera = false, environment = this.environment): Promise<void> {
    const compiled = compileScene(source.built, { name: source.name, environment: environment?.input });
    await this.enqueue(async () => {
      const { width, height, seed } = this.settings;
      const camera = keepCamera && this.camera ? this.camera : compiled.camera;
      // with emission separation the view's film keeps its first-hit emission too (FrameData.firstHitEmission)
      const main = await this.tracer(compiled, width, height, seed, camera, this.separatesEmission);
      this.dropTracers();
      this.camera = camera;
      this.scene = compiled;
      this.source = source;
      this.environment = environment;
      this.main = main;
      this.mainVersion = ++this.cameraVersion;
      this.resetImages();
    }, false);
    this.wake();
  }

  /** Uses `input` for this and later scenes: recompiles the current one, keeping the view. */
  async setEnvironment(name: string, input: EnvironmentInput): Promise<void> {
    if (!this.source) throw new Error(`${name}: no scene to light yet`);
    await this.setScene(this.source, true, { name, input });
  }

  /** True for a moment after each camera change (the preview renders; denoising and training wait). */
  get moving(): boolean {
    return performance.now() - this.lastCameraChange < INTERACTION_MS;
  }

  /** Runs `fn` between the session's GPU steps (online training); a failure only rejects the returned promise. */
  between<T>(fn: () => Promise<T>): Promise<T> {
    return this.enqueue(fn, false);
  }

  /**
   * Replaces the denoised image of the current frame (one pass of the online network; `emissionSpp`: the rays of the
   * emission put back if it was separated, else 0); null: denoise again when due (e.g. with another network).
   */
  setDenoised(result: { image: ImageF32; spp: number } | null, emissionSpp = 0): void {
    this.denoise.result = result;
    this.denoise.resultEnsemble = 1;
    this.denoise.resultEmissionSpp = result ? emissionSpp : 0;
    this.updatePsnr();
    this.listener.frame();
    this.wake();
  }

  setCamera(camera: CompiledCamera): void {
    this.camera = camera;
    this.cameraVersion++;
    this.cameraChanges++;
    this.lastCameraChange = performance.now();
    this.wake();
  }

  setDenoise(enabled: boolean, every?: number): void {
    this.denoise.set(enabled, every);
    this.listener.frame();
    this.wake();
  }

  /**
   * Swaps the app's denoiser (between GPU steps: the old one may be denoising) and denoises the frame again;
   * `restart`: also when it is the current choice (its inputs changed, e.g. OIDN's weights arrived).
   */
  setDenoiser(choice: DenoiserChoice, restart = false): Promise<void> {
    this.wake(); // its tick queues after the swap
    return this.enqueue(() => this.denoise.choose(choice, restart), false);
  }

  /** The final denoise's self-ensemble size (1, 2, 4, 8); a finished render is denoised again with it. */
  setFinalEnsemble(n: EnsembleSize): void {
    this.denoise.setFinalEnsemble(n, this.noisyVersion === this.cameraVersion ? this.noisy : null, this.settings.targetSpp);
    this.wake();
  }

  /** Renders a reference of the current view to `spp` in the background (between the view's own steps). */
  requestReference(spp: number): void {
    this.reference.discard();
    this.updatePsnr();
    void this.enqueue(async () => {
      if (!this.scene) return;
      const { width, height, seed } = this.settings;
      this.reference.render(await this.tracer(this.scene, width, height, (seed + REFERENCE_SEED_OFFSET) >>> 0), spp);
    });
    this.wake();
  }

  setReferenceImage(name: string, image: ImageF32): void {
    this.reference.setFile(name, image, this.settings.width, this.settings.height);
    this.updatePsnr();
    this.listener.frame();
  }

  private resetImages(): void {
    this.noisy = null;
    this.denoise.result = null;
    this.psnrNoisy = null;
    this.psnrDenoised = null;
    this.main?.restart();
  }

  private dropTracers(): void {
    this.emission?.destroy();
    this.emission = null;
    this.main?.destroy();
    this.preview?.destroy();
    this.main = this.preview = null;
    this.reference.discard();
  }

  private async tick(): Promise<void> {
    const main = this.main;
    if (!main || !this.scene || !this.camera) return;
    if (this.mainVersion !== this.cameraVersion) {
      main.tracer.setCamera(this.camera);
      this.mainVersion = this.cameraVersion;
      this.resetImages();
      if (this.reference.discard()) this.listener.notice('reference discarded: the camera moved');
    }
    const moving = this.moving;
    this.scale = moving ? previewScale(main.msPerSpp) : 1;
    if (this.scale > 1) {
      await this.previewStep(this.scale);
      this.wake();
      return;
    }
    const mainWork = main.samples < this.settings.targetSpp;
    // the reference takes every other step while the view still renders
    if (mainWork && (!this.reference.pending || this.turn++ % 2 === 0)) await this.mainStep(main);
    else if (this.reference.pending) await this.referenceStep();
    // the denoiser reads the film on the GPU: not while part of it holds a band-rendered sample
    if (!moving && !main.tracer.partial && this.denoiseDue()) await this.denoiseStep();
    if (main.samples < this.settings.targetSpp || this.reference.pending || this.denoiseDue() || moving) this.wake();
  }

  private async mainStep(main: TimedTracer): Promise<void> {
    // a band that did not complete a sample leaves nothing new to show (reading the film back costs a frame)
    if ((await main.step(this.settings.targetSpp - main.samples)) === 0) return;
    this.noisy = await main.tracer.readFrame();
    this.noisyVersion = this.mainVersion;
    this.updatePsnr();
    this.listener.frame();
  }

  private async previewStep(scale: number): Promise<void> {
    const { width, height, seed } = this.settings;
    const w = Math.ceil(width / scale);
    const h = Math.ceil(height / scale);
    if (!this.preview || this.preview.tracer.width !== w || this.preview.tracer.height !== h) {
      this.preview?.destroy();
      this.preview = null;
      this.preview = await this.tracer(this.scene!, w, h, seed);
      this.previewVersion = this.cameraVersion;
    }
    const version = this.cameraVersion;
    if (this.previewVersion !== version) this.preview.tracer.setCamera(this.camera!);
    this.previewVersion = version;
    await this.preview.step(1, false); // whole samples: the preview is sized so that one fits the budget
    this.listener.preview(await this.preview.tracer.readFrame(), version);
  }

  private async referenceStep(): Promise<void> {
    if (await this.reference.step()) this.updatePsnr();
    this.listener.frame();
  }

  private denoiseDue(): boolean {
    return this.noisyVersion === this.cameraVersion && this.denoise.due(this.noisy, this.settings.targetSpp);
  }

  private async denoiseStep(): Promise<void> {
    const noisy = this.noisy!;
    const final = noisy.spp >= this.settings.targetSpp;
    const parts = await this.separateEmission(noisy);
    let problem: string | null;
    if (parts) {
      problem = await this.denoise.run(null, parts.data, final, parts.emission);
      this.denoise.ms += parts.ms;
    } else {
      problem = await this.denoise.run(this.main!.tracer.frame(), noisy, final);
    }
    if (problem) this.listener.notice(problem);
    this.updatePsnr();
    this.listener.frame();
  }

  /** Whether denoises get the frame without its first-hit emission (settings.emissionSpp > 0). */
  get separatesEmission(): boolean {
    return (this.settings.emissionSpp ?? 0) > 0;
  }

  /**
   * With emission separation on (settings.emissionSpp > 0): `noisy` (the view's frame) without the emission its
   * camera rays hit first, the anti-aliased emission to put back on the denoised image, and the time the two took.
   * Null when separation is off. A GPU step: call it from within one (denoising, or `between`).
   */
  async separateEmission(noisy: FrameData): Promise<{ data: FrameData; emission: { antialiased: Float32Array; spp: number }; ms: number } | null> {
    const aaSpp = this.settings.emissionSpp ?? 0;
    if (aaSpp <= 0 || !this.scene || !this.camera) return null;
    const t0 = performance.now();
    const { width, height, seed } = this.settings;
    this.emission ??= await EmissionTracker.create(this.gpu, this.scene, { width, height, seed, antialiasedSpp: aaSpp, pipeline: this.pipeline });
    if (this.emissionVersion !== this.mainVersion) {
      this.emission.setCamera(this.camera);
      this.emissionVersion = this.mainVersion;
    }
    const e = await this.emission.images(noisy);
    return { data: { ...noisy, color: subtractEmission(noisy.color, e.matching) }, emission: { antialiased: e.antialiased, spp: aaSpp }, ms: performance.now() - t0 };
  }

  private updatePsnr(): void {
    const ref = this.reference.result?.image;
    const f = this.noisy;
    this.psnrNoisy = ref && f ? psnr({ width: f.width, height: f.height, channels: 3, data: f.color }, ref) : null;
    this.psnrDenoised = ref && this.denoised ? psnr(this.denoised.image, ref) : null;
  }

  /** Times a denoiser kind on the current frame (for the benchmark), between render steps. */
  timeDenoiser(choice: 'atrous' | 'n2n', runs: number, separated = false): Promise<{ label: string; ms: number[]; emissionSpp: number }> {
    return this.enqueue(async () => {
      const noisy = this.noisy;
      if (!this.main || !noisy) throw new Error('nothing rendered yet');
      if (!separated) return { ...(await this.denoise.time(choice, this.main.tracer.frame(), noisy, runs)), emissionSpp: 0 };
      const spp = this.settings.emissionSpp ?? 0;
      if (spp <= 0) throw new Error('emission separation is off (?emission=0)');
      const separate = async (): Promise<{ data: FrameData; emission: { antialiased: Float32Array } }> => {
        const parts = await this.separateEmission(noisy);
        if (!parts) throw new Error('no scene to separate the emission of');
        return parts;
      };
      return { ...(await this.denoise.time(choice, null, noisy, runs, separate)), emissionSpp: spp };
    }, false);
  }

  async destroy(): Promise<void> {
    this.stopped = true;
    await this.queue;
    this.dropTracers();
    await this.denoise.dispose();
  }
}
