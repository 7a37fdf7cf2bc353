// tracelab command line: render, denoise, reference, compare, demo, train, validate, info, scenes. Errors print one line and exit non-zero; no stack traces.
import { isMainThread, workerData } from 'node:worker_threads';
import { builtinScenes } from '../../scenes/index.ts';
import { createNodeGpuContext } from '../node/gpu.ts';
import { batchWorkerSetup, runBatchWorker } from '../node/batch-pool.ts';
import { runSceneWorker, SCENE_WORKER } from '../node/scene-pool.ts';
import { parse, UsageError } from './args.ts';
import { compareCommand, COMPARE_USAGE } from './compare.ts';
import { denoiseCommand, DENOISE_USAGE } from './denoise.ts';
import { demoCommand, DEMO_USAGE } from './demo.ts';
import { referenceCommand, REFERENCE_USAGE } from './reference.ts';
import { renderCommand, RENDER_USAGE } from './render.ts';
import { trainCommand, TRAIN_USAGE } from './train.ts';
import { validateCommand, VALIDATE_USAGE } from './validate.ts';

const USAGE = `tracelab: WebGPU path tracer
usage:
  tracelab render <scene|file.glb> [--spp N --size WxH --seed S --out FILE ...]   (tracelab render --help)
  tracelab denoise <noisy.exr> --model <n2n-fast|n2n-paper|spec.json> [--albedo A --normal N --out FILE ...]   (tracelab denoise --help)
  tracelab reference <scene> --spp N [--size WxH --max-depth D --cache DIR]   cached high-spp reference (tracelab reference --help)
  tracelab compare [--scenes a,b --spp 1,4,16,64 --denoisers n2n-fast,atrous,bilateral,none --target-psnr 30 --out DIR ...]
                         denoisers against references: results.json + report.html (tracelab compare --help)
  tracelab demo [--scene S --spp 4 --size 512x512 --out out]   render, denoise, score, write images + report (tracelab demo --help)
  tracelab train --config FILE [--out DIR]   train the denoiser from noisy render pairs (tracelab train --help)
  tracelab validate --model M [--weights FILE --ensemble N]   a network's PSNR on the validation set, as the model cards report it
  tracelab scenes        list the built-in scenes
  tracelab info          print the WebGPU adapter and its limits`;

async function info(): Promise<void> {
  const gpu = await createNodeGpuContext();
  try {
    const a = gpu.adapter;
    const l = gpu.limits;
    const lines = [
      `adapter: ${a.name}`,
      `software (fallback) adapter: ${a.isFallback ? 'yes' : 'no'}`,
      `features: ${[...gpu.features].sort().join(', ')}`,
      `maxStorageBufferBindingSize: ${l.maxStorageBufferBindingSize} (${(l.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB)`,
      `maxBufferSize: ${l.maxBufferSize}`,
      `maxStorageBuffersPerShaderStage: ${l.maxStorageBuffersPerShaderStage}`,
      `maxComputeInvocationsPerWorkgroup: ${l.maxComputeInvocationsPerWorkgroup}`,
      `maxComputeWorkgroupStorageSize: ${l.maxComputeWorkgroupStorageSize}`,
      `maxComputeWorkgroupsPerDimension: ${l.maxComputeWorkgroupsPerDimension}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    gpu.destroy();
  }
}

function scenes(): void {
  const w = Math.max(...builtinScenes.map((s) => s.name.length));
  for (const s of builtinScenes) process.stdout.write(`${s.name.padEnd(w)}  ${s.triangles.padStart(10)} tris  ${s.description}\n`);
  process.stdout.write('procedural-<8 hex digits>: the seeded procedural generator\'s scenes (rooms, windows, outdoor skies); ' +
    'the denoiser\'s validation scenes are procedural-70000000 ... procedural-70000007\n');
}

const COMMANDS = ['render', 'denoise', 'reference', 'compare', 'demo', 'train', 'validate', 'scenes', 'info'];

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  if (!COMMANDS.includes(cmd)) throw new UsageError(`unknown command '${cmd}' (expected ${COMMANDS.slice(0, -1).join(', ')} or ${COMMANDS.at(-1)})`);
  if (rest.includes('--help') || rest.includes('-h')) {
    const usage = ({ render: RENDER_USAGE, reference: REFERENCE_USAGE, denoise: DENOISE_USAGE, compare: COMPARE_USAGE, demo: DEMO_USAGE, train: TRAIN_USAGE, validate: VALIDATE_USAGE } as Record<string, string>)[cmd] ?? USAGE;
    process.stdout.write(usage + '\n');
    return 0;
  }
  switch (cmd) {
    case 'render':
      await renderCommand(rest);
      return 0;
    case 'reference':
      await referenceCommand(rest);
      return 0;
    case 'denoise':
      await denoiseCommand(rest);
      return 0;
    case 'compare':
      await compareCommand(rest);
      return 0;
    case 'demo':
      await demoCommand(rest);
      return 0;
    case 'train':
      return await trainCommand(rest);
    case 'validate':
      await validateCommand(rest);
      return 0;
    case 'info':
      parse(rest, [], 0); // takes no options or arguments
      await info();
      return 0;
    case 'scenes':
      parse(rest, [], 0);
      scenes();
      return 0;
    default:
      throw new UsageError(`unknown command '${cmd}'`); // not reached: checked against COMMANDS above
  }
}

async function run(): Promise<void> {
  try {
    const code = await main(process.argv.slice(2));
    process.exit(code);
  } catch (e) {
    const err = e as Error;
    const msg = String(err?.message ?? err).split('\n').filter((l) => l.trim())[0] ?? String(err);
    // Programming errors say so; everything else is the user's input or environment.
    const internal = ['TypeError', 'ReferenceError', 'SyntaxError'].includes(err?.name);
    process.stderr.write(`tracelab: ${internal ? 'internal error' : 'error'}: ${msg}\n`);
    if (process.env.TRACELAB_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    process.exit(err?.name === 'UsageError' ? 2 : 1);
  }
}

// The training data's scene-compiling workers and the batch-sampling workers run this same script
// (src/node/scene-pool.ts, src/node/batch-pool.ts).
const batchSetup = batchWorkerSetup();
if (!isMainThread && (workerData as { tracelabWorker?: string } | null)?.tracelabWorker === SCENE_WORKER) runSceneWorker();
else if (batchSetup) runBatchWorker(batchSetup);
else await run();
