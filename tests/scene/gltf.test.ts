import * as THREE from 'three';
import { GLTFExporter } from 'three/examples/jsm/exporters/GLTFExporter.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SceneError } from '../../src/scene/built-scene.ts';
import { GLTF_DEFAULT_ENVIRONMENT, loadGltf } from '../../src/scene/gltf.ts';
import { meshesOf, worldTriangles } from './scene-checks.ts';

// GLTFExporter reads Blobs through FileReader, which Node lacks: a stand-in over Blob.arrayBuffer().
class NodeFileReader {
  result: ArrayBuffer | string | null = null;
  onloadend: (() => void) | null = null;
  readAsArrayBuffer(blob: Blob): void {
    void blob.arrayBuffer().then((buffer) => {
      this.result = buffer;
      this.onloadend?.();
    });
  }
  readAsDataURL(blob: Blob): void {
    void blob.arrayBuffer().then((buffer) => {
      this.result = `data:${blob.type || 'application/octet-stream'};base64,${Buffer.from(buffer).toString('base64')}`;
      this.onloadend?.();
    });
  }
}
const hadFileReader = 'FileReader' in globalThis;
beforeAll(() => {
  if (!hadFileReader) Object.assign(globalThis, { FileReader: NodeFileReader });
});
afterAll(() => {
  if (!hadFileReader) delete (globalThis as { FileReader?: unknown }).FileReader;
});

async function exportGlb(scene: THREE.Scene): Promise<ArrayBuffer> {
  return (await new GLTFExporter().parseAsync(scene, { binary: true })) as ArrayBuffer;
}

function mesh(name: string, geometry: THREE.BufferGeometry, material: THREE.Material, position: [number, number, number]) {
  const m = new THREE.Mesh(geometry, material);
  m.name = name;
  m.position.set(...position);
  return m;
}

/** Glass, a double-sided emitter, a pure-Lambert physical material, a metal (nested, scaled), and a camera. */
function testScene(withCamera: boolean, withEmitter: boolean): THREE.Scene {
  const scene = new THREE.Scene();
  scene.add(mesh('glass', new THREE.SphereGeometry(0.5, 16, 8), new THREE.MeshPhysicalMaterial({ transmission: 1, ior: 1.4, roughness: 0.1, metalness: 0 }), [0, 0.5, 0]));
  if (withEmitter) {
    const light = new THREE.MeshStandardMaterial({ emissive: new THREE.Color(1, 0.5, 0.25), emissiveIntensity: 7, side: THREE.DoubleSide });
    scene.add(mesh('light', new THREE.PlaneGeometry(1, 1), light, [0, 3, 0]));
  }
  scene.add(mesh('lambert', new THREE.BoxGeometry(1, 1, 1), new THREE.MeshPhysicalMaterial({ color: new THREE.Color(0.2, 0.4, 0.6), specularIntensity: 0, metalness: 0 }), [2, 0.5, 0]));
  const group = new THREE.Group();
  group.position.set(-2, 0, 0);
  group.scale.setScalar(2);
  group.rotation.y = 0.3;
  group.add(mesh('metal', new THREE.BoxGeometry(0.5, 0.5, 0.5), new THREE.MeshStandardMaterial({ color: new THREE.Color(0.9, 0.6, 0.3), metalness: 1, roughness: 0.3 }), [0, 0.25, 0]));
  scene.add(group);
  if (withCamera) {
    const camera = new THREE.PerspectiveCamera(50, 1.5, 0.1, 100);
    camera.name = 'shot';
    camera.position.set(1, 2, 6);
    camera.lookAt(0, 0.5, 0);
    scene.add(camera);
  }
  scene.updateMatrixWorld(true);
  return scene;
}

const byName = (scene: THREE.Scene, name: string) => {
  const found = meshesOf(scene).find((m) => m.name === name);
  if (!found) throw new Error(`no mesh ${name}`);
  return found;
};

