// `tracelab demo` (npm run demo): the whole pipeline once. A cached reference, a low-spp render, the shipped
// denoiser (or, until trained weights ship, the a-trous baseline, said so), PSNR/SSIM of both against the
// reference, and the images plus a small report in --out.
import { join } from 'node:path';
import { DEFAULT_SCENE } from '../../scenes/index.ts';
import { runCompare, type CompareDenoiser, type CompareOutput } from '../harness/compare.ts';
import { defaultWeightsPath } from '../harness/denoisers/n2n.ts';
import { DEFAULT_EMISSION_SPP } from '../render/emission.ts';
import { TONE_OPERATORS } from '../image/tonemap.ts';
import { createNodeGpuContext } from '../node/gpu.ts';
import { writeImageFile } from '../node/image-files.ts';
import { DEFAULT_REFERENCE_CACHE, FileReferenceStore } from '../node/reference-store.ts';
import { choiceOption, fileOption, intOption, parse, UsageError } from './args.ts';
import { compileScenes, denoiserFactories, progressPrinter, sizeAtLeastSsim, writeCompareOutputs } from './compare.ts';
import { MissingWeightsError, shippedWeightsPath } from './compare-files.ts';
import { checkOutDir, prepareDir } from './dirs.ts';
import { formatSeconds } from './progress.ts';

const MODEL = 'n2n-fast';
/** 256 spp at 512x512 renders in ~1.5 minutes on lavapipe (2 cores); cached after the first run. */
export const DEMO_REFERENCE_SPP = 256;

export const DEMO_USAGE = `usage: tracelab demo [options]
  Renders a scene at low spp, denoises it with the shipped ${MODEL} network (the atrous baseline while no trained
  weights ship, said so), prints PSNR/SSIM of the noisy and the denoised image against a cached reference, and writes
  noisy.png, denoised.png, reference.png and report.html into --out.
  --scene NAME       built-in scene or .glb/.gltf file (default ${DEFAULT_SCENE})
  --spp N            samples per pixel of the noisy render (default 4)
  --size WxH         image size (default 512x512)
  --ref-spp N        reference spp (default ${DEMO_REFERENCE_SPP}; rendered once, then cached in --cache)
  --weights FILE     ${MODEL} weights (default ${defaultWeightsPath(MODEL)})
  --emission-spp N   emission separation: the network gets the frame without the emission its camera rays hit
                     first (the light), which goes back on its output from N primary rays per pixel (default
                     ${DEFAULT_EMISSION_SPP}; its renders count in the denoise time); 0: off
  --tonemap OP       PNG tone mapping: aces (default), reinhard or clamp (PSNR/SSIM always use the metrics' Reinhard)
  --cache DIR        reference cache (default ${DEFAULT_REFERENCE_CACHE})
  --out DIR          output directory (default out)`;

export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, ['scene', 'spp', 'size', 'ref-spp', 'weights', 'emission-spp', 'tonemap', 'cache', 'out'], 0);
  const sceneName = values.scene ?? DEFAULT_SCENE;
  const spp = intOption('spp', values.spp, 4, 1, 1_000_000);
  const [width, height] = sizeAtLeastSsim(values.size, [512, 512]);
  const referenceSpp = intOption('ref-spp', values['ref-spp'], DEMO_REFERENCE_SPP, 1, 1 << 30);
  const emissionSpp = intOption('emission-spp', values['emission-spp'], DEFAULT_EMISSION_SPP, 0, 1 << 16);
  const operator = choiceOption('tonemap', values.tonemap, TONE_OPERATORS, 'aces');
  const cacheDir = values.cache ?? DEFAULT_REFERENCE_CACHE;
  const out = values.out ?? 'out';
  checkOutDir(out);
  const weightsFile = fileOption('weights', values.weights);

  // The shipped model, or the baseline with a one-line note when its weights are missing (a bad --weights file is an error).
  let denoisers: CompareDenoiser[];
  let weights: Record<string, string>;
  let fallback: string | null = null;
  try {
    ({ denoisers, weights } = await denoiserFactories([MODEL], weightsFile !== undefined ? { [MODEL]: weightsFile } : {}));
  } catch (e) {
    if (!(e instanceof MissingWeightsError)) throw e;
    fallback = `${MODEL} has no trained weights (${shippedWeightsPath(MODEL).shown} is missing): denoised with the atrous baseline instead`;
    ({ denoisers, weights } = await denoiserFactories(['atrous'], {}));
  }
  const denoiser = denoisers[0].name;
  const [scene] = await compileScenes([sceneName]);
  // printed once every input has been checked, so a bad one is the only line on stderr
  if (fallback) process.stderr.write(`tracelab: note: ${fallback}\n`);
  await prepareDir(cacheDir, '--cache'); // the last check: the only one that writes (the cache directory)

  const gpu = await createNodeGpuContext();
  let result: CompareOutput;
  try {
    process.stderr.write(`adapter: ${gpu.adapter.name}${gpu.adapter.isFallback ? ' (software)' : ''}\n`);
    result = await runCompare(gpu, {
      scenes: [scene], spp: [spp], denoisers, width, height, referenceSpp, weights, emissionSpp,
      store: new FileReferenceStore(cacheDir),
      onProgress: progressPrinter(width * height),
    });
  } finally {
    gpu.destroy();
  }
  const r = result.results;
  const ref = r.references[0];
  const row = (d: string) => r.results.find((x) => x.denoiser === d)!;
  const [noisy, denoised] = [row('none'), row(denoiser)];
  const psnr = (v: number | null): string => (v === null ? 'inf' : v.toFixed(2));
  const label = fallback ? `${denoiser} (baseline; ${MODEL} has no trained weights)` : `${denoiser}, weights ${weights[denoiser]}`;
  process.stdout.write([
    `demo: ${scene.name} ${width}x${height}, adapter ${r.adapter}`,
    `reference: ${ref.spp} spp (${ref.status === 'cached' ? 'from the cache' : `${ref.status}, cached for next time`})`,
    `noisy     ${spp} spp, render ${formatSeconds(noisy.renderMs / 1000)}:  PSNR ${psnr(noisy.psnr)} dB  SSIM ${noisy.ssim.toFixed(4)}`,
    `denoised  ${label}, denoise ${formatSeconds(denoised.denoiseMs / 1000)}${emissionSpp > 0 ? ` (emission separated, ${emissionSpp} rays per pixel)` : ''}:  PSNR ${psnr(denoised.psnr)} dB  SSIM ${denoised.ssim.toFixed(4)}`,
    `(PSNR and SSIM on Reinhard-tone-mapped sRGB against the reference)`,
  ].join('\n') + '\n');

  const images = result.images[0];
  const tone = { operator, exposure: 0 };
  const pngs: [string, typeof images.reference][] = [
    ['noisy.png', images.runs[0].images.none], ['denoised.png', images.runs[0].images[denoiser]], ['reference.png', images.reference],
  ];
  for (const [name, img] of pngs) await writeImageFile(join(out, name), img, tone);
  const notes = fallback ? [`Note: ${fallback}.`] : [];
  const [report] = await writeCompareOutputs(out, result, { report: 'report.html' }, { title: `tracelab demo: ${scene.name}`, notes });
  process.stdout.write(`wrote ${pngs.map(([n]) => join(out, n)).join(', ')} (tone map ${operator}) and ${report}\n`);
}
