// Reference cache on disk: one directory per key holding mean-<spp>-<nonce>.exr and variance-<spp>-<nonce>.exr
// (float32 RGB) and meta.json, which names them. Writes are ordered so a crash never leaves a half-written entry:
// the images go to new file names (each written atomically), then meta.json is replaced atomically (rename) to
// point at them, and only then are the previous images deleted. A directory without meta.json is no entry.
import { randomBytes } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  dataChecksum, REFERENCE_FORMAT, REFERENCE_FORMAT_VERSION, ReferenceCacheError, type ReferenceMeta, type ReferenceStore,
} from '../harness/reference-cache.ts';
import type { MeanVariance } from '../harness/ztest.ts';
import { ImageError, type ImageF32 } from '../image/image.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { readImageFile, writeImageFile } from './image-files.ts';

export const DEFAULT_REFERENCE_CACHE = '.cache/references';
const META = 'meta.json';
const IMAGE_NAME = /^(mean|variance)-\d+-[0-9a-f]{8}\.exr$/;

/** meta.json on disk: the meta plus the file names of its images. */
type StoredMeta = ReferenceMeta & { files: { mean: string; variance: string } };

export class FileReferenceStore implements ReferenceStore {
  constructor(readonly dir: string = DEFAULT_REFERENCE_CACHE) {}

  location(key: string): string {
    return join(this.dir, key);
  }

  async load(key: string): Promise<{ meta: ReferenceMeta; data: MeanVariance } | null> {
    const entry = this.location(key);
    const metaPath = join(entry, META);
    let text: string;
    try {
      text = await readFile(metaPath, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // No file, or a path through a non-directory: there is no entry (a later write reports the path's problem).
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw new ReferenceCacheError(`${metaPath}: cannot read (${code ?? (e as Error).message})`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw corrupt(metaPath, 'is not valid JSON');
    }
    const meta = checkMeta(raw, key, metaPath);
    const { width, height } = meta.settings;
    const planes: Record<'mean' | 'variance', Float32Array> = { mean: new Float32Array(0), variance: new Float32Array(0) };
    for (const plane of ['mean', 'variance'] as const) {
      const path = join(entry, meta.files[plane]);
      let img: ImageF32;
      try {
        img = await readImageFile(path);
      } catch (e) {
        throw corrupt(path, e instanceof ImageError ? e.reason : String(e));
      }
      if (img.width !== width || img.height !== height || img.channels !== 3) {
        throw corrupt(path, `is ${img.width}x${img.height} with ${img.channels} channels, meta.json says ${width}x${height} RGB`);
      }
      if (dataChecksum(img.data) !== meta.checksums[plane]) throw corrupt(path, 'does not match the checksum in meta.json');
      planes[plane] = img.data;
    }
    return { meta, data: { width, height, spp: meta.spp, mean: planes.mean, variance: planes.variance } };
  }

  async save(meta: ReferenceMeta, data: MeanVariance): Promise<void> {
    const entry = this.location(meta.key);
    const { width, height, spp } = data;
    const nonce = randomBytes(4).toString('hex');
    const files = { mean: `mean-${spp}-${nonce}.exr`, variance: `variance-${spp}-${nonce}.exr` };
    await writeImageFile(join(entry, files.mean), { width, height, channels: 3, data: data.mean });
    await writeImageFile(join(entry, files.variance), { width, height, channels: 3, data: data.variance });
    const stored: StoredMeta = { ...meta, files };
    const metaPath = join(entry, META);
    const previous = await previousFiles(metaPath);
    try {
      await writeFileAtomic(metaPath, JSON.stringify(stored, null, 2) + '\n');
    } catch (e) {
      throw new ReferenceCacheError(`${metaPath}: cannot write (${(e as Error).message})`);
    }
    // The entry now points at the new images: delete the ones the previous meta.json named (only those, so a
    // concurrent writer's fresh files are never removed; files orphaned by a crash are harmless).
    for (const name of previous) {
      if (name !== files.mean && name !== files.variance) await unlink(join(entry, name)).catch(() => undefined);
    }
  }
}

/** Image file names the current meta.json names (none when it is missing or unreadable). */
async function previousFiles(metaPath: string): Promise<string[]> {
  try {
    const f = (JSON.parse(await readFile(metaPath, 'utf8')) as { files?: Record<string, unknown> }).files ?? {};
    return [f.mean, f.variance].filter((n): n is string => typeof n === 'string' && IMAGE_NAME.test(n));
  } catch {
    return [];
  }
}

function corrupt(path: string, reason: string): ReferenceCacheError {
  return new ReferenceCacheError(`${path}: corrupt reference cache entry (${reason}); run again with --fresh to render it anew`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** Validates a parsed meta.json against the key it was found under. */
function checkMeta(raw: unknown, key: string, path: string): StoredMeta {
  if (!isObject(raw)) throw corrupt(path, 'is not a JSON object');
  if (raw.format !== REFERENCE_FORMAT) throw corrupt(path, `format is ${JSON.stringify(raw.format)}, expected "${REFERENCE_FORMAT}"`);
  if (raw.formatVersion !== REFERENCE_FORMAT_VERSION) throw corrupt(path, `formatVersion ${String(raw.formatVersion)} is not ${REFERENCE_FORMAT_VERSION}`);
  if (raw.key !== key) throw corrupt(path, `key ${JSON.stringify(raw.key)} does not match its directory ${key}`);
  if (!isCount(raw.spp, 1)) throw corrupt(path, `spp must be a positive integer, got ${JSON.stringify(raw.spp)}`);
  const s = raw.settings;
  if (!isObject(s) || !isCount(s.width, 1) || !isCount(s.height, 1) || !isCount(s.maxDepth, 0) || !isCount(s.seed, 0)) {
    throw corrupt(path, 'settings must hold whole numbers width, height, maxDepth and seed');
  }
  const c = raw.checksums;
  if (!isObject(c) || typeof c.mean !== 'string' || typeof c.variance !== 'string') throw corrupt(path, 'checksums are missing');
  if (typeof raw.renderSeconds !== 'number' || !(raw.renderSeconds >= 0)) throw corrupt(path, 'renderSeconds is missing');
  const f = raw.files;
  // File names must be plain names in the entry's directory (no paths out of it).
  if (!isObject(f) || typeof f.mean !== 'string' || typeof f.variance !== 'string' || !IMAGE_NAME.test(f.mean) || !IMAGE_NAME.test(f.variance)) {
    throw corrupt(path, 'files must name the mean and variance images');
  }
  return raw as unknown as StoredMeta;
}
