// Checkpoint file: everything to resume a run bit-exactly (parameters, Adam moments, step, the run's log so far).
// Layout: "TLCK", u32 version, u32 JSON length, JSON header (UTF-8), zero padding to 4 bytes, then params, m1, m2
// (and, in version 2, the parameters' moving average: header `ema: true`) as float32 (little-endian), each `count`
// long. A run without the average writes version 1, as before it existed. Written to a temporary file and renamed
// (src/node/train-files.ts).
import type { TrainerState } from './trainer.ts';

export const CHECKPOINT_MAGIC = 'TLCK';
export const CHECKPOINT_VERSION = 1;
/** The version of checkpoints that hold the parameters' moving average. */
export const CHECKPOINT_VERSION_EMA = 2;

export interface CheckpointHeader {
  configHash: string;
  spec: string;
  step: number;
  count: number;
  /** The spec's autoexposure key the run's training pairs were prepared with (absent: none, or a run from before the field). */
  autoexposure?: number;
  /** The file holds the parameters' moving average after m2 (version 2). */
  ema?: true;
  /** Training wall time so far (ms), summed over sessions. */
  elapsedMs: number;
  /** The run log so far (see run.ts), restored on resume. */
  log: unknown;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export function encodeCheckpoint(header: Omit<CheckpointHeader, 'count' | 'step' | 'ema'>, state: TrainerState): Uint8Array {
  const count = state.params.length;
  const arrays = state.ema ? [state.params, state.m1, state.m2, state.ema] : [state.params, state.m1, state.m2];
  const json = new TextEncoder().encode(JSON.stringify({ ...header, step: state.step, count, ...(state.ema ? { ema: true } : {}) }));
  const head = 12 + json.length;
  const pad = (4 - (head % 4)) % 4;
  const out = new Uint8Array(head + pad + arrays.length * count * 4);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  dv.setUint32(4, state.ema ? CHECKPOINT_VERSION_EMA : CHECKPOINT_VERSION, true);
  dv.setUint32(8, json.length, true);
  out.set(json, 12);
  let off = head + pad;
  for (const a of arrays) {
    for (let i = 0; i < count; i++, off += 4) dv.setFloat32(off, a[i], true);
  }
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array, file: string): { header: CheckpointHeader; state: TrainerState } {
  const bad = (why: string): never => {
    throw new CheckpointError(`${file}: not a usable checkpoint (${why})`);
  };
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== CHECKPOINT_MAGIC) bad('bad magic');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== CHECKPOINT_VERSION && version !== CHECKPOINT_VERSION_EMA) bad(`version ${version}`);
  const jsonLength = dv.getUint32(8, true);
  if (12 + jsonLength > bytes.length) bad('truncated header');
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength))) as CheckpointHeader;
  } catch {
    return bad('header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) bad('header is not a JSON object');
  const count = header.count;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(header.step) || header.step < 0) bad('bad header');
  if ((header.ema === true) !== (version === CHECKPOINT_VERSION_EMA)) bad(`version ${version} ${header.ema === true ? 'with' : 'without'} a parameter average`);
  const arrays = version === CHECKPOINT_VERSION_EMA ? 4 : 3;
  const head = 12 + jsonLength;
  const start = head + ((4 - (head % 4)) % 4);
  if (bytes.length !== start + arrays * count * 4) bad(`${bytes.length} bytes, expected ${start + arrays * count * 4}`);
  const read = (k: number) => {
    const a = new Float32Array(count);
    for (let i = 0; i < count; i++) a[i] = dv.getFloat32(start + (k * count + i) * 4, true);
    return a;
  };
  const state: TrainerState = { step: header.step, params: read(0), m1: read(1), m2: read(2) };
  if (arrays === 4) state.ema = read(3);
  return { header, state };
}