describe('loadGltf round trip (GLTFExporter binary -> loadGltf)', () => {
  it('keeps meshes, transforms, materials and the camera', async () => {
    const source = testScene(true, true);
    const built = await loadGltf(await exportGlb(source), 'round-trip.glb');
    expect(built.warnings).toEqual([]);
    expect(meshesOf(built.scene).length).toBe(4);
    // World-space geometry survives (nested group transform included).
    const box = new THREE.Box3().setFromObject(built.scene);
    const sourceBox = new THREE.Box3().setFromObject(source);
    expect(box.min.distanceTo(sourceBox.min)).toBeLessThan(1e-5);
    expect(box.max.distanceTo(sourceBox.max)).toBeLessThan(1e-5);
    for (const m of meshesOf(built.scene)) expect(m.geometry.getAttribute('normal')).toBeDefined();

    const glass = byName(built.scene, 'glass').material as THREE.MeshPhysicalMaterial;
    expect(glass).toBeInstanceOf(THREE.MeshPhysicalMaterial);
    expect(glass.transmission).toBe(1);
    expect(glass.ior).toBeCloseTo(1.4, 6);
    expect(glass.roughness).toBeCloseTo(0.1, 6);

    const light = byName(built.scene, 'light').material as THREE.MeshStandardMaterial;
    expect(light.side).toBe(THREE.DoubleSide);
    expect(light.emissiveIntensity).toBeCloseTo(7, 6);
    expect(light.emissive.toArray()).toEqual([1, 0.5, 0.25].map((c) => expect.closeTo(c, 5)));

    const lambert = byName(built.scene, 'lambert').material as THREE.MeshPhysicalMaterial;
    expect(lambert).toBeInstanceOf(THREE.MeshPhysicalMaterial);
    expect(lambert.specularIntensity).toBe(0);
    expect(lambert.metalness).toBe(0);
    expect(lambert.side).toBe(THREE.FrontSide);
    expect(lambert.color.toArray()).toEqual([0.2, 0.4, 0.6].map((c) => expect.closeTo(c, 5)));

    const metal = byName(built.scene, 'metal').material as THREE.MeshStandardMaterial;
    expect(metal.metalness).toBe(1);
    expect(metal.roughness).toBeCloseTo(0.3, 6);

    expect(built.environment).toBeUndefined(); // the file has an emitter
    const camera = built.camera;
    expect(camera.fov).toBeCloseTo(50, 4);
    expect(camera.aspect).toBeCloseTo(1.5, 6);
    expect(camera.position.distanceTo(new THREE.Vector3(1, 2, 6))).toBeLessThan(1e-5);
    const toTarget = new THREE.Vector3(0, 0.5, 0).sub(camera.position).normalize();
    expect(camera.getWorldDirection(new THREE.Vector3()).dot(toTarget)).toBeGreaterThan(0.99999);
    expect(camera.userData.apertureRadius).toBe(0);
    expect(camera.focus).toBeGreaterThan(0);
  });

  it('frames the scene and adds a grey environment when the file has no camera and no emitters', async () => {
    const built = await loadGltf(await exportGlb(testScene(false, false)), 'plain.glb');
    expect(built.environment).toEqual({ color: GLTF_DEFAULT_ENVIRONMENT });
    const camera = built.camera;
    const box = new THREE.Box3().setFromObject(built.scene);
    const center = box.getCenter(new THREE.Vector3()).project(camera);
    expect(Math.abs(center.x)).toBeLessThan(1e-6);
    expect(Math.abs(center.y)).toBeLessThan(1e-6);
    for (let i = 0; i < 8; i++) {
      const corner = new THREE.Vector3(i & 1 ? box.max.x : box.min.x, i & 2 ? box.max.y : box.min.y, i & 4 ? box.max.z : box.min.z);
      const ndc = corner.project(camera);
      expect(Math.max(Math.abs(ndc.x), Math.abs(ndc.y))).toBeLessThan(1);
      expect(Math.abs(ndc.z)).toBeLessThan(1);
    }
    // Seen from the front (+z, glTF's forward) and from above.
    expect(camera.position.z).toBeGreaterThan(box.max.z);
    expect(camera.position.y).toBeGreaterThan(box.max.y);
  });

  it('expands EXT_mesh_gpu_instancing into plain meshes', async () => {
    const scene = new THREE.Scene();
    const instanced = new THREE.InstancedMesh(new THREE.BoxGeometry(0.2, 0.2, 0.2), new THREE.MeshStandardMaterial(), 3);
    for (let i = 0; i < 3; i++) instanced.setMatrixAt(i, new THREE.Matrix4().makeTranslation(i, 0, 0));
    scene.add(instanced);
    const built = await loadGltf(await exportGlb(scene), 'instances.glb');
    const meshes = meshesOf(built.scene);
    expect(meshes.length).toBe(3);
    expect(meshes.some((m) => m instanceof THREE.InstancedMesh)).toBe(false);
    const xs = meshes.map((m) => new THREE.Box3().setFromObject(m).getCenter(new THREE.Vector3()).x).sort();
    expect(xs.map((x) => +x.toFixed(6))).toEqual([0, 1, 2]);
  });
});

