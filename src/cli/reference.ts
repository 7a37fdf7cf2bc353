// `tracelab reference`: render (or continue, or just look up) a cached high-spp reference: mean + variance.
import { join } from 'node:path';
import { CONVERGENCE_EPSILON, ensureReference, psnrCeiling, REFERENCE_SEED, type ReferenceResult } from '../harness/reference-cache.ts';
import { createNodeGpuContext } from '../node/gpu.ts';
import { loadEnvironment, loadScene } from '../node/load-scene.ts';
import { DEFAULT_REFERENCE_CACHE, FileReferenceStore } from '../node/reference-store.ts';
import { compileScene } from '../scene/compile.ts';
import { fileOption, intOption, parse, sizeOption, UsageError } from './args.ts';
import { prepareDir } from './dirs.ts';
import { formatSeconds, ProgressBar } from './progress.ts';

export const REFERENCE_USAGE = `usage: tracelab reference <scene-name|file.glb|file.gltf> --spp N [options]
  Renders a high-spp reference (mean and per-sample variance, float32 EXR) into a cache keyed by the scene's
  content, the renderer version and the settings. With more spp than cached, it continues from the cached
  samples; with fewer, it reports what the cache holds and renders nothing.
  --spp N            samples per pixel wanted (required)
  --size WxH         image size (default 512 wide at the scene camera's aspect ratio)
  --max-depth D      maximum bounces (default 8)
  --seed S           random seed (default ${REFERENCE_SEED}, independent of the small seeds test renders use)
  --env FILE         equirectangular environment map (.hdr, .exr or .pfm)
  --cache DIR        cache directory (default ${DEFAULT_REFERENCE_CACHE})
  --fresh            ignore (and replace) a cached entry, e.g. one reported corrupt`;

export async function referenceCommand(argv: string[]): Promise<void> {
  const fresh = argv.includes('--fresh');
  const { values, positionals } = parse(argv.filter((a) => a !== '--fresh'), ['spp', 'size', 'max-depth', 'seed', 'env', 'cache'], 1);
  const sceneSpec = positionals[0];
  if (!sceneSpec) throw new UsageError('reference needs a scene name or a .glb/.gltf file (see `tracelab scenes`)');
  if (values.spp === undefined) throw new UsageError('reference needs --spp N (the samples per pixel wanted)');
  const spp = intOption('spp', values.spp, 0, 1, 1 << 30);
  const explicitSize = values.size !== undefined ? sizeOption(values.size, [512, 512]) : null;
  const maxDepth = intOption('max-depth', values['max-depth'], 8, 0, 1024);
  const seed = intOption('seed', values.seed, REFERENCE_SEED, 0, 0xffffffff);
  const cacheDir = values.cache ?? DEFAULT_REFERENCE_CACHE;
  const envFile = fileOption('env', values.env);

  const { name, built, environment: own } = await loadScene(sceneSpec);
  const [width, height] = explicitSize ?? [512, Math.max(1, Math.round(512 / (built.camera.aspect || 1)))];
  const environment = envFile !== undefined ? await loadEnvironment(envFile) : own;
  const scene = compileScene(built, { name, environment });
  for (const w of scene.warnings) process.stderr.write(`tracelab: warning: ${w}\n`);
  await prepareDir(cacheDir, '--cache');

  const gpu = await createNodeGpuContext();
  try {
    process.stderr.write(`adapter: ${gpu.adapter.name}${gpu.adapter.isFallback ? ' (software)' : ''}\n`);
    const bar = new ProgressBar('reference', width * height);
    const store = new FileReferenceStore(cacheDir);
    const r = await ensureReference(gpu, {
      scene,
      settings: { width, height, maxDepth, seed },
      spp,
      store,
      fresh,
      onProgress: (p) => bar.update(p.done, p.total, p.elapsedMs),
    });
    process.stdout.write(report(r, spp, store.location(r.key)));
  } finally {
    gpu.destroy();
  }
}

function report(r: ReferenceResult, asked: number, dir: string): string {
  const s = r.meta.settings;
  const head = `reference ${r.meta.scene} ${s.width}x${s.height}, max depth ${s.maxDepth}, seed ${s.seed}: `;
  const what =
    r.status === 'cached'
      ? r.meta.spp > asked
        ? `the cache already holds ${r.meta.spp} spp, more than the ${asked} asked for; nothing rendered`
        : `cached, ${r.meta.spp} spp; nothing rendered`
      : r.status === 'continued'
        ? `continued ${r.previousSpp} -> ${r.meta.spp} spp (${r.addedSpp} new, ${formatSeconds(r.seconds)})`
        : `rendered ${r.meta.spp} spp (${formatSeconds(r.seconds)})`;
  const c = r.meta.convergence;
  const ceiling = psnrCeiling(r.data);
  return [
    head + what,
    `cache: ${join(dir, 'meta.json')}`,
    `convergence: mean relative standard error ${c.meanRelativeStandardError.toPrecision(3)} ` +
      `(sqrt(var/spp) / sqrt(mean^2 + ${CONVERGENCE_EPSILON})), expected relMSE of the reference ${c.expectedRelMSE.toExponential(2)}` +
      `${ceiling.psnrCeiling !== undefined ? `, PSNR ceiling ${ceiling.psnrCeiling.toFixed(2)} dB (the converged image's expected PSNR against it, from its own noise)` : ''}`,
  ].join('\n') + '\n';
}
