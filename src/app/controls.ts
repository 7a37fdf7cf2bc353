// The page's controls -> the app's actions. Nothing here keeps state.
import { ENSEMBLE_SIZES, isEnsembleSize, type EnsembleSize } from '../denoise/dihedral.ts';
import type { DenoiserKind } from './denoising.ts';
import type { FileLike } from './files.ts';
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
    const every = Math.floor(Number(ui.denoiseEvery.value));
    if (!(every >= 1)) return act.error(`denoise every: expected a whole number >= 1, got '${ui.denoiseEvery.value}'`);
    act.setDenoise(ui.denoise.checked, every);
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
    const spp = Math.floor(Number(ui.referenceSpp.value));
    if (!(spp >= 1)) return act.error(`reference spp: expected a whole number >= 1, got '${ui.referenceSpp.value}'`);
    act.makeReference(spp);
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
