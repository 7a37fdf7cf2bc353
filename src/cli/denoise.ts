// `tracelab denoise`: noisy image (+ albedo, normal) -> denoiser network -> image file. Also the model and
// weights loading shared with `tracelab render --denoise`.
import { existsSync } from 'node:fs';
import { readInputFile } from '../node/read-input.ts';
import { basename, extname, join } from 'node:path';
import { createDenoiserBackend, type DenoiserBackend } from '../denoise/backend.ts';
import { ENSEMBLE_SIZES, type EnsembleSize } from '../denoise/dihedral.ts';
import type { ImageInput } from '../denoise/images.ts';
import { macsPerPixel, parameterCount, parseSpecText, type NetworkSpec } from '../denoise/spec.ts';
import { BUILTIN_SPECS, builtinSpec } from '../denoise/specs.ts';
import { decodeWeights, initWeights, WeightsError, type NetworkWeights } from '../denoise/weights.ts';
import type { GpuContext } from '../gpu/context.ts';
import { ImageError, type ImageF32 } from '../image/image.ts';
import { TONE_OPERATORS } from '../image/tonemap.ts';
import { createNodeGpuContext } from '../node/gpu.ts';
import { readImageFile, writeFormatForPath, writeImageFile } from '../node/image-files.ts';
import { shippedWeightsPath } from './compare-files.ts';
import { choiceOption, fileOption, numberOption, parse, UsageError } from './args.ts';
import { checkOutFile } from './dirs.ts';

export const DENOISE_USAGE = `usage: tracelab denoise <noisy.exr|.pfm|.hdr|.png> --model M [options]
  --model M          network: ${Object.keys(BUILTIN_SPECS).join(', ')}, or a spec file (path/to/spec.json)
  --albedo FILE      albedo AOV image ('render --aov albedo'; models with an albedo input need it)
  --normal FILE      normal AOV image, components in [-1, 1] (models with a normal input need it)
                     (PNG AOVs written by \`tracelab render --aov\` are understood)
  --weights FILE     weights for the model; default denoiser/weights/<model>.bin (or $TRACELAB_WEIGHTS_DIR/<model>.bin) if it exists,
                     else untrained (random) weights, with a warning
  --out FILE         output .png (tone mapped), .exr or .pfm (linear HDR); default out/<input>-denoised.png
  --exposure E       PNG exposure in stops (default 0)
  --tonemap OP       PNG tone mapping: aces (default), reinhard or clamp; then sRGB
  --backend B        auto (default: WebGPU when there is an adapter, else gpu.js), webgpu or gpujs
  --ensemble N       1 (default), 2, 4 or 8: the mean of the network's outputs for N flips / transpositions of the
                     input (a self-ensemble: better, at N times the time)`;

const BACKENDS = ['auto', 'webgpu', 'gpujs'] as const;

/** A network spec with its weights, and where the weights came from (for the log). */
export interface LoadedModel {
  spec: NetworkSpec;
  weights: NetworkWeights;
  /** The weights file, or null for seeded random initialisation. */
  weightsFile: string | null;
  /** Set with random weights: the warning to print once the run is under way (errors stay one line). */
  warning: string | null;
}

