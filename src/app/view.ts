// The canvas: what it shows (the main image, a comparison right of the split) and drawing it; previews are drawn
// small and scaled up.
import type { ImageF32 } from '../image/image.ts';
import type { FrameData } from '../render/path-tracer.ts';
import { composeView, type CompareKind, type ToneSettings } from './display.ts';
import type { FallbackResult } from './fallback.ts';
import type { RenderSession } from './session.ts';

export interface ViewImages {
  noisy: ImageF32 | null;
  denoised: ImageF32 | null;
  reference: ImageF32 | null;
}

export function frameImage(frame: FrameData): ImageF32 {
  return { width: frame.width, height: frame.height, channels: 3, data: frame.color };
}

/** The images behind the view: the session's, or without WebGPU the fallback denoiser's input and output. */
export function viewImages(session: RenderSession | null, fallback: FallbackResult | null): ViewImages {
  if (session) {
    return {
      noisy: session.noisy ? frameImage(session.noisy) : null,
      denoised: session.denoised?.image ?? null,
      reference: session.reference.result?.image ?? null,
    };
  }
  return { noisy: fallback?.input ?? null, denoised: fallback?.output ?? null, reference: null };
}

/** The main image is the denoised one whenever denoising is on and has a result. */
export function mainKind(session: RenderSession | null, fallback: FallbackResult | null): 'noisy' | 'denoised' {
  const denoised = session ? session.denoise.enabled && session.denoised !== null : fallback !== null;
  return denoised ? 'denoised' : 'noisy';
}

export class CanvasView {
  private readonly small = document.createElement('canvas');

  constructor(private readonly canvas: HTMLCanvasElement, private readonly divider: HTMLElement) {}

  private put(target: HTMLCanvasElement, rgba: Uint8ClampedArray, width: number, height: number): void {
    if (target.width !== width || target.height !== height) {
      target.width = width;
      target.height = height;
    }
    target.getContext('2d')!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  }

  /** Draws `main` with `compare` right of `split` (0..1); false when there is nothing to draw yet. */
  draw(main: ImageF32 | null, compareKind: CompareKind, compare: ImageF32 | null, split: number, tone: ToneSettings): boolean {
    if (!main) return false;
    const other = compareKind === 'none' ? null : compare;
    this.put(this.canvas, composeView(main, other, split, tone), main.width, main.height);
    this.divider.hidden = other === null;
    this.divider.style.left = `${split * 100}%`;
    return true;
  }

  /** A low-resolution preview frame, scaled up to the canvas. */
  drawPreview(frame: FrameData, tone: ToneSettings): void {
    this.put(this.small, composeView(frameImage(frame), null, 1, tone), frame.width, frame.height);
    const ctx = this.canvas.getContext('2d')!;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.small, 0, 0, this.canvas.width, this.canvas.height);
    this.divider.hidden = true;
  }
}
