// The orbit camera: three's OrbitControls on the canvas drive a PerspectiveCamera, which becomes the path
// tracer's CompiledCamera on every change. The first render uses the scene's own compiled camera unchanged (so
// it matches a Node render bit for bit); only a user's move replaces it.
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { cameraFrame, type CompiledCamera } from '../scene/compile.ts';

/**
 * The CompiledCamera of a three camera (its frame as compileScene derives it: cameraFrame), with the
 * field of view and aperture of `base` and the focus on the orbit target.
 */
export function compiledFromThree(camera: THREE.PerspectiveCamera, base: CompiledCamera, target: THREE.Vector3): CompiledCamera {
  const frame = cameraFrame(camera);
  const focus = Math.max(new THREE.Vector3(...frame.origin).distanceTo(target), 1e-6);
  return {
    ...frame,
    fovY: base.fovY,
    lensRadius: base.lensRadius,
    focusDistance: focus,
  };
}

/** A three camera at `cam`'s pose, orbiting about world +y (the scenes and glTF are y-up). */
export function threeFromCompiled(cam: CompiledCamera, aspect: number): THREE.PerspectiveCamera {
  const camera = new THREE.PerspectiveCamera(THREE.MathUtils.radToDeg(cam.fovY), aspect, 1e-3, 1e6);
  camera.position.fromArray(cam.origin);
  const basis = new THREE.Matrix4().makeBasis(
    new THREE.Vector3(...cam.right),
    new THREE.Vector3(...cam.up),
    new THREE.Vector3(...cam.forward).negate(),
  );
  camera.quaternion.setFromRotationMatrix(basis);
  camera.up.set(0, 1, 0);
  camera.updateMatrixWorld(true);
  return camera;
}

export class OrbitCamera {
  private readonly camera: THREE.PerspectiveCamera;
  private readonly controls: OrbitControls;
  private readonly target: THREE.Vector3;

  /**
   * Orbits about the point `cam.focusDistance` ahead of the camera (the built-in scenes and the glTF loader focus
   * on the subject). `onChange` runs for every user move with the new camera.
   */
  constructor(canvas: HTMLCanvasElement, private readonly base: CompiledCamera, aspect: number, onChange: (cam: CompiledCamera) => void) {
    this.camera = threeFromCompiled(base, aspect);
    this.target = new THREE.Vector3(...base.origin).addScaledVector(new THREE.Vector3(...base.forward), base.focusDistance);
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.target.copy(this.target);
    this.controls.enableDamping = false; // damping would keep changing the view (and restarting) after release
    this.controls.zoomToCursor = false;
    this.controls.update();
    this.controls.addEventListener('change', () => onChange(this.current()));
  }

  current(): CompiledCamera {
    return compiledFromThree(this.camera, this.base, this.controls.target);
  }

  dispose(): void {
    this.controls.dispose();
  }
}
