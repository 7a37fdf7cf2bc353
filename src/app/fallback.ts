// Without WebGPU: denoise a loaded image with the gpu.js network (src/denoise/backend.ts picks gpu.js when there
// is no GPU context). The colour image comes with optional `-albedo` / `-normal` companions; missing ones are
// replaced by neutral planes (white albedo, normals facing the camera), and the page says so.
import { createDenoiserBackend } from '../denoise/backend.ts';
import { builtinSpec } from '../denoise/specs.ts';
import type { ImageF32 } from '../image/image.ts';
import { fetchTrainedWeights, N2N_MODEL, N2N_WEIGHTS_FILE } from './denoising.ts';
import type { LoadedFile } from './files.ts';

export interface FallbackResult {
  name: string;
  input: ImageF32;
  output: ImageF32;
  backend: string;
  ms: number;
  /** What the user should know about the result (untrained weights, missing aux images). */
  notes: string[];
}

function constantPlane(like: ImageF32, value: [number, number, number]): ImageF32 {
  const data = new Float32Array(like.width * like.height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(value, i);
  return { width: like.width, height: like.height, channels: 3, data };
}

export async function fallbackDenoise(files: LoadedFile[]): Promise<FallbackResult> {
  const images = files.filter((f): f is Extract<LoadedFile, { kind: 'image' }> => f.kind === 'image');
  const color = images.find((f) => f.role === 'color');
  if (!color) {
    const others = files.map((f) => f.name).join(', ');
    throw new Error(`${others}: without WebGPU only images can be denoised; pick a colour .exr or .png (with optional -albedo / -normal companions)`);
  }
  const notes: string[] = [];
  const aux = (role: 'albedo' | 'normal', neutral: [number, number, number]): ImageF32 => {
    const found = images.find((f) => f.role === role);
    if (!found) {
      notes.push(`no ${role} image (${color.name.replace(/\.[^.]*$/, '')}-${role}.exr): a neutral one was used`);
      return constantPlane(color.image, neutral);
    }
    if (found.image.width !== color.image.width || found.image.height !== color.image.height) {
      throw new Error(`${found.name}: ${found.image.width}x${found.image.height} does not match ${color.name} (${color.image.width}x${color.image.height})`);
    }
    return found.image;
  };
  const albedo = aux('albedo', [1, 1, 1]);
  const normal = aux('normal', [0, 0, 1]);
  const spec = builtinSpec(N2N_MODEL);
  const weights = await fetchTrainedWeights();
  if (!weights) notes.push(`no trained ${N2N_MODEL} weights (${N2N_WEIGHTS_FILE}): untrained network, the result is not a useful image`);
  const backend = await createDenoiserBackend({ gpu: null, spec, weights: weights ?? undefined });
  try {
    const t0 = performance.now();
    const output = await backend.denoise({ color: color.image, albedo, normal });
    return { name: color.name, input: color.image, output, backend: backend.describe(), ms: performance.now() - t0, notes };
  } finally {
    await backend.destroy();
  }
}
