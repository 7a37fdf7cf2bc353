// Online per-scene training in the app: while the view renders, an OnlineTrainer (src/train/online.ts) renders its
// own noisy pairs of the same view and takes Adam steps, one train frame at a time between the session's GPU steps,
// paced to a share of wall time (online-schedule.ts) so rendering and input go on. While it is on, its network is
// the denoise toggle's denoiser, and every few frames it denoises the view (shown when denoising is on) and
// measures PSNR against the reference when there is one. It follows camera moves and restarts for a new scene.
// Denoising goes through the runtime Denoiser with the trainer's current weights (setWeights): the same output
// as the trainer's own inference (tests/train/online.test.ts) at several times its speed.
import { Denoiser, type DenoiseInput } from '../denoise/denoiser.ts';
import type { EnsembleSize } from '../denoise/dihedral.ts';
import { builtinSpec } from '../denoise/specs.ts';
import { addEmission } from '../render/emission.ts';
import type { NetworkWeights } from '../denoise/weights.ts';
import type { GpuContext } from '../gpu/context.ts';
import type { ImageF32 } from '../image/image.ts';
import { psnr } from '../metrics/psnr.ts';
import type { CompiledScene } from '../scene/compile.ts';
import { OnlineTrainer } from '../train/online.ts';
import { fetchTrainedWeights, frameImages, N2N_MODEL, N2N_WEIGHTS_FILE, type AppDenoiser } from './denoising.ts';
import type { AppStats } from './hook.ts';
import { FRAME_BUDGET_MS } from './budget.ts';
import { LEARNING_RATE, ONLINE_SETTINGS, StepBudget, StepRate, TrainingHistory, TrainPacer } from './online-schedule.ts';
import type { RenderSession } from './session.ts';

/** Denoise the view (and measure PSNR) after every this many train frames. */
export const VALIDATE_EVERY = 4;

export interface OnlineListener {
  /** Stats or the plot changed. */
  changed(): void;
  notice(text: string): void;
}

/** Where the plot goes (online-plot.ts). */
export interface HistoryView {
  show(history: TrainingHistory): void;
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

export class OnlineTraining {
  enabled = false;
  label = '';
  loss: number | null = null;
  psnr: number | null = null;
  psnrStep = 0;
  /** Wall time of the last train frame (pair render, step, validation), ms. */
  frameMs = 0;
  readonly history = new TrainingHistory();
  private trainer: OnlineTrainer | null = null;
  /** Denoises with the trainer's weights as of `runtimeStep` (its step counter; -1: not yet set). */
  private runtime: Denoiser | null = null;
  private runtimeStep = -1;
  private scene: CompiledScene | null = null;
  private cameraVersion = -1;
  private start: { weights?: NetworkWeights; trained: boolean } | null = null;
  /** What the network had learned when turned off, to go on from on the same scene. */
  private resume: { scene: CompiledScene; weights: NetworkWeights } | null = null;
  private stepOffset = 0;
  /** The reference of the last validation: a new one is validated against at once. */
  private validated: ImageF32 | null = null;
  /** The trainer's steps whose loss has been read (its own counter runs ahead while a step is in flight). */
  private trainedSteps = 0;
  private frames = 0;
  private raf = 0;
  private busy = false;
  private readonly pacer = new TrainPacer();
  private readonly rate = new StepRate();
  /** Steps per train frame: what fits one render submission's budget. */
  private readonly budget = new StepBudget(FRAME_BUDGET_MS);
  /** Steps the last train frame took. */
  stepsPerFrame = 0;
  /** The denoise toggle's denoiser while training is on. */
  private readonly denoiser: AppDenoiser;

  constructor(private readonly gpu: GpuContext, private readonly session: RenderSession, private readonly view: HistoryView, private readonly listener: OnlineListener) {
    const owner = this;
    this.denoiser = {
      kind: 'n2n',
      get label() {
        return owner.label;
      },
      ensembles: true,
      denoise: (frame, data, ensemble) => owner.denoiseWith(frame ?? frameImages(data), ensemble),
      destroy: () => undefined, // the trainer is this class's to destroy
    };
  }

  get step(): number {
    return this.stepOffset + this.trainedSteps;
  }

  stats(): AppStats['online'] {
    const { enabled, label, loss, psnr: db, psnrStep, frameMs } = this;
    return {
      enabled, label, step: this.step, loss, stepsPerSecond: enabled ? this.rate.perSecond() : 0, psnr: db, psnrStep, frameMs, stepsPerFrame: this.stepsPerFrame,
      separatedPairs: this.trainer?.separatesEmission ?? false,
    };
  }

  set(on: boolean): void {
    if (on === this.enabled) return;
    this.enabled = on;
    this.rate.clear();
    this.pacer.reset();
    this.budget.reset();
    if (on) this.schedule();
    else this.stop();
    this.listener.changed();
  }

