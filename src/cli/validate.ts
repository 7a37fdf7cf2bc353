// `tracelab validate --model M`: a network's scores on the denoiser's validation set (the procedural scenes
// procedural-70000000 ... never trained on), computed as the training logs and the model cards compute them: mean
// PSNR over the scenes of the noisy input and of the denoised image against a high-spp reference, at each spp. The
// references go through the reference cache, so only the first run renders them (and an interrupted one continues).
import { createDenoiserBackend, type DenoiserBackend } from '../denoise/backend.ts';
import { ENSEMBLE_SIZES, type EnsembleSize } from '../denoise/dihedral.ts';
import { writeFileAtomic } from '../node/atomic-file.ts';
import { createNodeGpuContext } from '../node/gpu.ts';
import { DEFAULT_REFERENCE_CACHE } from '../node/reference-store.ts';
import { mseAgainstConverged, psnrFromMse } from '../metrics/index.ts';
import { buildValidationSet, denoiseValidationImage, scoreValidation, type ValidationImageScore } from '../train/validation.ts';
import { VALIDATION_SEEDS, proceduralSceneName } from '../../scenes/procedural.ts';
import { choiceOption, intOption, parse, squareSizeOption, UsageError } from './args.ts';
import { checkOutFile, prepareDir } from './dirs.ts';
import { sppList } from './compare.ts';
import { describeModel, loadModel } from './denoise.ts';
import { formatSeconds } from './progress.ts';
import { cachedValidationReferences } from './validation-references.ts';

export const VALIDATE_USAGE = `usage: tracelab validate --model M [options]
  Scores a denoiser network on the validation set (procedural-70000000 ... procedural-70000007, scenes never
  trained on) as the training logs and model cards (denoiser/README.md) do: mean PSNR over the scenes of the noisy
  input and of the denoised image against a high-spp reference, at each spp. References are cached like
  \`tracelab reference\`'s, so only the first run renders them (about 10 minutes per scene at the defaults on a
  software adapter; seconds on a GPU).
  --model M          network: a built-in name or a spec file (as for tracelab denoise)
  --weights FILE     its weights (default: the shipped denoiser/weights/<model>.bin)
  --ensemble N       1 (default), 2, 4 or 8: score the network's self-ensemble
  --local-mean on|off  the runtime's local mean correction after the network (default on; off: score the
                     network's output as it is, denoiser/README.md "Local mean correction")
  --scenes N         the first N validation scenes, 1 to ${VALIDATION_SEEDS.length} (default ${VALIDATION_SEEDS.length})
  --size S           square image size: S or SxS (default 256)
  --spp LIST         input samples per pixel (default 4,8,16,64)
  --ref-spp N        reference samples per pixel (default 4096)
  --max-depth D      maximum bounces (default 8, as in training)
  --emission-spp N   emission separation, as the runtime denoises: the network gets each input without the
                     emission its camera rays hit first, put back anti-aliased from N rays per pixel (the way to
                     score weights trained on separated pairs); 0: off (default)
  --cache DIR        reference cache directory (default ${DEFAULT_REFERENCE_CACHE}); 'none': render the references
                     in memory, as \`tracelab train --cache none\` does
  --json FILE        also write the scores (per spp and per scene) as JSON`;

