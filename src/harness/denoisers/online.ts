// Online per-scene training as a comparable denoiser ("online-n2n-fast", ...): before a scene's frames are
// denoised, the network starts again from its pretrained weights and trains on fresh noisy pairs of that scene's
// view (OnlineTrainer, Noise2Noise's training while rendering); its frames are then denoised with the fine-tuned
// weights (by the plain n2n plugin, N2nDenoiser, made from them). The training's wall time is the plugin's
// prepareScene() time, which the harness counts in the scene's totals.
import { builtinSpec } from '../../denoise/specs.ts';
import { decodeWeights, type NetworkWeights } from '../../denoise/weights.ts';
import type { GpuContext } from '../../gpu/context.ts';
import type { ImageF32 } from '../../image/image.ts';
import { onlineSettingProblem, OnlineTrainer } from '../../train/online.ts';
import { isN2nModel, N2nDenoiser, type N2nModel } from './n2n.ts';
import { DenoiserError, type DenoiserInput, type DenoiserPlugin, type SceneView } from './types.ts';

export const ONLINE_PREFIX = 'online-';

/** The network behind an online denoiser's name ("online-n2n-fast" -> "n2n-fast"), or null. */
export function onlineModel(name: string): N2nModel | null {
  if (!name.startsWith(ONLINE_PREFIX)) return null;
  const model = name.slice(ONLINE_PREFIX.length);
  return isN2nModel(model) ? model : null;
}

export interface OnlineSettings {
  /** Adam steps per scene (default 40). */
  steps: number;
  /** Steps per rendered pair (default 4). */
  stepsPerPair: number;
  /** spp of each render of a pair (default 4). */
  sppPerRender: number;
  batch: number;
  crop: number;
  learningRate: number;
  seed: number;
}

/** The settings measured on the Cornell box in denoiser/README.md ("Online per-scene training"). */
export const DEFAULT_ONLINE_SETTINGS: Readonly<OnlineSettings> = Object.freeze({
  steps: 40, stepsPerPair: 4, sppPerRender: 4, batch: 4, crop: 64, learningRate: 1e-4, seed: 1,
});

export class OnlineN2nDenoiser implements DenoiserPlugin {
  readonly needsAux = true;
  readonly name: string;
  /** The plain n2n plugin with the weights fine-tuned on the current scene. */
  private denoiser: N2nDenoiser | null = null;
  private stepsTaken = 0;

  private constructor(
    private readonly gpu: GpuContext,
    readonly model: N2nModel,
    private readonly weights: NetworkWeights,
    readonly settings: Readonly<OnlineSettings>,
  ) {
    this.name = ONLINE_PREFIX + model;
  }

  /** `weights`: the pretrained start, decoded or a TLNW file's bytes (`source` names it in errors). */
  static create(gpu: GpuContext, model: N2nModel, weights: NetworkWeights | Uint8Array, settings: Partial<OnlineSettings> = {}, source?: string): OnlineN2nDenoiser {
    const s = { ...DEFAULT_ONLINE_SETTINGS, ...settings };
    for (const [k, v] of Object.entries(s)) {
      const problem = onlineSettingProblem(k, v);
      if (problem) throw new DenoiserError(`${ONLINE_PREFIX}${model}: ${problem}`);
    }
    const spec = builtinSpec(model);
    const w = weights instanceof Uint8Array ? decodeWeights(spec, weights, source ?? `weights for '${model}'`) : weights;
    return new OnlineN2nDenoiser(gpu, model, w, s);
  }

  /** Fine-tunes a fresh copy of the pretrained weights on the scene's view (settings.steps Adam steps). */
  async prepareScene(view: SceneView): Promise<void> {
    this.release();
    const s = this.settings;
    const spec = builtinSpec(this.model);
    const trainer = await OnlineTrainer.create(this.gpu, view.scene, {
      spec, weights: this.weights, width: view.width, height: view.height, maxDepth: view.maxDepth,
      sppPerRender: s.sppPerRender, stepsPerFrame: s.stepsPerPair, batch: s.batch, crop: s.crop, learningRate: s.learningRate, seed: s.seed,
      separateEmission: view.emissionSeparated === true,
    });
    try {
      while (trainer.step < s.steps) await trainer.trainFrame();
      this.denoiser = await N2nDenoiser.create(this.gpu, { model: this.model, weights: await trainer.weights() });
      this.stepsTaken = trainer.step;
    } finally {
      trainer.destroy();
    }
  }

  /** Adam steps taken on the current scene (stepsPerPair at a time, so at least settings.steps); 0 before. */
  get steps(): number {
    return this.stepsTaken;
  }

  async denoise(input: DenoiserInput): Promise<ImageF32> {
    if (!this.denoiser) throw new DenoiserError(`${this.name}: prepareScene() must train on a scene before denoise()`);
    return this.denoiser.denoise(input);
  }

  private release(): void {
    this.denoiser?.destroy();
    this.denoiser = null;
    this.stepsTaken = 0;
  }

  destroy(): void {
    this.release();
  }
}
