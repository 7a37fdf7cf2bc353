// `tracelab render`: scene -> path tracer -> image files (+ AOVs).
import { basename, extname, join, dirname } from 'node:path';
import { Denoiser } from '../denoise/denoiser.ts';
import { ENSEMBLE_SIZES, type EnsembleSize } from '../denoise/dihedral.ts';
import { srgbDecode, TONE_OPERATORS } from '../image/tonemap.ts';
import type { ImageF32 } from '../image/image.ts';
import { addEmission, DEFAULT_EMISSION_SPP, EmissionPass, subtractEmission, type EmissionImages } from '../render/emission.ts';
import { framePlanes } from '../render/frame-planes.ts';
import { EstimatorMode } from '../render/layout.ts';
import { PathTracer, type FrameData } from '../render/path-tracer.ts';
import { compileScene } from '../scene/compile.ts';
import { createNodeGpuContext } from '../node/gpu.ts';
import { writeFormatForPath, writeImageFile } from '../node/image-files.ts';
import { loadEnvironment, loadScene } from '../node/load-scene.ts';
import { choiceOption, fileOption, intOption, listOption, numberOption, parse, sizeOption, UsageError } from './args.ts';
import { checkOutFile } from './dirs.ts';
import { describeExposure, describeModel, loadModel } from './denoise.ts';
import { formatRate, formatSeconds, ProgressBar } from './progress.ts';

export const RENDER_USAGE = `usage: tracelab render <scene-name|file.glb|file.gltf> [options]
  --spp N            samples per pixel (default 64)
  --size WxH         image size (default 512 wide at the scene camera's aspect ratio)
  --seed S           random seed, 0..4294967295 (default 0); different seeds give independent noise
  --out FILE         output .png (tone mapped), .exr or .pfm (linear HDR); default out/<scene>.png
  --aov LIST         also write the denoiser AOVs: albedo,normal,depth (as FILE-albedo.ext, ...)
  --env FILE         equirectangular environment map (.hdr, .exr or .pfm)
  --max-depth D      maximum bounces (default 8)
  --exposure E       PNG exposure in stops (default 0)
  --tonemap OP       PNG tone mapping: aces (default, Narkowicz's ACES fit), reinhard or clamp; then sRGB
  --clamp C          clamp each sample's radiance to C (biased; off by default)
  --estimator E      mis (default), nee or bsdf
  --aperture R       thin-lens aperture radius in scene units (default: the scene camera's, usually 0 = pinhole)
  --focus D          thin-lens focus distance in scene units (default: the scene camera's)
  --denoise M        also denoise the frame on the GPU with network M (n2n-fast, n2n-paper or a spec .json)
                     and write it as FILE-denoised.ext
  --weights FILE     weights for --denoise (default denoiser/weights/<model>.bin, else untrained random weights)
  --ensemble N       --denoise's self-ensemble: 1 (default), 2, 4 or 8 flips / transpositions averaged
  --emission-spp N   --denoise's emission separation: the network gets the frame without the emission its camera
                     rays hit first (lights, the sky seen directly), which goes back on its output rendered with N
                     primary rays per pixel (anti-aliased edges); default ${DEFAULT_EMISSION_SPP}, 0: off`;

const AOVS = ['albedo', 'normal', 'depth'] as const;
const ESTIMATORS = ['mis', 'nee', 'bsdf'] as const;

