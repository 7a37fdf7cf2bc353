// Save the shown image: PNG tone mapped as on screen, EXR with the linear values.
import { encodeImage } from '../image/codec.ts';
import type { ImageF32 } from '../image/image.ts';
import type { ToneSettings } from './display.ts';

/** Encodes `image` and hands it to the browser as a download named `baseName.png` / `.exr`. */
export function downloadImage(image: ImageF32, format: 'png' | 'exr', baseName: string, tone: ToneSettings): string {
  const fileName = `${baseName}.${format}`;
  const bytes = encodeImage(image, format, { exposure: tone.exposure, operator: tone.operator, name: fileName });
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: format === 'png' ? 'image/png' : 'image/x-exr' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // revoke later: the download starts asynchronously
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return fileName;
}

/** A file name for the current image: scene, spp, and whether it is denoised (safe characters only). */
export function imageBaseName(scene: string, spp: number, denoised: boolean): string {
  const stem = scene.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]+/g, '_') || 'render';
  return `${stem}-${spp}spp${denoised ? '-denoised' : ''}`;
}
