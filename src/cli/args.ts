// Option parsing and validation for the CLI. Every bad value becomes a one-line UsageError.
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses `--name value` options (all string-valued) and up to `maxPositionals` positionals. */
export function parse<K extends string>(
  argv: string[],
  names: readonly K[],
  maxPositionals: number,
): { values: Partial<Record<K, string>>; positionals: string[] } {
  const options = Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, names), options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`);
  }
  return { values: parsed.values as Partial<Record<K, string>>, positionals: parsed.positionals };
}

/**
 * `--name -4` as `--name=-4` for the given options, so that a negative number reaches the option's own range check
 * (node:util's parseArgs takes a value that starts with a dash for an option and calls it ambiguous).
 */
function joinNegativeValues(argv: string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    if (a.startsWith('--') && names.includes(a.slice(2)) && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${name} must be a whole number, got '${raw}'`);
  const v = Number(raw);
  if (v < min || v > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${raw}`);
  return v;
}

/** A decimal number such as 1, -0.5, .25 or 2e-3 (Number() alone would also take '0x10', '0b1' and '0o7'). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function numberOption(name: string, raw: string | undefined, fallback: number, min = -Infinity, max = Infinity): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!DECIMAL.test(raw.trim()) || !Number.isFinite(v)) throw new UsageError(`--${name} must be a finite number, got '${raw}'`);
  if (v < min || v > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${raw}`);
  return v;
}

export const MAX_SIDE = 16384;
/** The most pixels the path tracer renders (MAX_IMAGE_PIXELS in src/render/path-tracer.ts, not imported: that pulls in the GPU code). */
export const MAX_RENDER_PIXELS = 8192 * 8192;

export function sizeOption(raw: string | undefined, fallback: [number, number]): [number, number] {
  if (raw === undefined) return fallback;
  const m = /^(\d+)x(\d+)$/i.exec(raw.trim());
  if (!m) throw new UsageError(`--size must look like WIDTHxHEIGHT (e.g. 512x512), got '${raw}'`);
  const w = Number(m[1]);
  const h = Number(m[2]);
  if (w < 1 || h < 1) throw new UsageError(`--size must be at least 1x1, got ${raw}`);
  if (w > MAX_SIDE || h > MAX_SIDE) throw new UsageError(`--size must be at most ${MAX_SIDE} on each side, got ${raw}`);
  if (w * h > MAX_RENDER_PIXELS) throw new UsageError(`--size must be at most ${MAX_RENDER_PIXELS} pixels (e.g. 8192x8192), got ${raw}`);
  return [w, h];
}

/** A square image's side: `N` or `NxN` (the form --size takes elsewhere); a non-square size is an error. */
export function squareSizeOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/i.exec(raw);
  if (!m) return intOption(name, raw, fallback, min, max);
  if (m[1] !== m[2]) throw new UsageError(`--${name} must be square (one side, e.g. 256, or 256x256), got '${raw}'`);
  return intOption(name, m[1], fallback, min, max);
}

export function choiceOption<T extends string>(name: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  const v = choices.find((c) => c === raw.toLowerCase());
  if (!v) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  return v;
}

/** The trimmed items of a comma-separated `--name` list; an empty item or one given twice is an error. */
export function listItems(name: string, raw: string): string[] {
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`--${name} must be a comma-separated list without empty items, got '${raw}'`);
  if (new Set(items).size !== items.length) throw new UsageError(`--${name} lists an item twice: '${raw}'`);
  return items;
}

/** A comma-separated list of choices (case-insensitive); an empty item or one given twice (in any case) is an error. */
export function listOption<T extends string>(name: string, raw: string | undefined, choices: readonly T[]): T[] {
  if (raw === undefined) return [];
  const values = listItems(name, raw).map((item) => choiceOption(name, item, choices, choices[0]));
  if (new Set(values).size !== values.length) throw new UsageError(`--${name} lists an item twice: '${raw}'`);
  return values;
}

/** A file name option: undefined when not given; an empty name is an error (it would be read as no file at all). */
export function fileOption(name: string, raw: string | undefined): string | undefined {
  if (raw !== undefined && raw.trim() === '') throw new UsageError(`--${name} must name a file`);
  return raw;
}