export async function renderCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    ['spp', 'size', 'seed', 'out', 'aov', 'env', 'max-depth', 'exposure', 'tonemap', 'clamp', 'estimator', 'aperture', 'focus', 'denoise', 'weights', 'ensemble', 'emission-spp'],
    1,
  );
  const sceneSpec = positionals[0];
  if (!sceneSpec) throw new UsageError('render needs a scene name or a .glb/.gltf file (see `tracelab scenes`)');
  const spp = intOption('spp', values.spp, 64, 1, 1_000_000);
  const explicitSize = values.size !== undefined ? sizeOption(values.size, [512, 512]) : null;
  const seed = intOption('seed', values.seed, 0, 0, 0xffffffff);
  const maxDepth = intOption('max-depth', values['max-depth'], 8, 0, 1024);
  const exposure = numberOption('exposure', values.exposure, 0, -64, 64);
  const operator = choiceOption('tonemap', values.tonemap, TONE_OPERATORS, 'aces');
  const clamp = numberOption('clamp', values.clamp, 0, 0);
  const estimator = choiceOption('estimator', values.estimator, ESTIMATORS, 'mis');
  const aovs = listOption('aov', values.aov, AOVS);
  const aperture = values.aperture === undefined ? undefined : numberOption('aperture', values.aperture, 0, 0, 1e6);
  const focus = values.focus === undefined ? undefined : numberOption('focus', values.focus, 1, 1e-6, 1e9);
  const out = values.out ?? join('out', `${basename(sceneSpec, extname(sceneSpec))}.png`);
  // a place the image cannot go (an empty name, a directory), or a bad extension, fails before any work
  checkOutFile(out);
  writeFormatForPath(out);
  const envFile = fileOption('env', values.env);
  if (values.weights !== undefined && values.denoise === undefined) throw new UsageError('--weights needs --denoise <model>');
  if (values.ensemble !== undefined && values.denoise === undefined) throw new UsageError('--ensemble needs --denoise <model>');
  const ensemble = Number(choiceOption('ensemble', values.ensemble, ENSEMBLE_SIZES.map(String), '1')) as EnsembleSize;
  if (values['emission-spp'] !== undefined && values.denoise === undefined) throw new UsageError('--emission-spp needs --denoise <model>');
  const emissionSpp = intOption('emission-spp', values['emission-spp'], DEFAULT_EMISSION_SPP, 0, 1 << 16);
  // a bad model or weights file fails before rendering
  const model = values.denoise === undefined ? null : await loadModel(values.denoise, values.weights, 'denoise');
  // the files written beside --out, checked now too: one that cannot be written fails before the render (and
  // before --out is replaced), not after it
  for (const aov of aovs) checkOutFile(sidePath(out, aov), 'aov');
  if (model) checkOutFile(sidePath(out, 'denoised'), 'denoise');

  const { name, built, environment: own } = await loadScene(sceneSpec);
  if (aperture !== undefined) built.camera.userData.apertureRadius = aperture;
  if (focus !== undefined) built.camera.focus = focus;
  // Without --size: 512 pixels wide at the scene camera's own aspect ratio.
  const [width, height] = explicitSize ?? [512, Math.max(1, Math.round(512 / (built.camera.aspect || 1)))];
  const environment = envFile !== undefined ? await loadEnvironment(envFile) : own;
  const scene = compileScene(built, { name, environment });
  for (const w of scene.warnings) process.stderr.write(`tracelab: warning: ${w}\n`);

  const gpu = await createNodeGpuContext();
  let tracer: PathTracer | undefined;
  let denoiser: Denoiser | undefined;
  try {
    process.stderr.write(`adapter: ${gpu.adapter.name}${gpu.adapter.isFallback ? ' (software)' : ''}\n`);
    process.stderr.write(`scene: ${name}, ${scene.triangleCount.toLocaleString('en')} triangles, ${scene.lights.count} emissive\n`);
    tracer = await PathTracer.create(gpu, scene, {
      width, height, maxDepth, clamp, firstHitEmission: model !== null && emissionSpp > 0,
      mode: { mis: EstimatorMode.MIS, nee: EstimatorMode.NEE, bsdf: EstimatorMode.BSDF }[estimator],
    });
    const bar = new ProgressBar('render', width * height);
    const t0 = performance.now();
    const rendered = await tracer.render({ spp, seed, onProgress: (p) => bar.update(p.done, p.total, p.elapsedMs) });
    const seconds = (performance.now() - t0) / 1000;
    const frame = await tracer.readFrame();
    let denoised: { image: ImageF32; ms: number; exposure: number } | null = null;
    if (model) {
      if (model.warning) process.stderr.write(`${model.warning}\n`);
      denoiser = await Denoiser.create(gpu, { spec: model.spec, weights: model.weights });
      const t1 = performance.now();
      let data: Float32Array;
      if (emissionSpp > 0) {
        // emission separation (src/render/emission.ts): through the CPU, the frame less its first-hit emission
        // with --clamp, the emission put back is clamped sample by sample as the frame's was
        const pass = await EmissionPass.create(gpu, scene, { width, height, clamp });
        let e: EmissionImages;
        try {
          e = await pass.render(frame, seed, emissionSpp);
        } finally {
          pass.destroy();
        }
        const result = await denoiser.denoise({ width, height, color: subtractEmission(frame.color, e.matching), albedo: frame.albedo, normal: frame.normal }, { ensemble });
        data = addEmission(await result.read(), e.antialiased);
        result.destroy();
      } else {
        // the Frame's film buffer goes to the denoiser as it is: no CPU round trip
        const result = await denoiser.denoise(rendered, { ensemble });
        data = await result.read();
        result.destroy();
      }
      denoised = { image: { width, height, channels: 3, data }, ms: performance.now() - t1, exposure: await denoiser.lastExposureScale() };
      process.stderr.write(`denoiser: ${describeModel(model)}; webgpu, ${denoiser.format === 'rgba16float' ? 'f16' : 'f32'} tensors\n`);
    }
    await writeOutputs(frame, out, aovs, { exposure, operator });
    process.stdout.write(
      `wrote ${out} (${width}x${height}, ${spp} spp, ${formatSeconds(seconds)}, ` +
        `${formatRate((spp * width * height) / seconds)} samples/s${extname(out).toLowerCase() === '.png' ? `, tone map ${operator} exposure ${exposure}` : ''})\n`,
    );
    if (denoised && model) {
      const path = sidePath(out, 'denoised');
      await writeImageFile(path, denoised.image, { exposure, operator });
      process.stdout.write(
        `wrote ${path} (${model.spec.name}${model.weightsFile ? '' : ', untrained (random) weights'}; ` +
          `backend webgpu (${gpu.adapter.name}); denoise ${denoised.ms.toFixed(0)} ms${ensemble > 1 ? ` (ensemble of ${ensemble})` : ''}` +
          `${emissionSpp > 0 ? `, emission separated (${emissionSpp} rays per pixel)` : ''}${describeExposure(model.spec, denoised.exposure)})\n`,
      );
    }
  } finally {
    denoiser?.destroy();
    tracer?.destroy();
    gpu.destroy();
  }
}