export async function validateCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, ['model', 'weights', 'ensemble', 'local-mean', 'scenes', 'size', 'spp', 'ref-spp', 'max-depth', 'emission-spp', 'cache', 'json'], 0);
  if (!values.model) throw new UsageError('validate needs --model (a built-in network or a spec .json file)');
  const ensemble = Number(choiceOption('ensemble', values.ensemble, ENSEMBLE_SIZES.map(String), '1')) as EnsembleSize;
  const localMean = choiceOption('local-mean', values['local-mean'], ['on', 'off'], 'on') === 'on';
  const scenes = intOption('scenes', values.scenes, VALIDATION_SEEDS.length, 1, VALIDATION_SEEDS.length);
  const size = squareSizeOption('size', values.size, 256, 8, 4096);
  const spp = sppList(values.spp ?? '4,8,16,64');
  const refSpp = intOption('ref-spp', values['ref-spp'], 4096, 1, 1 << 24);
  const maxDepth = intOption('max-depth', values['max-depth'], 8, 0, 64);
  const emissionSpp = intOption('emission-spp', values['emission-spp'], 0, 0, 1 << 16);
  const cacheDir = values.cache ?? DEFAULT_REFERENCE_CACHE;
  if (cacheDir.trim() === '') throw new UsageError(`--cache must name a directory (or 'none')`);
  if (values.json !== undefined && !values.json.toLowerCase().endsWith('.json')) throw new UsageError(`--json must name a .json file, got '${values.json}'`);
  if (values.json !== undefined) checkOutFile(values.json, 'json');
  const model = await loadModel(values.model, values.weights);
  if (cacheDir !== 'none') await prepareDir(cacheDir, '--cache');

  const gpu = await createNodeGpuContext();
  let backend: DenoiserBackend | undefined;
  try {
    if (model.warning) process.stderr.write(`${model.warning}\n`);
    process.stderr.write(`adapter: ${gpu.adapter.name}${gpu.adapter.isFallback ? ' (software)' : ''}\n`);
    process.stderr.write(`model: ${describeModel(model)}${ensemble > 1 ? `, self-ensemble of ${ensemble}` : ''}${localMean ? '' : ', without the local mean correction'}\n`);
    const t0 = performance.now();
    const set = await buildValidationSet(gpu, { scenes, size, spp, referenceSpp: refSpp, maxDepth, emissionSpp }, undefined, undefined, cacheDir === 'none' ? undefined : cachedValidationReferences(gpu, cacheDir));
    const dataSeconds = (performance.now() - t0) / 1000;
    backend = await createDenoiserBackend({ gpu, spec: model.spec, weights: model.weights, localMean });
    const b = backend;
    const t1 = performance.now();
    const { bySpp, images } = await scoreValidation(set, (v) => denoiseValidationImage(v, async (frame) => (await b.denoise(frame, { ensemble })).data));
    const denoiseSeconds = (performance.now() - t1) / 1000;
    const names = VALIDATION_SEEDS.slice(0, scenes).map(proceduralSceneName);
    const converged = againstConverged(spp, images);
    const lines = [
      `validation set: ${scenes} scene${scenes > 1 ? 's' : ''} (${names[0]}${scenes > 1 ? ` ... ${names[scenes - 1]}` : ''}), ${size}x${size}, ` +
        `references ${refSpp} spp, max depth ${maxDepth}${emissionSpp > 0 ? `, emission separated (anti-aliased with ${emissionSpp} rays per pixel)` : ''}; ${formatSeconds(dataSeconds)} rendering, ${formatSeconds(denoiseSeconds)} denoising`,
      `model ${model.spec.name}${ensemble > 1 ? ` (self-ensemble of ${ensemble})` : ''}${localMean ? '' : ' without the local mean correction'}: mean PSNR over the scenes`,
      ...bySpp.map((s) => `  ${String(s.spp).padStart(4)} spp: noisy ${s.noisy.toFixed(2)} dB -> denoised ${s.denoised.toFixed(2)} dB (${sign(s.denoised - s.noisy)} dB)`),
      ...perSceneTable(names, spp, images),
      `ceiling: the converged image's expected PSNR against the scene's reference, given the reference's own noise (delta method); with that noise subtracted, the means estimated against the converged images:`,
      ...converged.map((s) => `  ${String(s.spp).padStart(4)} spp: noisy ${s.noisy.toFixed(2)} dB -> denoised ${s.denoised.toFixed(2)} dB (${sign(s.denoised - s.noisy)} dB), the reference noise ${(100 * s.referenceShare).toFixed(0)}% of the denoised error`),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    if (values.json) {
      const doc = {
        format: 'tracelab-validation', version: 1, model: model.spec.name, weights: model.weightsFile, ensemble, localMean, adapter: gpu.adapter.name,
        settings: { scenes: names, size, spp, referenceSpp: refSpp, maxDepth, ...(emissionSpp > 0 ? { emissionSpp } : {}) },
        scores: bySpp, images, estimatedAgainstConverged: converged,
      };
      await writeFileAtomic(values.json, JSON.stringify(doc, null, 2) + '\n');
      process.stdout.write(`wrote ${values.json}\n`);
    }
  } finally {
    await backend?.destroy();
    gpu.destroy();
  }
}

/** Per scene: "noisy -> denoised" PSNR at each spp, and the reference's ceiling (the means hide a spread of several dB between scenes). */
function perSceneTable(names: string[], spp: number[], images: readonly ValidationImageScore[]): string[] {
  const width = Math.max(...names.map((n) => n.length));
  const cell = (v: ValidationImageScore | undefined) => (v ? `${v.noisy.toFixed(2)} -> ${v.denoised.toFixed(2)}` : '?').padStart(15);
  return [
    `per scene, noisy -> denoised dB:`,
    `  ${''.padEnd(width)}${spp.map((n) => `${n} spp`.padStart(17)).join('')}  ceiling`,
    ...names.map((name) => {
      const at = images.filter((i) => i.name === name);
      return `  ${name.padEnd(width)}${spp.map((n) => `  ${cell(at.find((i) => i.spp === n))}`).join('')}  ${at[0]?.referenceCeiling.toFixed(2) ?? '?'}`;
    }),
  ];
}

/**
 * Mean PSNR at each spp estimated against the converged images: each image's measured MSE less its reference's
 * noise (mseAgainstConverged), and that noise's share of the denoised MSE (mean over the scenes).
 */
function againstConverged(spp: number[], images: readonly ValidationImageScore[]): { spp: number; noisy: number; denoised: number; referenceShare: number }[] {
  const mse = (db: number) => 10 ** (-db / 10);
  const est = (db: number, ceiling: number) => psnrFromMse(mseAgainstConverged(mse(db), mse(ceiling)));
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  return spp.map((n) => {
    const at = images.filter((i) => i.spp === n);
    return {
      spp: n,
      noisy: mean(at.map((i) => est(i.noisy, i.referenceCeiling))),
      denoised: mean(at.map((i) => est(i.denoised, i.referenceCeiling))),
      referenceShare: mean(at.map((i) => mse(i.referenceCeiling) / mse(i.denoised))),
    };
  });
}

function sign(v: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
}
