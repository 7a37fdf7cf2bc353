// The page's controls -> the app's actions. Nothing here keeps state.
import { ENSEMBLE_SIZES, isEnsembleSize, type EnsembleSize } from '../denoise/dihedral.ts';
import type { DenoiserKind } from './denoising.ts';
import type { FileLike } from './files.ts';
import { MAX_SPP, wholeNumberIn } from './params.ts';
import type { Elements } from './ui.ts';

export interface ControlActions {
  pickScene(value: string): void;
  openFiles(files: FileLike[]): void;
  setDenoise(enabled: boolean, every: number): void;
  /** The Denoiser picker changed. */
  setDenoiser(kind: DenoiserKind): void;
  /** The final denoise's ensemble size changed. */
  setEnsemble(n: EnsembleSize): void;
  setOnline(enabled: boolean): void;
  makeReference(spp: number): void;
  /** Exposure, tone map, compare or split changed: redraw only. */
  redraw(): void;
  save(format: 'png' | 'exr'): void;
  /** A user input on the canvas (for input latency), with its event timestamp. */
  input(timeStamp: number): void;
  error(text: string): void;
}

/** A field's whole number from `min` to `max`, or the message to show (a typed 1e9 or 2.5 is not silently taken). */
export function wholeNumber(what: string, text: string, min: number, max: number): { value: number } | { error: string } {
  const v = wholeNumberIn(text, min, max);
  return v === null ? { error: `${what}: expected a whole number from ${min} to ${max}, got '${text}'` } : { value: v };
}

function takeFiles(input: HTMLInputElement): FileLike[] {
  const files = [...(input.files ?? [])];
  input.value = ''; // picking the same file again must fire 'change' again
  return files;
}

export function wireControls(ui: Elements, act: ControlActions): void {
  ui.scene.addEventListener('change', () => act.pickScene(ui.scene.value));
  ui.file.addEventListener('change', () => act.openFiles(takeFiles(ui.file)));
  ui.fallbackFile.addEventListener('change', () => act.openFiles(takeFiles(ui.fallbackFile)));
  ui.stage.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    ui.stage.classList.add('dragging');
  });
  ui.stage.addEventListener('dragleave', () => ui.stage.classList.remove('dragging'));
  ui.stage.addEventListener('drop', (ev) => {
    ev.preventDefault();
    ui.stage.classList.remove('dragging');
    act.openFiles([...(ev.dataTransfer?.files ?? [])]);
  });

  const denoise = (): void => {
    const every = wholeNumber('denoise every', ui.denoiseEvery.value, 1, MAX_SPP);
    if ('error' in every) return act.error(every.error);
    act.setDenoise(ui.denoise.checked, every.value);
  };
  ui.denoise.addEventListener('change', denoise);
  ui.denoiseEvery.addEventListener('change', denoise);
  ui.denoiser.addEventListener('change', () => act.setDenoiser(ui.denoiser.value as DenoiserKind));
  ui.ensemble.addEventListener('change', () => {
    const n = Number(ui.ensemble.value);
    if (!isEnsembleSize(n)) return act.error(`final denoise: expected an ensemble of ${ENSEMBLE_SIZES.join(', ')}, got '${ui.ensemble.value}'`);
    act.setEnsemble(n);
  });
  ui.online.addEventListener('change', () => act.setOnline(ui.online.checked));
  ui.makeReference.addEventListener('click', () => {
    const spp = wholeNumber('reference spp', ui.referenceSpp.value, 1, MAX_SPP);
    if ('error' in spp) return act.error(spp.error);
    act.makeReference(spp.value);
  });
  for (const el of [ui.compare, ui.split, ui.exposure, ui.tonemap]) {
    el.addEventListener('input', () => {
      ui.exposureValue.textContent = Number(ui.exposure.value).toFixed(1);
      act.redraw();
    });
  }
  ui.savePng.addEventListener('click', () => act.save('png'));
  ui.saveExr.addEventListener('click', () => act.save('exr'));

  // every input on the canvas, seen before OrbitControls handles it; hover moves are not input
  const onInput = (ev: Event): void => {
    if (ev instanceof PointerEvent && ev.type === 'pointermove' && ev.buttons === 0) return;
    act.input(ev.timeStamp);
  };
  for (const type of ['pointerdown', 'pointermove', 'wheel', 'keydown']) {
    ui.canvas.addEventListener(type, onInput, { capture: true, passive: true });
  }
}