// A hand-written .gltf: one triangle in the z = 0 plane, no normals, a (never decoded) texture.
const TRIANGLE = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]);
function triangleGltf(bufferUri: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    asset: { version: '2.0' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 }, material: 0 }] }],
    materials: [{ pbrMetallicRoughness: { baseColorFactor: [1, 0, 0, 1], baseColorTexture: { index: 0 } } }],
    textures: [{ source: 0 }],
    images: [{ uri: 'data:image/png;base64,AAAA' }],
    accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] }],
    bufferViews: [{ buffer: 0, byteLength: 36 }],
    buffers: [{ byteLength: 36, ...(bufferUri === undefined ? {} : { uri: bufferUri }) }],
    ...extra,
  };
}
/** The triangle with an index accessor (u32) after its positions, in one embedded buffer. */
function indexedTriangleGltf(indices: number[]): Record<string, unknown> {
  const bin = Buffer.concat([Buffer.from(TRIANGLE.buffer), Buffer.from(new Uint32Array(indices).buffer)]);
  return triangleGltf(`data:application/octet-stream;base64,${bin.toString('base64')}`, {
    meshes: [{ primitives: [{ attributes: { POSITION: 0 }, indices: 1 }] }],
    accessors: [
      { bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] },
      { bufferView: 1, componentType: 5125, count: indices.length, type: 'SCALAR' },
    ],
    bufferViews: [{ buffer: 0, byteLength: 36 }, { buffer: 0, byteOffset: 36, byteLength: 4 * indices.length }],
    buffers: [{ byteLength: bin.length, uri: `data:application/octet-stream;base64,${bin.toString('base64')}` }],
  });
}
const encode = (json: unknown) => new TextEncoder().encode(JSON.stringify(json)).buffer as ArrayBuffer;
const dataUri = `data:application/octet-stream;base64,${Buffer.from(TRIANGLE.buffer).toString('base64')}`;

