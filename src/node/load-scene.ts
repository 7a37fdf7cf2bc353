// Node-side scene sources: a built-in scene name, a procedural scene (`procedural-<8 hex digits>`, the generator's
// names: the training views' scenes and the validation scenes procedural-70000000 ... procedural-70000007) or a
// .glb/.gltf file, plus an optional environment image.
import { readInputFile } from './read-input.ts';
import { basename, dirname, extname, resolve } from 'node:path';
import { findScene, builtinScenes } from '../../scenes/index.ts';
import { proceduralScene, proceduralSceneName } from '../../scenes/procedural.ts';
import { SceneError, type BuiltScene } from '../scene/built-scene.ts';
import type { EnvironmentInput } from '../scene/environment.ts';
import { loadGltf } from '../scene/gltf.ts';
import { readImageFile } from './image-files.ts';

export interface LoadedScene {
  name: string;
  built: BuiltScene;
  /** The scene's own environment for compileScene (procedural scenes' sky maps), unless the user gives one. */
  environment?: EnvironmentInput;
}

const PROCEDURAL = /^procedural-([0-9a-f]{8})$/;

export async function loadScene(spec: string): Promise<LoadedScene> {
  const entry = findScene(spec);
  if (entry) return { name: entry.name, built: await entry.build() };
  const procedural = PROCEDURAL.exec(spec);
  if (procedural) {
    const seed = parseInt(procedural[1], 16);
    const built = proceduralScene(seed);
    return { name: proceduralSceneName(seed), built, environment: built.environmentInput };
  }
  const ext = extname(spec).toLowerCase();
  if (ext !== '.glb' && ext !== '.gltf') {
    throw new SceneError(
      `unknown scene '${spec}': not a built-in scene (${builtinScenes.map((s) => s.name).join(', ')}), ` +
        'a procedural scene (procedural-<8 hex digits>, e.g. procedural-70000000) nor a .glb/.gltf file',
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readInputFile(spec);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SceneError(`${spec}: cannot read file (${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message})`);
  }
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const dir = dirname(resolve(spec));
  const built = await loadGltf(data, spec, async (uri: string) => {
    const path = resolve(dir, uri);
    const b = await readInputFile(path);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  });
  return { name: basename(spec), built };
}

/** An equirectangular environment map from an .hdr/.exr/.pfm file. */
export async function loadEnvironment(path: string): Promise<EnvironmentInput> {
  const img = await readImageFile(path);
  if (img.channels < 3) throw new SceneError(`${path}: an environment map needs colour (RGB) data, found ${img.channels} channel`);
  // NaN and infinite radiance cannot be lit with or importance sampled (the compiled map would read them as black:
  // an infinite sun would silently vanish), so they are refused; alpha (a fourth channel) is not radiance.
  let bad = 0;
  let first = -1;
  for (let i = 0; i < img.data.length; i++) {
    if (i % img.channels < 3 && !Number.isFinite(img.data[i])) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (bad > 0) {
    const p = Math.floor(first / img.channels);
    throw new SceneError(`${path}: the environment map has ${bad} NaN or infinite value${bad > 1 ? 's' : ''} (first at pixel ${p % img.width},${Math.floor(p / img.width)}: ${img.data[first]})`);
  }
  return { kind: 'map', width: img.width, height: img.height, channels: img.channels as 3 | 4, data: img.data, name: path };
}