  private schedule(): void {
    if (this.raf || !this.enabled) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.tick();
    });
  }

  /** Each animation frame: start a train frame if the pacer allows and none is queued or running. */
  private tick(): void {
    if (!this.enabled || this.busy) return;
    const s = this.session;
    if (!this.pacer.due(performance.now(), { rendering: !s.done || s.reference.pending, moving: s.moving })) return this.schedule();
    this.busy = true;
    s.between(() => this.frame())
      .catch((err: unknown) => this.failed(err))
      .finally(() => {
        this.busy = false;
        this.view.show(this.history);
        this.listener.changed();
        this.schedule();
      });
  }

  private async frame(): Promise<void> {
    const s = this.session;
    if (!this.enabled || !s.scene || !s.camera) return;
    if (!this.trainer || s.scene !== this.scene) await this.recreate(s.scene);
    const trainer = this.trainer!;
    if (s.denoise.override !== this.denoiser) {
      s.denoise.override = this.denoiser;
      s.setDenoised(null); // the view's denoised image comes from this network from now on
    }
    if (this.cameraVersion !== s.cameraVersion) {
      trainer.setCamera(s.camera);
      this.cameraVersion = s.cameraVersion;
    }
    const t0 = performance.now();
    if (this.rate.empty) this.rate.add(t0, this.step);
    const r = await trainer.trainFrame(this.budget.next());
    this.budget.record(r.steps, r.stepMs);
    this.stepsPerFrame = r.steps;
    this.trainedSteps = r.step;
    if (!Number.isFinite(r.loss)) throw new Error(`the loss is not finite at step ${this.step}`);
    this.loss = r.loss;
    this.history.addLoss(this.step, r.loss);
    const reference = this.session.reference.result?.image ?? null;
    if (this.frames++ % VALIDATE_EVERY === 0 || reference !== this.validated) await this.validate();
    const t1 = performance.now();
    this.frameMs = t1 - t0;
    this.pacer.record(t0, t1);
    this.rate.add(t1, this.step);
  }

  /** Denoises the view's current frame with the current weights: shown if denoising is on, PSNR if a reference exists. */
  private async validate(): Promise<void> {
    const s = this.session;
    const frame = s.noisy;
    const reference = s.reference.result?.image ?? null;
    const show = s.denoise.enabled;
    this.validated = reference;
    if (!frame || frame.spp === 0 || s.noisyVersion !== s.cameraVersion || (!reference && !show)) return;
    // the frame without its first-hit emission where the session separates it, as for every other denoise
    const parts = await s.separateEmission(frame);
    let image = await this.denoiseWith(frameImages(parts?.data ?? frame));
    if (parts) image = { ...image, data: addEmission(image.data, parts.emission.antialiased) };
    if (reference) {
      this.psnr = psnr(image, reference);
      this.psnrStep = this.step;
      this.history.addPsnr(this.step, this.psnr);
    }
    if (show) s.setDenoised({ image, spp: frame.spp }, parts?.emission.spp ?? 0);
  }

  private async denoiseWith(input: DenoiseInput, ensemble: EnsembleSize = 1): Promise<ImageF32> {
    const { trainer, runtime } = this;
    if (!trainer || !runtime) throw new Error('online training is off');
    if (this.runtimeStep !== trainer.step) {
      await runtime.setWeights(await trainer.weights());
      this.runtimeStep = trainer.step;
    }
    const out = await runtime.denoise(input, { ensemble });
    try {
      return { width: out.width, height: out.height, channels: 3, data: await out.read() };
    } finally {
      out.destroy();
    }
  }

  /** A trainer for `scene`: from what it learned before being turned off on this scene, else from the start weights. */
  private async recreate(scene: CompiledScene): Promise<void> {
    this.release();
    const start = (this.start ??= await this.startWeights());
    const resume = this.resume?.scene === scene ? this.resume : null;
    this.resume = null;
    if (!resume) {
      this.history.clear();
      this.stepOffset = this.frames = 0;
      this.loss = this.psnr = null;
      this.psnrStep = 0;
    }
    const { width, height } = this.session.settings;
    const spec = builtinSpec(N2N_MODEL);
    this.trainer = await OnlineTrainer.create(this.gpu, scene, {
      spec, weights: resume?.weights ?? start.weights, width, height, ...ONLINE_SETTINGS,
      // its denoises are separated where the session separates (validate above): so are its training pairs
      separateEmission: this.session.separatesEmission,
      learningRate: start.trained ? LEARNING_RATE.trained : LEARNING_RATE.seeded, seed: 1 + this.stepOffset,
    }, await this.session.pipeline);
    this.runtime = await Denoiser.create(this.gpu, { spec });
    this.runtimeStep = -1;
    this.scene = scene;
    this.cameraVersion = -1;
  }

  /** The trained n2n-fast weights when the build has them (as the app's denoiser loads them), else the seeded init. */
  private async startWeights(): Promise<{ weights?: NetworkWeights; trained: boolean }> {
    let why = `no trained ${N2N_MODEL} weights yet (${N2N_WEIGHTS_FILE})`;
    try {
      const weights = await fetchTrainedWeights();
      if (weights) {
        this.label = `${N2N_MODEL} online, from trained weights`;
        return { weights, trained: true };
      }
    } catch (err) {
      why = messageOf(err);
    }
    this.label = `${N2N_MODEL} online, from the seeded initialisation: ${why}`;
    return { trained: false };
  }

  /** Turned off: the view goes back to the app's denoiser; the weights are kept to go on from later. */
  private stop(): void {
    this.detach();
    void this.session.between(async () => {
      if (this.enabled || !this.trainer || !this.scene) return; // on again meanwhile: keep going
      const weights = await this.trainer.weights();
      if (this.enabled) return;
      this.resume = { scene: this.scene, weights };
      this.release();
    }).catch((err: unknown) => this.failed(err));
  }

  /** Stops training and frees its GPU objects (after any step in flight). */
  destroy(): Promise<void> {
    this.enabled = false;
    this.detach();
    return this.session.between(async () => this.release());
  }

  private failed(err: unknown): void {
    if (this.enabled) this.listener.notice(`online training stopped: ${messageOf(err)}`);
    this.enabled = false;
    this.detach();
    void this.session.between(async () => this.release()).catch(() => undefined);
    this.listener.changed();
  }

  private detach(): void {
    if (this.session.denoise.override !== this.denoiser) return;
    this.session.denoise.override = null;
    this.session.setDenoised(null);
  }

  private release(): void {
    this.stepOffset = this.step;
    this.trainedSteps = 0;
    this.trainer?.destroy();
    this.runtime?.destroy();
    this.trainer = null;
    this.runtime = null;
  }
}
