// Files the user drops or picks: .glb/.gltf scenes, .hdr environments, .exr/.png images (a reference for the
// render, or with no WebGPU the input of the fallback denoiser; `name-albedo.exr` / `name-normal.exr` are its
// auxiliary inputs, as `tracelab render --aov` names them), .tza files (Open Image Denoise's weights, for the "OIDN"
// denoiser). Every failure is one line naming the file.
import type { BuiltScene } from '../scene/built-scene.ts';
import type { EnvironmentInput } from '../scene/environment.ts';
import { loadGltf } from '../scene/gltf.ts';
import { decodeImage, detectFormat } from '../image/codec.ts';
import { convertChannels, type ImageF32 } from '../image/image.ts';

export type LoadedFile =
  | { kind: 'scene'; name: string; built: BuiltScene }
  | { kind: 'environment'; name: string; environment: EnvironmentInput }
  | { kind: 'image'; name: string; role: ImageRole; image: ImageF32 }
  | { kind: 'oidn-weights'; name: string; bytes: Uint8Array };

export type ImageRole = 'color' | 'albedo' | 'normal';

export const ACCEPTED_FILES = '.glb,.gltf,.bin,.hdr,.exr,.png,.tza';

export class FileError extends Error {
  override name = 'FileError';
}

/** The part of a File these functions use (a test or a caller can pass plain objects). */
export interface FileLike {
  name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

function extension(name: string): string {
  const m = /\.([^./\\]+)$/.exec(name);
  return m ? m[1].toLowerCase() : '';
}

function baseName(path: string): string {
  return path.split(/[/\\]/).pop() ?? path;
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/** The role of an image by its name: `x-albedo.exr` is an albedo image, `x-normal.png` a normal image. */
export function imageRole(name: string): ImageRole {
  const stem = name.replace(/\.[^.]*$/, '').toLowerCase();
  if (stem.endsWith('-albedo')) return 'albedo';
  if (stem.endsWith('-normal')) return 'normal';
  return 'color';
}

/** Decodes an image as the CLI reads it: PNG AOVs hold linear values, normals mapped from [-1, 1] to [0, 1]. */
function decodeForRole(bytes: Uint8Array, name: string, role: ImageRole): ImageF32 {
  const png = detectFormat(bytes) === 'png';
  const image = decodeImage(bytes, name, png && role !== 'color' ? { transfer: 'none' } : {});
  const rgb = image.channels === 3 ? image : convertChannels(image, 3);
  if (png && role === 'normal') return { ...rgb, data: rgb.data.map((v) => v * 2 - 1) };
  return rgb;
}

/**
 * A file's bytes. A folder (a dropped folder is a File that cannot be read), a file moved or deleted since it was
 * picked, or an empty file is a FileError naming it.
 */
async function read(file: FileLike): Promise<ArrayBuffer> {
  let bytes: ArrayBuffer;
  try {
    bytes = await file.arrayBuffer();
  } catch (err) {
    throw new FileError(`${file.name}: could not be read (a folder? drop the files in it instead): ${message(err)}`);
  }
  if (bytes.byteLength === 0) throw new FileError(`${file.name}: the file is empty`);
  return bytes;
}

/**
 * Loads every file of one drop or pick. A .gltf's external buffers are looked up among the other files by name;
 * .bin files are only buffers. Throws a FileError at the first bad file (nothing is applied then).
 */
export async function loadFiles(files: readonly FileLike[]): Promise<LoadedFile[]> {
  if (files.length === 0) throw new FileError('no file was given');
  const byName = new Map(files.map((f) => [baseName(f.name), f]));
  const out: LoadedFile[] = [];
  for (const file of files) {
    const name = file.name;
    const ext = extension(name);
    try {
      if (ext === 'bin') continue;
      if (ext === 'glb' || ext === 'gltf') {
        const built = await loadGltf(await read(file), name, async (uri) => {
          const dep = byName.get(baseName(uri));
          if (!dep) throw new FileError(`not among the files given; drop or pick it together with ${name}`);
          return read(dep);
        });
        out.push({ kind: 'scene', name, built });
      } else if (ext === 'hdr') {
        const image = decodeForRole(new Uint8Array(await read(file)), name, 'color');
        out.push({ kind: 'environment', name, environment: { kind: 'map', width: image.width, height: image.height, channels: 3, data: image.data, name } });
      } else if (ext === 'exr' || ext === 'png') {
        const role = imageRole(name);
        out.push({ kind: 'image', name, role, image: decodeForRole(new Uint8Array(await read(file)), name, role) });
      } else if (ext === 'tza') {
        const bytes = new Uint8Array(await read(file));
        // checked now (the parser is loaded only when such a file comes): a bad file is refused like any other
        const { inspectOidnWeights } = await import('../harness/denoisers/oidn.ts');
        inspectOidnWeights(bytes, name);
        out.push({ kind: 'oidn-weights', name, bytes });
      } else {
        const folder = ext === '' ? '; a folder: drop the files in it instead' : '';
        throw new FileError(`${name}: ${ext === '' ? 'no file extension' : 'unsupported file type'} (expected .glb, .gltf, .hdr, .exr, .png or .tza${folder})`);
      }
    } catch (err) {
      if (err instanceof FileError) throw err;
      const text = message(err);
      throw new FileError(text.includes(name) ? text : `${name}: ${text}`);
    }
  }
  // .bin files alone: nothing to show (they would be dropped without a word)
  if (out.length === 0) {
    throw new FileError(`${files.map((f) => f.name).join(', ')}: a .bin file is only the buffer of a .gltf; drop or pick it together with the .gltf`);
  }
  return out;
}
