// Reads a .glb / .gltf container without three.js: checks it, resolves every buffer (GLB binary chunk, data URIs,
// external files through a resolver), drops textures (not supported by the renderer), checks the references
// GLTFLoader would otherwise trip over with an unhelpful TypeError, and repacks everything as one self-contained
// GLB with a single buffer. GLTFLoader then never does I/O, so a bad file fails fast instead of hanging on a fetch.
import { SceneError } from './built-scene.ts';

/** Returns the bytes of a file referenced by a relative URI (percent-decoded), e.g. `scene.bin`. */
export type GltfResourceResolver = (uri: string) => Promise<ArrayBuffer | Uint8Array>;

type Json = Record<string, unknown>;
interface BufferDef { uri?: string; byteLength?: number }
interface BufferViewDef { buffer?: number; byteOffset?: number; byteLength?: number; byteStride?: number }
interface AccessorDef { bufferView?: number; byteOffset?: number; componentType?: number; count?: number; type?: string; sparse?: Json }

export interface NormalizedGltf {
  /** Self-contained GLB: one buffer (the BIN chunk), no textures, no external URIs. */
  glb: ArrayBuffer;
  warnings: string[];
}

const GLB_MAGIC = 0x46546c67; // 'glTF'
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;
const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const TYPE_COMPONENTS: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };
const COMPRESSION_EXTENSIONS = ['KHR_draco_mesh_compression', 'EXT_meshopt_compression', 'KHR_meshopt_compression'];
/** Top-level arrays whose entries GLTFLoader reads as objects (a null or a number there is a TypeError in it). */
const OBJECT_ARRAYS = ['buffers', 'bufferViews', 'accessors', 'meshes', 'nodes', 'scenes', 'materials', 'cameras', 'skins'];

