// What a scene source (built-in module, glTF file, user code) hands to the scene compiler.
import type * as THREE from 'three';

export interface BuiltScene {
  /** Meshes (Mesh + BufferGeometry with normals); the compiler applies their world transforms. */
  scene: THREE.Scene;
  /**
   * Thin-lens camera: `camera.userData.apertureRadius` in world units (0 = pinhole), focus distance `camera.focus`.
   * Its matrixWorld is up to date.
   */
  camera: THREE.PerspectiveCamera;
  /** Constant environment radiance; absent = black. */
  environment?: { color: [number, number, number] };
  /** Things the source could not represent (e.g. glTF textures), one line each. */
  warnings?: string[];
}

/** A scene that cannot be built or loaded; the message names the file/scene and what is wrong. */
export class SceneError extends Error {
  override name = 'SceneError';
}