/** `--model` (or `option`): a built-in name or a spec .json file (SpecError / ImageError-style one-liners name the file). */
async function loadSpec(model: string, option: string): Promise<NetworkSpec> {
  if (Object.hasOwn(BUILTIN_SPECS, model)) return builtinSpec(model);
  let text: string;
  try {
    text = await readInputFile(model, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UsageError(`--${option} '${model}' is not a built-in network (${Object.keys(BUILTIN_SPECS).join(', ')}) and not a readable spec file (${code})`);
  }
  return parseSpecText(text, model);
}

/**
 * Spec and weights for `--model` / `--weights`: the weights file if given, else denoiser/weights/<name>.bin
 * when it exists, else seeded He initialisation (with a warning to print). Bad files throw naming the file; an unknown
 * model names `option`, the command's option that gave it (default 'model').
 */
export async function loadModel(model: string, weightsPath: string | undefined, option = 'model'): Promise<LoadedModel> {
  fileOption('weights', weightsPath);
  const spec = await loadSpec(model, option);
  const shipped = shippedWeightsPath(spec.name);
  const file = weightsPath ?? shipped.path;
  if (weightsPath === undefined && !existsSync(file)) {
    const warning = `tracelab: warning: no weights for '${spec.name}' (no --weights, no ${shipped.shown}): ` +
      'untrained (random) weights, the output is not a useful image';
    return { spec, weights: initWeights(spec, 1), weightsFile: null, warning };
  }
  let bytes: Uint8Array;
  try {
    bytes = await readInputFile(file);
  } catch (e) {
    throw new WeightsError(file, `cannot read weights file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return { spec, weights: decodeWeights(spec, bytes, file), weightsFile: file, warning: null };
}

/** ", autoexposure x k" for a spec with autoexposure (the input's scale, as the denoiser applied it), else "". */
export function describeExposure(spec: NetworkSpec, k: number): string {
  return spec.autoexposure === undefined ? '' : `, autoexposure x${k.toPrecision(3)}`;
}

/** One line describing the model: name, size, where its weights came from. */
export function describeModel(m: LoadedModel): string {
  return `${m.spec.name} (${parameterCount(m.spec).toLocaleString('en')} parameters, ${Math.round(macsPerPixel(m.spec)).toLocaleString('en')} MACs/pixel), ` +
    (m.weightsFile ? `weights ${m.weightsFile}` : 'untrained (random) weights');
}

/** An aux image; PNGs are read as stored (render --aov writes linear values, normals as n * 0.5 + 0.5). */
async function readAux(path: string, kind: 'albedo' | 'normal'): Promise<ImageF32> {
  const png = extname(path).toLowerCase() === '.png';
  const img = await readImageFile(path, png ? { transfer: 'none' } : {});
  if (png && kind === 'normal') return { ...img, data: img.data.map((v) => v * 2 - 1) };
  return img;
}

export async function denoiseCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, ['model', 'albedo', 'normal', 'weights', 'out', 'exposure', 'tonemap', 'backend', 'ensemble'], 1);
  const noisy = positionals[0];
  if (!noisy) throw new UsageError('denoise needs a noisy image file (.exr, .pfm, .hdr or .png)');
  if (!values.model) throw new UsageError(`denoise needs --model (${Object.keys(BUILTIN_SPECS).join(', ')} or a spec .json file)`);
  const exposure = numberOption('exposure', values.exposure, 0, -64, 64);
  const operator = choiceOption('tonemap', values.tonemap, TONE_OPERATORS, 'aces');
  const backendChoice = choiceOption('backend', values.backend, BACKENDS, 'auto');
  const ensemble = choiceOption('ensemble', values.ensemble, ENSEMBLE_SIZES.map(String), '1');
  const out = values.out ?? join('out', `${basename(noisy, extname(noisy))}-denoised.png`);
  // a place the image cannot go (an empty name, a directory), or a bad extension, fails before any work
  checkOutFile(out);
  writeFormatForPath(out);

  // Everything that can be wrong with the inputs is found before the GPU starts and before any file is written.
  const model = await loadModel(values.model, values.weights);
  const { spec } = model;
  const color = await readImageFile(noisy);
  const input: ImageInput = { color };
  const warnings = model.warning ? [model.warning] : [];
  for (const kind of ['albedo', 'normal'] as const) {
    const path = values[kind];
    if (!spec.inputs.includes(kind)) {
      if (path) warnings.push(`tracelab: warning: model '${spec.name}' takes no ${kind} input; ignoring ${path}`);
      continue;
    }
    if (!path) throw new UsageError(`model '${spec.name}' needs ${spec.inputs.join(' + ')} inputs: give the ${kind} image with --${kind}`);
    const img = await readAux(path, kind);
    if (img.width !== color.width || img.height !== color.height) {
      throw new ImageError(path, `${kind} image is ${img.width}x${img.height} but ${noisy} is ${color.width}x${color.height}`);
    }
    input[kind] = img;
  }

  const gpu = await gpuFor(backendChoice);
  let backend: DenoiserBackend | undefined;
  try {
    for (const w of warnings) process.stderr.write(`${w}\n`);
    process.stderr.write(`model: ${describeModel(model)}\n`);
    backend = await createDenoiserBackend({ gpu, spec, weights: model.weights });
    const t0 = performance.now();
    const n = Number(ensemble) as EnsembleSize;
    const result = await backend.denoise(input, { ensemble: n });
    const ms = performance.now() - t0;
    await writeImageFile(out, result, { exposure, operator });
    process.stdout.write(
      `wrote ${out} (${result.width}x${result.height}, ${spec.name}${model.weightsFile ? `, weights ${model.weightsFile}` : ', untrained (random) weights'}; ` +
        `backend ${backend.describe()}; denoise ${ms.toFixed(0)} ms${n > 1 ? ` (ensemble of ${n})` : ''}${describeExposure(spec, await backend.lastExposureScale())})\n`,
    );
  } finally {
    await backend?.destroy();
    gpu?.destroy();
  }
}

/** The GPU context for `--backend`: null for gpu.js; 'auto' falls back to gpu.js when there is no adapter. */
async function gpuFor(choice: (typeof BACKENDS)[number]): Promise<GpuContext | null> {
  if (choice === 'gpujs') return null;
  if (choice === 'webgpu') return createNodeGpuContext();
  try {
    return await createNodeGpuContext();
  } catch (e) {
    process.stderr.write(`tracelab: note: no WebGPU adapter (${String((e as Error).message).split('\n')[0]}); denoising with gpu.js\n`);
    return null;
  }
}