export async function normalizeGltf(data: ArrayBuffer, fileName: string, resolve?: GltfResourceResolver): Promise<NormalizedGltf> {
  const fail = (problem: string): never => {
    throw new SceneError(`${fileName}: ${problem}`);
  };
  const warnings: string[] = [];
  const { json, bin } = readContainer(data, fail);

  const asset = json.asset as Json | undefined;
  const version = typeof asset?.version === 'string' ? asset.version : undefined;
  if (version === undefined) fail('not a glTF file (JSON without asset.version)');
  if (!version!.startsWith('2.')) fail(`unsupported glTF version ${version} (only 2.x)`);
  const used = arrayOf<string>(json.extensionsUsed);
  for (const name of COMPRESSION_EXTENSIONS) {
    if (used.includes(name)) fail(`compressed geometry (${name}) is not supported`);
  }

  for (const key of OBJECT_ARRAYS) {
    const list = json[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) fail(`'${key}' must be an array`);
    (list as unknown[]).forEach((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) fail(`${key}[${i}] is not an object (${JSON.stringify(item)})`);
    });
  }
  // Animations do not change a still render; dropped so that a broken one cannot fail the load.
  delete json.animations;

  const textures = stripTextures(json);
  if (textures > 0) warnings.push(`${textures} texture reference(s) ignored: textures are not supported`);

  const buffers = arrayOf<BufferDef>(json.buffers);
  const bytes: Uint8Array[] = [];
  for (let i = 0; i < buffers.length; i++) {
    const def = buffers[i];
    let b: Uint8Array;
    if (def.uri === undefined) {
      if (i !== 0 || !bin) fail(`buffer ${i} has no data (no uri and no GLB binary chunk)`);
      b = bin!;
    } else if (def.uri.startsWith('data:')) {
      b = decodeDataUri(def.uri, (p) => fail(`buffer ${i}: ${p}`));
    } else {
      const uri = safeDecodeUri(def.uri);
      if (!resolve) {
        fail(`buffer ${i} is in the external file "${uri}": load a .glb or a .gltf with embedded data, or pass a resource resolver`);
      }
      try {
        const got = await resolve!(uri);
        b = got instanceof Uint8Array ? got : new Uint8Array(got);
      } catch (e) {
        b = fail(`external buffer "${uri}" could not be read: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const declared = def.byteLength;
    if (!isCount(declared)) fail(`buffer ${i} has no valid byteLength`);
    if (b.byteLength < declared!) fail(`buffer ${i} is truncated: ${b.byteLength} bytes, byteLength says ${declared}`);
    bytes.push(b.subarray(0, declared));
  }

  checkReferences(json, buffers, fail);

  // Merge all buffers into one (4-byte aligned pieces) and point every bufferView at it.
  const bases: number[] = [];
  let total = 0;
  for (const b of bytes) {
    bases.push(total);
    total += align4(b.byteLength);
  }
  const merged = new Uint8Array(total);
  bytes.forEach((b, i) => merged.set(b, bases[i]));
  for (const view of arrayOf<BufferViewDef>(json.bufferViews)) {
    view.byteOffset = bases[view.buffer!] + (view.byteOffset ?? 0);
    view.buffer = 0;
  }
  if (buffers.length > 0) json.buffers = [{ byteLength: total }];
  return { glb: packGlb(json, buffers.length > 0 ? merged : undefined), warnings };
}

function readContainer(data: ArrayBuffer, fail: (problem: string) => never): { json: Json; bin?: Uint8Array } {
  const view = new DataView(data);
  let text: string;
  let bin: Uint8Array | undefined;
  if (data.byteLength >= 4 && view.getUint32(0, true) === GLB_MAGIC) {
    if (data.byteLength < 20) fail(`truncated GLB (${data.byteLength} bytes)`);
    const version = view.getUint32(4, true);
    if (version !== 2) fail(`unsupported GLB version ${version}`);
    const length = view.getUint32(8, true);
    if (length > data.byteLength) fail(`truncated GLB: the header says ${length} bytes, the file has ${data.byteLength}`);
    let jsonBytes: Uint8Array | undefined;
    for (let offset = 12; offset + 8 <= length; ) {
      const chunkLength = view.getUint32(offset, true);
      const type = view.getUint32(offset + 4, true);
      if (offset + 8 + chunkLength > length) fail(`truncated GLB: a chunk at byte ${offset} runs past the end of the file`);
      const chunk = new Uint8Array(data, offset + 8, chunkLength);
      if (offset === 12 && type !== CHUNK_JSON) fail('malformed GLB: the first chunk is not JSON');
      if (type === CHUNK_JSON && !jsonBytes) jsonBytes = chunk;
      else if (type === CHUNK_BIN && !bin) bin = chunk;
      offset += 8 + chunkLength;
    }
    if (!jsonBytes) fail('malformed GLB: no JSON chunk');
    text = decodeUtf8(jsonBytes!, () => fail('malformed GLB: the JSON chunk is not UTF-8'));
  } else {
    text = decodeUtf8(new Uint8Array(data), () => fail('not a glTF file (neither GLB nor UTF-8 JSON)'));
  }
  text = text.replace(/^\uFEFF/, '').trim();
  if (!text.startsWith('{')) fail('not a glTF file (neither GLB nor JSON)');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(`invalid glTF JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { json: json as Json, bin };
}

/** Checks the indices GLTFLoader follows blindly: bufferViews, accessors, meshes, nodes, scenes. */
function checkReferences(json: Json, buffers: BufferDef[], fail: (problem: string) => never): void {
  const views = arrayOf<BufferViewDef>(json.bufferViews);
  const accessors = arrayOf<AccessorDef>(json.accessors);
  const meshes = arrayOf<Json>(json.meshes);
  const nodes = arrayOf<Json>(json.nodes);
  const cameras = arrayOf<Json>(json.cameras);
  const materials = arrayOf<Json>(json.materials);
  const skins = arrayOf<Json>(json.skins);
  const ref = (value: unknown, list: unknown[], what: string) => {
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= list.length) fail(`${what} refers to a missing item (${String(value)})`);
  };
  views.forEach((v, i) => {
    ref(v.buffer, buffers, `bufferView ${i} buffer`);
    if (v.byteOffset !== undefined && !isCount(v.byteOffset)) fail(`bufferView ${i} has an invalid byteOffset (${String(v.byteOffset)})`);
    if (v.byteStride !== undefined && !(Number.isInteger(v.byteStride) && v.byteStride >= 4 && v.byteStride <= 252 && v.byteStride % 4 === 0)) {
      fail(`bufferView ${i} has an invalid byteStride (${String(v.byteStride)}; glTF allows multiples of 4 in 4..252)`);
    }
    const end = (v.byteOffset ?? 0) + (v.byteLength ?? NaN);
    if (!(end <= (buffers[v.buffer!].byteLength ?? 0))) fail(`bufferView ${i} lies outside buffer ${v.buffer}`);
  });
  accessors.forEach((a, i) => {
    const componentBytes = COMPONENT_BYTES[a.componentType ?? -1] ?? NaN;
    const size = componentBytes * (TYPE_COMPONENTS[a.type ?? ''] ?? NaN);
    if (!(size > 0) || !isCount(a.count)) fail(`accessor ${i} has an invalid componentType, type or count`);
    if (a.byteOffset !== undefined && !isCount(a.byteOffset)) fail(`accessor ${i} has an invalid byteOffset (${String(a.byteOffset)})`);
    if (a.sparse !== undefined) {
      const sparse = a.sparse as { indices?: { bufferView?: unknown }; values?: { bufferView?: unknown } } | null;
      ref(sparse?.indices?.bufferView, views, `accessor ${i} sparse indices bufferView`);
      ref(sparse?.values?.bufferView, views, `accessor ${i} sparse values bufferView`);
    }
    if (a.bufferView === undefined) return; // all zeros (or sparse only)
    ref(a.bufferView, views, `accessor ${i} bufferView`);
    const view = views[a.bufferView];
    if (((view.byteOffset ?? 0) + (a.byteOffset ?? 0)) % componentBytes !== 0) fail(`accessor ${i} is not aligned to its ${componentBytes}-byte components`);
    const stride = view.byteStride ?? size;
    const end = (a.byteOffset ?? 0) + (a.count! > 0 ? stride * (a.count! - 1) + size : 0);
    if (end > (view.byteLength ?? 0)) fail(`accessor ${i} reads past the end of bufferView ${a.bufferView}`);
  });
  meshes.forEach((m, i) => {
    const primitives = arrayOf<Json>(m.primitives);
    if (primitives.length === 0) fail(`mesh ${i} has no primitives`);
    primitives.forEach((p, j) => {
      const attributes = (p.attributes ?? {}) as Record<string, unknown>;
      if (attributes.POSITION === undefined) fail(`mesh ${i} primitive ${j} has no POSITION attribute`);
      for (const [name, index] of Object.entries(attributes)) ref(index, accessors, `mesh ${i} primitive ${j} attribute ${name}`);
      if (p.indices !== undefined) ref(p.indices, accessors, `mesh ${i} primitive ${j} indices`);
      if (p.material !== undefined) ref(p.material, materials, `mesh ${i} primitive ${j} material`);
      arrayOf<unknown>(p.targets).forEach((target, t) => {
        for (const [name, index] of Object.entries((target ?? {}) as Record<string, unknown>)) ref(index, accessors, `mesh ${i} primitive ${j} morph target ${t} ${name}`);
      });
    });
  });
  cameras.forEach((c, i) => {
    const params = c.type === 'perspective' || c.type === 'orthographic' ? c[c.type] : undefined;
    if (params === null || typeof params !== 'object') fail(`camera ${i} has no perspective or orthographic parameters (type ${JSON.stringify(c.type)})`);
  });
  skins.forEach((s, i) => {
    for (const joint of arrayOf<unknown>(s.joints)) ref(joint, nodes, `skin ${i} joint`);
    if (s.inverseBindMatrices !== undefined) ref(s.inverseBindMatrices, accessors, `skin ${i} inverseBindMatrices`);
    if (s.skeleton !== undefined) ref(s.skeleton, nodes, `skin ${i} skeleton`);
  });
  // The node hierarchy must be a forest: each node has at most one parent and none is its own ancestor (GLTFLoader
  // would recurse without end).
  const parent = new Int32Array(nodes.length).fill(-1);
  nodes.forEach((n, i) => {
    if (n.mesh !== undefined) ref(n.mesh, meshes, `node ${i} mesh`);
    if (n.camera !== undefined) ref(n.camera, cameras, `node ${i} camera`);
    if (n.skin !== undefined) ref(n.skin, skins, `node ${i} skin`);
    for (const child of arrayOf<unknown>(n.children)) {
      ref(child, nodes, `node ${i} child`);
      if (parent[child as number] !== -1) fail(`node ${String(child)} has more than one parent (the node hierarchy must be a tree)`);
      parent[child as number] = i;
    }
  });
  const stack = nodes.flatMap((_, i) => (parent[i] === -1 ? [i] : []));
  let reached = 0;
  while (stack.length > 0) {
    reached++;
    for (const child of arrayOf<number>(nodes[stack.pop()!].children)) stack.push(child);
  }
  if (reached < nodes.length) fail('the node hierarchy has a cycle (a node is its own ancestor)');
  arrayOf<Json>(json.scenes).forEach((s, i) => {
    for (const node of arrayOf<unknown>(s.nodes)) ref(node, nodes, `scene ${i} node`);
  });
  if (json.scene !== undefined) ref(json.scene, arrayOf<Json>(json.scenes), 'the default scene');
}

/** Removes every texture reference (material fields named *Texture with an index), images, samplers, textures. */
function stripTextures(json: Json): number {
  let removed = 0;
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const object = node as Json;
    for (const [key, value] of Object.entries(object)) {
      if (key.endsWith('Texture') && value !== null && typeof value === 'object' && 'index' in value) {
        delete object[key];
        removed++;
      } else walk(value);
    }
  };
  walk(json.materials);
  removed = Math.max(removed, arrayOf<unknown>(json.textures).length);
  delete json.textures;
  delete json.images;
  delete json.samplers;
  // Texture-format extensions (KHR_texture_basisu, EXT_texture_webp, ...) have nothing left to apply to.
  const keep = (names: unknown) => arrayOf<string>(names).filter((n) => !/texture/i.test(n));
  if (json.extensionsUsed) json.extensionsUsed = keep(json.extensionsUsed);
  if (json.extensionsRequired) json.extensionsRequired = keep(json.extensionsRequired);
  return removed;
}

function packGlb(json: Json, bin: Uint8Array | undefined): ArrayBuffer {
  const jsonBytes = new TextEncoder().encode(JSON.stringify(json));
  const jsonLength = align4(jsonBytes.byteLength);
  const binLength = bin ? align4(bin.byteLength) : 0;
  const total = 12 + 8 + jsonLength + (bin ? 8 + binLength : 0);
  const out = new ArrayBuffer(total);
  const view = new DataView(out);
  const bytes = new Uint8Array(out);
  view.setUint32(0, GLB_MAGIC, true);
  view.setUint32(4, 2, true);
  view.setUint32(8, total, true);
  view.setUint32(12, jsonLength, true);
  view.setUint32(16, CHUNK_JSON, true);
  bytes.set(jsonBytes, 20);
  bytes.fill(0x20, 20 + jsonBytes.byteLength, 20 + jsonLength); // JSON chunk is padded with spaces
  if (bin) {
    const at = 20 + jsonLength;
    view.setUint32(at, binLength, true);
    view.setUint32(at + 4, CHUNK_BIN, true);
    bytes.set(bin, at + 8);
  }
  return out;
}

function decodeDataUri(uri: string, fail: (problem: string) => never): Uint8Array {
  const comma = uri.indexOf(',');
  if (comma < 0) fail('malformed data URI');
  const payload = uri.slice(comma + 1);
  if (uri.slice(0, comma).endsWith(';base64')) {
    let binary = '';
    try {
      binary = atob(payload);
    } catch {
      fail('data URI is not valid base64');
    }
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }
  // Percent-encoded bytes.
  const out: number[] = [];
  for (let i = 0; i < payload.length; i++) {
    if (payload[i] === '%' && /^[0-9a-fA-F]{2}$/.test(payload.slice(i + 1, i + 3))) {
      out.push(parseInt(payload.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(payload.charCodeAt(i) & 0xff);
  }
  return Uint8Array.from(out);
}

function decodeUtf8(bytes: Uint8Array, onError: () => never): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return onError();
  }
}

function safeDecodeUri(uri: string): string {
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}

function arrayOf<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function isCount(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
