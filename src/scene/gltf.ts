// glTF 2.0 (.glb, or .gltf with embedded or resolvable buffers) -> BuiltScene, in Node and the browser.
// Geometry, transforms, PBR materials (incl. KHR_materials_transmission/ior/specular/emissive_strength) and the
// first perspective camera are kept; textures, skinning and morph targets are not (listed in `warnings`).
import * as THREE from 'three';
import { GLTFLoader, type GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { SceneError, type BuiltScene } from './built-scene.ts';
import { normalizeGltf, type GltfResourceResolver } from './gltf-container.ts';

export type { GltfResourceResolver } from './gltf-container.ts';

/** Constant environment radiance used when the file has no emitters (otherwise it would render black). */
export const GLTF_DEFAULT_ENVIRONMENT: [number, number, number] = [0.5, 0.5, 0.5];
/** Camera used when the file has none: vertical fov (degrees) and aspect ratio. */
export const GLTF_DEFAULT_FOV = 40;
export const GLTF_DEFAULT_ASPECT = 4 / 3;

export async function loadGltf(
  data: ArrayBuffer,
  fileName: string,
  resolve?: GltfResourceResolver,
): Promise<BuiltScene & { warnings: string[] }> {
  const { glb, warnings } = await normalizeGltf(data, fileName, resolve);
  let gltf: GLTF;
  try {
    gltf = await new GLTFLoader().parseAsync(glb, '');
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // a TypeError or RangeError is three.js tripping over data the checks above let through: still a bad file
    const malformed = e instanceof TypeError || e instanceof RangeError;
    throw new SceneError(`${fileName}: ${malformed ? `malformed glTF that three.js's loader cannot read (${message})` : message}`);
  }
  const root = gltf.scene ?? gltf.scenes[0];
  if (!root) throw new SceneError(`${fileName}: the file has no scene`);
  if (gltf.scenes.length > 1) warnings.push(`${gltf.scenes.length} scenes in the file; only the default one is loaded`);

  const scene = new THREE.Scene();
  scene.name = fileName;
  scene.add(root);
  expandInstances(scene);
  scene.updateMatrixWorld(true);
  checkIndices(scene, fileName);
  const meshes = prepareMeshes(scene, warnings);
  if (meshes.length === 0) throw new SceneError(`${fileName}: the scene contains no triangle meshes`);

  const bounds = new THREE.Box3().setFromObject(scene);
  let camera: THREE.PerspectiveCamera | undefined;
  let orthographic = false;
  scene.traverse((object) => {
    if (camera) return;
    if (object instanceof THREE.PerspectiveCamera) camera = cameraFromFile(object, bounds);
    else if (object instanceof THREE.OrthographicCamera) orthographic = true;
  });
  if (!camera && orthographic) warnings.push('orthographic cameras are not supported; framing the scene instead');
  const hasEmitters = meshes.some((mesh) => materialsOf(mesh).some(isEmissive));
  return {
    scene,
    camera: camera ?? frameBounds(bounds),
    environment: hasEmitters ? undefined : { color: [...GLTF_DEFAULT_ENVIRONMENT] },
    warnings,
  };
}

/** EXT_mesh_gpu_instancing arrives as InstancedMesh; the compiler takes plain meshes, so expand the instances. */
function expandInstances(scene: THREE.Scene): void {
  const instanced: THREE.InstancedMesh[] = [];
  scene.traverse((object) => {
    if (object instanceof THREE.InstancedMesh) instanced.push(object);
  });
  const instanceMatrix = new THREE.Matrix4();
  for (const mesh of instanced) {
    const parent = mesh.parent!;
    mesh.updateMatrix();
    for (let i = 0; i < mesh.count; i++) {
      mesh.getMatrixAt(i, instanceMatrix);
      const copy = new THREE.Mesh(mesh.geometry, mesh.material);
      copy.name = `${mesh.name} #${i}`;
      copy.matrixAutoUpdate = false; // keep the exact (possibly sheared) matrix
      copy.matrix.multiplyMatrices(mesh.matrix, instanceMatrix);
      parent.add(copy);
    }
    parent.remove(mesh);
  }
}

/** Every index must name a vertex (an index past the end would read undefined: NaN positions, misleading errors). */
function checkIndices(scene: THREE.Scene, fileName: string): void {
  scene.traverse((object) => {
    if (!(object instanceof THREE.Mesh)) return;
    const geometry = object.geometry as THREE.BufferGeometry;
    const index = geometry.index;
    const vertices = geometry.getAttribute('position')?.count ?? 0;
    if (!index) return;
    for (let i = 0; i < index.count; i++) {
      const v = index.getX(i);
      if (!(v < vertices)) {
        throw new SceneError(`${fileName}: mesh '${object.name || object.uuid.slice(0, 8)}' has index ${v} (at ${i}) but only ${vertices} vertices`);
      }
    }
  });
}

/** Drops points/lines, gives normal-less geometry flat normals (glTF's rule), maps materials to supported ones. */
function prepareMeshes(scene: THREE.Scene, warnings: string[]): THREE.Mesh[] {
  const meshes: THREE.Mesh[] = [];
  const dropped: THREE.Object3D[] = [];
  scene.traverse((object) => {
    if (object instanceof THREE.Mesh) meshes.push(object);
    else if (object instanceof THREE.Points || object instanceof THREE.Line) dropped.push(object);
  });
  for (const object of dropped) object.removeFromParent();
  if (dropped.length > 0) warnings.push(`${dropped.length} point/line primitive(s) ignored: only triangles are rendered`);

  const flat = new Map<THREE.BufferGeometry, THREE.BufferGeometry>();
  const replaced = new Map<THREE.Material, THREE.Material>();
  const notes = new Set<string>();
  for (const mesh of meshes) {
    const geometry = mesh.geometry as THREE.BufferGeometry;
    if (!geometry.getAttribute('normal')) {
      let fixed = flat.get(geometry);
      if (!fixed) {
        fixed = geometry.index ? geometry.toNonIndexed() : geometry;
        fixed.computeVertexNormals(); // non-indexed: face normals
        flat.set(geometry, fixed);
      }
      mesh.geometry = fixed;
    }
    if (mesh instanceof THREE.SkinnedMesh) notes.add('skinning ignored: skinned meshes are rendered in their bind pose');
    if (geometry.morphAttributes.position) notes.add('morph targets ignored');
    const mapped = materialsOf(mesh).map((material) => {
      let out = replaced.get(material);
      if (!out) {
        out = supportedMaterial(material, notes);
        replaced.set(material, out);
      }
      return out;
    });
    mesh.material = Array.isArray(mesh.material) ? mapped : mapped[0];
  }
  warnings.push(...notes);
  return meshes;
}

function supportedMaterial(material: THREE.Material, notes: Set<string>): THREE.Material {
  if ('vertexColors' in material && material.vertexColors) notes.add('vertex colours ignored');
  if (material instanceof THREE.MeshStandardMaterial || material instanceof THREE.MeshLambertMaterial) return material;
  // KHR_materials_unlit (MeshBasicMaterial) and anything else: keep the colour, shade it as diffuse.
  notes.add(`${material.type} (e.g. unlit) materials are rendered as diffuse`);
  const color = 'color' in material && material.color instanceof THREE.Color ? material.color : new THREE.Color(0.8, 0.8, 0.8);
  return new THREE.MeshLambertMaterial({ name: material.name, color, side: material.side });
}

function materialsOf(mesh: THREE.Mesh): THREE.Material[] {
  return Array.isArray(mesh.material) ? mesh.material : [mesh.material];
}

function isEmissive(material: THREE.Material): boolean {
  if (!(material instanceof THREE.MeshStandardMaterial || material instanceof THREE.MeshLambertMaterial)) return false;
  const e = material.emissive;
  return material.emissiveIntensity > 0 && Math.max(e.r, e.g, e.b) > 0;
}

/** A standalone copy of the file's camera at its world transform (scale dropped), aspect ratio kept. */
function cameraFromFile(source: THREE.PerspectiveCamera, bounds: THREE.Box3): THREE.PerspectiveCamera {
  const camera = new THREE.PerspectiveCamera(source.fov, source.aspect, source.near, source.far);
  camera.name = source.name;
  const scale = new THREE.Vector3();
  source.matrixWorld.decompose(camera.position, camera.quaternion, scale);
  const forward = new THREE.Vector3(0, 0, -1).applyQuaternion(camera.quaternion);
  const along = bounds.getCenter(new THREE.Vector3()).sub(camera.position).dot(forward);
  return finishCamera(camera, along > 0 ? along : 1);
}

/** Looks at the bounding sphere from the front (+z in glTF), right and above, with the whole sphere in view. */
function frameBounds(bounds: THREE.Box3): THREE.PerspectiveCamera {
  const center = bounds.getCenter(new THREE.Vector3());
  const radius = Math.max(bounds.getSize(new THREE.Vector3()).length() / 2, 1e-3);
  const halfFov = THREE.MathUtils.degToRad(GLTF_DEFAULT_FOV / 2);
  const distance = (1.05 * radius) / Math.sin(halfFov); // aspect >= 1: the vertical fov is the tighter one
  const direction = new THREE.Vector3(0.6, 0.45, 1).normalize();
  const camera = new THREE.PerspectiveCamera(GLTF_DEFAULT_FOV, GLTF_DEFAULT_ASPECT, distance * 1e-3, distance + 2 * radius);
  camera.position.copy(center).addScaledVector(direction, distance);
  camera.lookAt(center);
  return finishCamera(camera, distance);
}

function finishCamera(camera: THREE.PerspectiveCamera, focus: number): THREE.PerspectiveCamera {
  camera.focus = focus;
  camera.userData.apertureRadius = 0;
  camera.updateMatrixWorld(true);
  camera.updateProjectionMatrix();
  return camera;
}
