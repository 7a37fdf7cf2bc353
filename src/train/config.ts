// Training run configuration (denoiser/configs/*.json): parsed and checked field by field, so a bad config
// fails with one line naming the file and the field.
import { TRAINING_SEED_COUNT } from '../../scenes/procedural.ts';
import { BUILTIN_SPECS } from '../denoise/specs.ts';
import { Hash64 } from '../harness/hash.ts';
import { LOSS_KINDS, type LossKind } from './loss.ts';

export interface TrainConfig {
  /** Run name (used in logs). */
  name: string;
  /** A built-in network spec (BUILTIN_SPECS: n2n-fast, n2n-paper and their -demod variants). */
  spec: string;
  loss: LossKind;
  /** 'noisy': Noise2Noise (a second independent render is the target); 'clean': a high-spp render is. */
  targets: 'noisy' | 'clean';
  steps: number;
  batch: number;
  crop: number;
  learningRate: number;
  /** Fraction of the steps at the end over which the learning rate ramps down to 0. */
  rampDown: number;
  seed: number;
  data: {
    /** Procedural training scenes: trainingSeed(firstScene .. firstScene + scenes - 1). */
    scenes: number;
    /**
     * Index of the first training scene (default 0), so that a later stage can train on scene layouts the earlier
     * stages never saw. Absent from configs that leave it at 0 (their hash is unchanged).
     */
    firstScene?: number;
    /** Square render size. */
    size: number;
    /** Each pair's spp is drawn from this list. */
    spp: number[];
    /** spp of the clean target when targets = 'clean'. */
    cleanSpp: number;
    /**
     * With noisy targets: render each pair's target with this many samples when that is more than its input's
     * (default: the input's spp). Still an independent noisy render, so still Noise2Noise, with less noise in the
     * gradients; such pairs do not swap input and target. Absent from configs that leave it out (hash unchanged).
     */
    targetSpp?: number;
    maxDepth: number;
    /**
     * Take each render's first-hit emission out of the pairs (renderPair's `separateEmission`), as emission separation does
     * to the frames the network denoises (demo, render --denoise, the app), and validate with separation
     * (DEFAULT_EMISSION_SPP anti-aliasing rays). Absent unless true (hash unchanged).
     */
    separateEmission?: true;
  };
  validation: {
    /** The first n of VALIDATION_SEEDS. */
    scenes: number;
    size: number;
    spp: number[];
    referenceSpp: number;
    /** Validate every this many steps (and at the end). */
    every: number;
  };
  checkpointEvery: number;
  logEvery: number;
  /**
   * Start from these weights (a TLNW file of the same spec, e.g. the shipped ones, to train them further) instead
   * of the seeded initialisation. A path relative to the working directory.
   */
  init?: string;
  /**
   * Keep an exponential moving average of the weights with this decay per step (e.g. 0.999: about the last 1,000
   * steps) and validate and write the average instead of the last step's weights. Absent (or 0): none, and the
   * config's hash is unchanged.
   */
  emaDecay?: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and checks a config; `source` names the file in errors. */
export function parseTrainConfig(json: unknown, source: string): TrainConfig {
  const fail = (field: string, what: string): never => {
    throw new ConfigError(`${source}: '${field}' ${what}`);
  };
  if (!isObj(json)) throw new ConfigError(`${source}: a training config must be a JSON object`);
  const int = (o: Obj, path: string, key: string, min: number, max: number, def?: number): number => {
    const v = o[key] ?? def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(path + key, `must be an integer in ${min}..${max}, got ${JSON.stringify(o[key])}`);
    return v as number;
  };
  const num = (o: Obj, path: string, key: string, min: number, max: number, def?: number): number => {
    const v = o[key] ?? def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(path + key, `must be a number in ${min}..${max}, got ${JSON.stringify(o[key])}`);
    return v as number;
  };
  const str = <T extends string>(o: Obj, key: string, allowed: readonly T[] | null, def?: T): T => {
    const v = o[key] ?? def;
    if (typeof v !== 'string' || (allowed && !allowed.includes(v as T))) fail(key, `must be ${allowed ? allowed.map((a) => `'${a}'`).join(' or ') : 'a string'}, got ${JSON.stringify(o[key])}`);
    return v as T;
  };
  const list = (o: Obj, path: string, key: string, max: number): number[] => {
    const v = o[key];
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > max)) {
      fail(path + key, `must be a non-empty list of integers in 1..${max}, got ${JSON.stringify(v)}`);
    }
    return v as number[];
  };
  const bool = (o: Obj, path: string, key: string): boolean => {
    const v = o[key] ?? false;
    if (typeof v !== 'boolean') fail(path + key, `must be true or false, got ${JSON.stringify(o[key])}`);
    return v as boolean;
  };
  const sub = (key: string, fields: readonly string[]): Obj => {
    const v = json[key];
    if (!isObj(v)) fail(key, 'must be an object');
    for (const k of Object.keys(v as Obj)) if (k !== '$comment' && !fields.includes(k)) fail(`${key}.${k}`, 'is not a known field');
    return v as Obj;
  };
  const known = ['name', 'spec', 'loss', 'targets', 'steps', 'batch', 'crop', 'learningRate', 'rampDown', 'seed', 'data', 'validation', 'checkpointEvery', 'logEvery', 'init', 'emaDecay', '$comment'];
  for (const k of Object.keys(json)) if (!known.includes(k)) fail(k, 'is not a known field');
  const cfg: TrainConfig = {
    name: str(json, 'name', null),
    spec: str(json, 'spec', Object.keys(BUILTIN_SPECS)),
    loss: str(json, 'loss', LOSS_KINDS, 'hdr'),
    targets: str(json, 'targets', ['noisy', 'clean'] as const, 'noisy'),
    steps: int(json, '', 'steps', 1, 1e8),
    batch: int(json, '', 'batch', 1, 256),
    crop: int(json, '', 'crop', 8, 1024),
    learningRate: num(json, '', 'learningRate', 0, 1, 3e-4),
    rampDown: num(json, '', 'rampDown', 0, 1, 0.3),
    seed: int(json, '', 'seed', 0, 2 ** 31 - 1, 1),
    data: ((d: Obj) => ({
      scenes: int(d, 'data.', 'scenes', 1, 1e6),
      ...(d.firstScene !== undefined && d.firstScene !== 0 ? { firstScene: int(d, 'data.', 'firstScene', 0, TRAINING_SEED_COUNT - 1) } : {}),
      size: int(d, 'data.', 'size', 8, 4096),
      spp: list(d, 'data.', 'spp', 1 << 20),
      cleanSpp: int(d, 'data.', 'cleanSpp', 1, 1 << 24, 1024),
      ...(d.targetSpp !== undefined ? { targetSpp: int(d, 'data.', 'targetSpp', 1, 1 << 24) } : {}),
      maxDepth: int(d, 'data.', 'maxDepth', 0, 64, 8),
      ...(bool(d, 'data.', 'separateEmission') ? { separateEmission: true as const } : {}),
    }))(sub('data', ['scenes', 'firstScene', 'size', 'spp', 'cleanSpp', 'targetSpp', 'maxDepth', 'separateEmission'])),
    validation: ((v: Obj) => ({
      scenes: int(v, 'validation.', 'scenes', 0, 8),
      size: int(v, 'validation.', 'size', 8, 4096),
      spp: list(v, 'validation.', 'spp', 1 << 20),
      referenceSpp: int(v, 'validation.', 'referenceSpp', 1, 1 << 24),
      every: int(v, 'validation.', 'every', 1, 1e8),
    }))(sub('validation', ['scenes', 'size', 'spp', 'referenceSpp', 'every'])),
    checkpointEvery: int(json, '', 'checkpointEvery', 1, 1e8, 500),
    logEvery: int(json, '', 'logEvery', 1, 1e8, 10),
  };
  if (json.init !== undefined) cfg.init = str(json, 'init', null);
  if (json.emaDecay !== undefined) {
    const d = num(json, '', 'emaDecay', 0, 0.999999);
    if (d > 0) cfg.emaDecay = d;
  }
  // the default run directory is denoiser/runs/<name>: a name with a slash or '..' would put the run's files elsewhere
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(cfg.name)) fail('name', `must be letters, digits, '.', '_' or '-' (it names the run directory), got ${JSON.stringify(cfg.name)}`);
  if ((cfg.data.firstScene ?? 0) + cfg.data.scenes > TRAINING_SEED_COUNT) fail('data.firstScene', `+ data.scenes goes past the last training scene (${TRAINING_SEED_COUNT - 1})`);
  if (cfg.data.targetSpp !== undefined && cfg.targets === 'clean') fail('data.targetSpp', "is for noisy targets; clean targets have data.cleanSpp samples");
  if (cfg.crop > cfg.data.size) fail('crop', `(${cfg.crop}) is larger than data.size (${cfg.data.size})`);
  return cfg;
}

/** Hash of everything that changes the trained result (not logging/checkpoint cadence or the name). */
export function configHash(c: TrainConfig): string {
  const { name: _n, checkpointEvery: _c, logEvery: _l, ...rest } = c;
  const { every: _e, ...val } = rest.validation;
  return new Hash64().string(JSON.stringify({ ...rest, validation: val })).hex();
}