describe('loadGltf .gltf JSON', () => {
  it('loads embedded buffers, ignores textures with a warning, computes flat normals', async () => {
    const built = await loadGltf(encode(triangleGltf(dataUri)), 'triangle.gltf');
    const [m] = meshesOf(built.scene);
    const normal = m.geometry.getAttribute('normal');
    expect(normal.count).toBe(3);
    for (let i = 0; i < 3; i++) expect([normal.getX(i), normal.getY(i), normal.getZ(i)]).toEqual([0, 0, 1]);
    expect(worldTriangles(m)[0].normal.z).toBeCloseTo(1, 9);
    const material = m.material as THREE.MeshStandardMaterial;
    expect(material.map).toBeNull();
    expect(material.color.toArray()).toEqual([1, 0, 0]);
    expect(built.warnings.some((w) => /texture/.test(w))).toBe(true);
  });

  it('renders unlit materials as diffuse and drops point primitives, with warnings', async () => {
    const json = triangleGltf(dataUri, {
      extensionsUsed: ['KHR_materials_unlit'],
      materials: [{ pbrMetallicRoughness: { baseColorFactor: [0, 1, 0, 1] }, extensions: { KHR_materials_unlit: {} } }],
      meshes: [{ primitives: [{ attributes: { POSITION: 0 }, material: 0 }, { attributes: { POSITION: 0 }, mode: 0 }] }],
    });
    const built = await loadGltf(encode(json), 'unlit.gltf');
    const meshes = meshesOf(built.scene);
    expect(meshes.length).toBe(1);
    const material = meshes[0].material as THREE.MeshLambertMaterial;
    expect(material).toBeInstanceOf(THREE.MeshLambertMaterial);
    expect(material.color.toArray()).toEqual([0, 1, 0]);
    let points = 0;
    built.scene.traverse((o) => void (o instanceof THREE.Points && points++));
    expect(points).toBe(0);
    expect(built.warnings.some((w) => /point\/line/.test(w))).toBe(true);
    expect(built.warnings.some((w) => /as diffuse/.test(w))).toBe(true);
  });

  it('reads external buffers through the resolver, and says so when there is none', async () => {
    const data = encode(triangleGltf('tri%20data.bin'));
    const asked: string[] = [];
    const built = await loadGltf(data, 'external.gltf', async (uri) => {
      asked.push(uri);
      return new Uint8Array(TRIANGLE.buffer);
    });
    expect(asked).toEqual(['tri data.bin']);
    expect(meshesOf(built.scene).length).toBe(1);
    await expect(loadGltf(data, 'external.gltf')).rejects.toThrow(/^external\.gltf: .*"tri data\.bin".*resolver/);
    await expect(loadGltf(data, 'external.gltf', () => Promise.reject(new Error('ENOENT')))).rejects.toThrow(
      /^external\.gltf: external buffer "tri data\.bin" could not be read: ENOENT/,
    );
  });
});

describe('loadGltf animations', () => {
  it('ignores animations (a still render does not use them), even a broken one', async () => {
    const json = triangleGltf(dataUri, { animations: [{ channels: [{ sampler: 0, target: { node: 9, path: 'x' } }], samplers: [{ input: 9, output: 9 }] }] });
    const built = await loadGltf(encode(json), 'animated.gltf');
    expect(meshesOf(built.scene).length).toBe(1);
  });
});