/** FILE-<suffix>.ext beside `out` (FILE.ext): the AOVs' and the denoised image's file. */
function sidePath(out: string, suffix: string): string {
  const ext = extname(out);
  return join(dirname(out), `${basename(out, ext)}-${suffix}${ext}`);
}

/** Writes the colour image and the requested AOVs; each file is written atomically. */
async function writeOutputs(frame: FrameData, out: string, aovs: string[], tone: { exposure: number; operator: (typeof TONE_OPERATORS)[number] }) {
  const images = framePlanes(frame);
  const ext = extname(out);
  const png = ext.toLowerCase() === '.png';
  await writeImageFile(out, images.color, tone);
  for (const aov of aovs as (typeof AOVS)[number][]) {
    const path = sidePath(out, aov);
    let img = images[aov];
    if (png) img = aovForDisplay(aov, img);
    await writeImageFile(path, img, png ? { operator: 'clamp', exposure: 0 } : {});
    process.stdout.write(`wrote ${path}\n`);
  }
}

/** PNG AOVs: normals mapped from [-1,1] to [0,1], depth normalised by its maximum (both then shown linearly). */
function aovForDisplay(aov: string, img: ImageF32): ImageF32 {
  const data = new Float32Array(img.data.length);
  if (aov === 'normal') for (let i = 0; i < data.length; i++) data[i] = img.data[i] * 0.5 + 0.5;
  else if (aov === 'depth') {
    let max = 0;
    for (const v of img.data) if (v > max) max = v;
    for (let i = 0; i < data.length; i++) data[i] = max > 0 ? img.data[i] / max : 0;
  } else data.set(img.data);
  // Undo the sRGB encoding the PNG writer applies, so the stored bytes are the linear AOV values.
  return { ...img, data: data.map(srgbDecode) };
}
