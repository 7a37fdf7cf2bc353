// When and with what the session denoises: every N new samples per pixel and once more when the render finishes,
// never while the camera moves. The denoiser starts on first use; if it fails, denoising turns itself off and the
// render goes on.
import type { GpuContext } from '../gpu/context.ts';
import type { ImageF32 } from '../image/image.ts';
import { addEmission } from '../render/emission.ts';
import type { Frame, FrameData } from '../render/path-tracer.ts';
import type { EnsembleSize } from '../denoise/dihedral.ts';
import { createAppDenoiser, type AppDenoiser, type DenoiserChoice, type DenoiserKind } from './denoising.ts';

export class DenoiseSchedule {
  enabled = false;
  every = 8;
  /** Time of the last denoise (GPU work + read-back), ms. */
  ms = 0;
  runs = 0;
  /** What denoises, once it has started ('' before). */
  label = '';
  /** Kind of the started denoiser (null before): 'auto' may fall back to a-trous. */
  kind: DenoiserKind | null = null;
  result: { image: ImageF32; spp: number } | null = null;
  /**
   * The final denoise (when the render reaches its target) of a network averages over this many flips /
   * transpositions of the frame (src/denoise/dihedral.ts): the still image gets the better result, the progressive
   * ones stay fast.
   */
  finalEnsemble: EnsembleSize = 1;
  /** The ensemble size of the shown result (1: a single pass, or a filter). */
  resultEnsemble: EnsembleSize = 1;
  /** Emission separation of the shown result: rays per pixel of the emission put back (0: none). */
  resultEmissionSpp = 0;
  /** Denoises instead of the app's denoiser while set (the online-training network); its owner destroys it. */
  override: AppDenoiser | null = null;
  private denoiser: Promise<AppDenoiser> | null = null;
  /** Denoise the current frame again at the next chance (the denoiser was swapped). */
  private redo = false;

  constructor(private readonly gpu: GpuContext, private readonly onChange: () => void, private choice: DenoiserChoice = 'auto') {}

  set(enabled: boolean, every = this.every): void {
    this.enabled = enabled;
    this.every = Math.max(1, Math.floor(every));
    if (enabled && !this.denoiser) this.start();
  }

  private start(): void {
    const starting = createAppDenoiser(this.gpu, this.choice);
    this.denoiser = starting;
    starting.then((d) => {
      if (this.denoiser !== starting) return; // swapped again meanwhile
      this.label = d.label;
      this.kind = d.kind;
      this.onChange();
    }, () => undefined);
  }

  /**
   * Uses denoiser `choice` from now on (`restart`: also when it already is): destroys the current one and, when on,
   * starts the new one and denoises the current frame again (unless the online network overrides it). Call between GPU steps (the old one may be busy).
   */
  async choose(choice: DenoiserChoice, restart = false): Promise<void> {
    if (choice === this.choice && !restart) return;
    this.choice = choice;
    await this.dispose();
    this.label = '';
    this.kind = null;
    if (this.enabled) this.start();
    this.redo = this.override === null; // also when off: the shown result came from the old denoiser
    this.onChange();
  }

  /** Sets the final denoise's ensemble size; a finished render is denoised again with it. */
  setFinalEnsemble(n: EnsembleSize, frame: FrameData | null, targetSpp: number): void {
    if (n === this.finalEnsemble) return;
    this.finalEnsemble = n;
    if (frame && frame.spp >= targetSpp && this.result?.spp === frame.spp) this.redo = true;
    this.onChange();
  }

  /** Due for `frame` (the view's current one) when enough new samples arrived, or the render just finished. */
  due(frame: FrameData | null, targetSpp: number): boolean {
    if (!this.enabled || !frame || frame.spp === 0) return false;
    if (this.redo) return true;
    const last = this.result?.spp ?? 0;
    return frame.spp - last >= this.every || (frame.spp >= targetSpp && last !== frame.spp);
  }

  /**
   * Denoises `frame` (on the GPU) / `data` (read back), with the final ensemble when `final` (the render reached
   * its target); returns an error message instead of throwing. With `emission` (src/render/emission.ts), `data` is
   * the frame without its first-hit emission (frame null) and `emission` the anti-aliased emission to add back.
   */
  async run(frame: Frame | null, data: FrameData, final = false, emission?: { antialiased: Float32Array; spp: number }): Promise<string | null> {
    try {
      const denoiser = this.override ?? (await this.denoiser!);
      const ensemble = final && denoiser.ensembles ? this.finalEnsemble : 1;
      const t0 = performance.now();
      let image = await denoiser.denoise(frame, data, ensemble);
      if (emission) image = { ...image, data: addEmission(image.data, emission.antialiased) };
      this.ms = performance.now() - t0;
      this.runs++;
      this.result = { image, spp: data.spp };
      this.resultEnsemble = ensemble;
      this.resultEmissionSpp = emission?.spp ?? 0;
      this.redo = false;
      return null;
    } catch (err) {
      this.enabled = false;
      await this.dispose();
      return `denoising stopped: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /**
   * Times `runs` denoises of `frame` / `data` with a fresh denoiser of `choice` (for the benchmark), after one
   * untimed run (the first dispatches include the driver's shader compilation); with `separate`, each run takes the
   * frame without its emission from it and adds the anti-aliased emission back.
   */
  async time(
    choice: DenoiserChoice, frame: Frame | null, data: FrameData, runs: number,
    separate?: () => Promise<{ data: FrameData; emission: { antialiased: Float32Array } }>,
  ): Promise<{ label: string; ms: number[] }> {
    const dn = await createAppDenoiser(this.gpu, choice);
    const once = async (): Promise<void> => {
      if (!separate) {
        await dn.denoise(frame, data);
        return;
      }
      const parts = await separate();
      const image = await dn.denoise(null, parts.data);
      addEmission(image.data, parts.emission.antialiased);
    };
    try {
      await once();
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await once();
        ms.push(performance.now() - t0);
      }
      return { label: dn.label, ms };
    } finally {
      dn.destroy();
    }
  }

  async dispose(): Promise<void> {
    const old = this.denoiser;
    this.denoiser = null;
    (await old?.catch(() => null))?.destroy();
  }
}