describe('loadGltf malformed input', () => {
  const cases: [string, () => Promise<ArrayBuffer>, RegExp][] = [
    ['garbage bytes', async () => Uint8Array.from({ length: 256 }, (_, i) => (i * 97 + 13) & 0xff).buffer, /not a glTF file/],
    ['an empty file', async () => new ArrayBuffer(0), /not a glTF file/],
    ['a truncated glb', async () => (await exportGlb(testScene(true, true))).slice(0, 300), /truncated GLB/],
    ['JSON that is not glTF', async () => encode({ hello: 'world' }), /not a glTF file \(JSON without asset\.version\)/],
    ['glTF 1.0', async () => encode({ asset: { version: '1.0' } }), /unsupported glTF version 1\.0/],
    ['invalid JSON', async () => new TextEncoder().encode('{"asset": {').buffer as ArrayBuffer, /invalid glTF JSON/],
    ['a missing buffer', async () => encode(triangleGltf(dataUri, { bufferViews: [{ buffer: 3, byteLength: 36 }] })), /bufferView 0 buffer refers to a missing item/],
    ['no buffer data', async () => encode(triangleGltf(undefined)), /buffer 0 has no data/],
    ['a short buffer', async () => encode(triangleGltf(dataUri, { buffers: [{ byteLength: 72, uri: dataUri }] })), /buffer 0 is truncated/],
    [
      'an accessor past its bufferView',
      async () => encode(triangleGltf(dataUri, { accessors: [{ bufferView: 0, componentType: 5126, count: 4, type: 'VEC3' }] })),
      /accessor 0 reads past the end/,
    ],
    ['a missing mesh', async () => encode(triangleGltf(dataUri, { nodes: [{ mesh: 2 }] })), /node 0 mesh refers to a missing item/],
    ['Draco compression', async () => encode(triangleGltf(dataUri, { extensionsUsed: ['KHR_draco_mesh_compression'] })), /Draco|draco/],
    ['no meshes', async () => encode({ asset: { version: '2.0' }, scenes: [{ nodes: [0] }], nodes: [{}] }), /no triangle meshes/],
    // what three.js's GLTFLoader would trip over with a TypeError, a RangeError or endless recursion
    ['a null accessor', async () => encode(triangleGltf(dataUri, { accessors: [null] })), /accessors\[0\] is not an object \(null\)/],
    ['a null buffer', async () => encode(triangleGltf(dataUri, { buffers: [null] })), /buffers\[0\] is not an object/],
    ['meshes that are not an array', async () => encode(triangleGltf(dataUri, { meshes: {} })), /'meshes' must be an array/],
    ['a missing material', async () => encode(triangleGltf(dataUri, { meshes: [{ primitives: [{ attributes: { POSITION: 0 }, material: 5 }] }] })), /mesh 0 primitive 0 material refers to a missing item \(5\)/],
    ['a missing skin', async () => encode(triangleGltf(dataUri, { nodes: [{ mesh: 0, skin: 3 }] })), /node 0 skin refers to a missing item \(3\)/],
    ['a missing morph target accessor', async () => encode(triangleGltf(dataUri, { meshes: [{ primitives: [{ attributes: { POSITION: 0 }, targets: [{ POSITION: 7 }] }] }] })), /morph target 0 POSITION refers to a missing item/],
    [
      'a missing sparse bufferView',
      async () => encode(triangleGltf(dataUri, { accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', sparse: { count: 1, indices: { bufferView: 7, componentType: 5125 }, values: { bufferView: 9 } } }] })),
      /accessor 0 sparse indices bufferView refers to a missing item \(7\)/,
    ],
    ['a camera without its parameters', async () => encode(triangleGltf(dataUri, { cameras: [{ type: 'perspective' }], nodes: [{ mesh: 0, children: [1] }, { camera: 0 }] })), /camera 0 has no perspective or orthographic parameters/],
    ['a node that is its own child', async () => encode(triangleGltf(dataUri, { nodes: [{ mesh: 0, children: [0] }] })), /node hierarchy has a cycle/],
    ['a node cycle', async () => encode(triangleGltf(dataUri, { nodes: [{ mesh: 0, children: [1] }, { children: [2] }, { children: [1] }] })), /node 1 has more than one parent/],
    ['a negative byteStride', async () => encode(triangleGltf(dataUri, { bufferViews: [{ buffer: 0, byteLength: 36, byteStride: -4 }] })), /bufferView 0 has an invalid byteStride \(-4/],
    ['a negative bufferView byteOffset', async () => encode(triangleGltf(dataUri, { bufferViews: [{ buffer: 0, byteOffset: -12, byteLength: 36 }] })), /bufferView 0 has an invalid byteOffset \(-12\)/],
    ['a negative accessor byteOffset', async () => encode(triangleGltf(dataUri, { accessors: [{ bufferView: 0, byteOffset: -4, componentType: 5126, count: 3, type: 'VEC3' }] })), /accessor 0 has an invalid byteOffset \(-4\)/],
    [
      'a misaligned accessor',
      async () => encode(triangleGltf(dataUri, { bufferViews: [{ buffer: 0, byteLength: 36 }], accessors: [{ bufferView: 0, byteOffset: 2, componentType: 5126, count: 2, type: 'VEC3' }] })),
      /accessor 0 is not aligned to its 4-byte components/,
    ],
    ['an index past the last vertex', async () => encode(indexedTriangleGltf([0, 1, 99])), /mesh '.*' has index 99 \(at 2\) but only 3 vertices/],
  ];
  it.each(cases)('rejects %s with a SceneError naming the file', async (_, make, problem) => {
    const error = await loadGltf(await make(), 'bad.glb').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SceneError);
    expect((error as Error).message).toMatch(/^bad\.glb: /);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).not.toContain('\n');
  });
});
