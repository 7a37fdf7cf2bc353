// Denoiser throughput: for each shipped spec, milliseconds per frame at 512x512 and 1920x1080, MACs per pixel
// counted from the spec, and the achieved GFLOP/s (2 FLOP per MAC of the spec's convolutions; padding work
// is not counted). Pass the adapter's measured FMA peak to also print the efficiency. With an ensemble size, each
// size is also timed as that self-ensemble, beside the single pass (its time and the ratio). The local mean
// correction that ends every pass is also timed alone (its share of the pass).
// With several conv strips (--strips 8x16,4x8), each size is timed with each, alternating, in the same run, and the
// ratio to the first is printed.
// Run alone: node bin/run-ts.js bench/denoise.ts [--quick] [--f16] [--ensemble 8] [--specs n2n-fast,n2n-paper-demod]
//   [--strips 8x16,4x8] [--sizes 512x512,1920x1080] [--repeats 3]
import { parseArgs } from 'node:util';
import { CONV_STRIPS, type ConvStrip } from '../src/denoise/conv.ts';
import { Denoiser, type Precision } from '../src/denoise/denoiser.ts';
import { ENSEMBLE_SIZES, isEnsembleSize, type EnsembleSize } from '../src/denoise/dihedral.ts';
import { IoKernels } from '../src/denoise/io-passes.ts';
import { macsPerPixel } from '../src/denoise/spec.ts';
import { BUILTIN_SPECS, builtinSpec } from '../src/denoise/specs.ts';
import type { GpuContext } from '../src/gpu/context.ts';
import { createNodeGpuContext } from '../src/node/gpu.ts';
import { measureFmaPeak } from './fma-peak.ts';
import { isBenchMain } from './is-main.ts';

export interface DenoiseBenchOptions {
  gpu?: GpuContext;
  specs?: string[];
  sizes?: Array<[number, number]>;
  precision?: Precision;
  /** The adapter's FMA peak (GFLOP/s) measured in the same run, for the efficiency column. */
  peakGflops?: number;
  /** Timed frames per size, stopping early once 10 s were spent on it. Default 3. */
  repeats?: number;
  /** Also time each size as this self-ensemble (src/denoise/dihedral.ts). */
  ensemble?: EnsembleSize;
  /** Conv strips to time side by side (Denoiser convStrip); default the adapter's 'auto' one. */
  strips?: ConvStrip[];
  log?: (line: string) => void;
}

export interface DenoiseBenchRow {
  spec: string;
  width: number;
  height: number;
  format: string;
  /** The conv strip it ran with (Denoiser.convStrip). */
  strip: ConvStrip;
  tiles: number;
  msPerFrame: number;
  macsPerPixel: number;
  gflops: number;
  /** gflops / peakGflops when the peak was given. */
  efficiency?: number;
  /** With `ensemble`: its size and time per frame. */
  ensemble?: { size: EnsembleSize; msPerFrame: number };
  /** The local mean correction alone (IoKernels.submitLocalMean on this size), part of msPerFrame. */
  msLocalMean: number;
}

/** A deterministic HDR-ish test image with albedo and normals (the timing does not depend on the content). */
function benchImages(width: number, height: number) {
  const n = width * height * 3;
  const color = new Float32Array(n), albedo = new Float32Array(n), normal = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    color[i] = 2 * Math.abs(Math.sin(i * 0.013)) ** 3;
    albedo[i] = 0.5 + 0.4 * Math.sin(i * 0.007);
    normal[i] = Math.cos(i * 0.003);
  }
  return { width, height, color, albedo, normal };
}

/** Best time of the local mean correction alone over `repeats` runs (after one warm-up) on the images' size. */
async function timeLocalMean(gpu: GpuContext, io: IoKernels, images: ReturnType<typeof benchImages>, repeats: number): Promise<number> {
  const { width, height, color } = images;
  const colorBuffer = gpu.createBufferWithData('bench local mean colour', color, GPUBufferUsage.STORAGE);
  const rgb = gpu.createBufferWithData('bench local mean result', color.map((v) => 1.05 * v), GPUBufferUsage.STORAGE);
  try {
    let best = Infinity;
    for (let r = 0; r <= repeats; r++) {
      const owned: GPUBuffer[] = [];
      const t = performance.now();
      io.submitLocalMean(gpu, { rgb, color: colorBuffer, source: { colorBase: 0, stride: 3, scale: 1 }, width, height }, owned);
      await gpu.device.queue.onSubmittedWorkDone();
      if (r > 0) best = Math.min(best, performance.now() - t);
      for (const b of owned) b.destroy();
    }
    return best;
  } finally {
    colorBuffer.destroy();
    rgb.destroy();
  }
}

/** Times one denoiser on one size (best of the repeats), its local mean correction alone and its ensemble. */
async function benchOne(
  gpu: GpuContext, io: IoKernels, dn: Denoiser, name: string, macs: number, images: ReturnType<typeof benchImages>,
  options: DenoiseBenchOptions, log: (line: string) => void,
): Promise<DenoiseBenchRow> {
  const { width, height } = images;
  const time = async (ensemble: EnsembleSize): Promise<number> => {
    let best = Infinity;
    const start = performance.now();
    for (let r = 0; r < (options.repeats ?? 3) && (r === 0 || performance.now() - start < 10_000); r++) {
      const t = performance.now();
      (await dn.denoise(images, { ensemble })).destroy();
      best = Math.min(best, performance.now() - t);
    }
    return best;
  };
  const best = await time(1);
  const localMean = await timeLocalMean(gpu, io, images, options.repeats ?? 3);
  const gflops = (2 * macs * width * height) / (best * 1e6);
  const row: DenoiseBenchRow = {
    spec: name, width, height, format: dn.format, strip: dn.convStrip, tiles: dn.tilesFor(width, height).length, msPerFrame: best,
    macsPerPixel: macs, gflops, efficiency: options.peakGflops ? gflops / options.peakGflops : undefined, msLocalMean: localMean,
  };
  const eff = row.efficiency === undefined ? '' : `, ${(100 * row.efficiency).toFixed(0)}% of the ${options.peakGflops!.toFixed(1)} GFLOP/s FMA peak`;
  const how = `${dn.convStrip} strip${dn.convStrip === '8x16' ? `, ${dn.lanes} lanes` : ''}${row.tiles > 1 ? `, ${row.tiles} tiles` : ''}`;
  log(`${name.padEnd(10)} ${`${width}x${height}`.padEnd(10)} ${dn.format} (${how}): ` +
    `${best.toFixed(0)} ms/frame, ${Math.round(macs).toLocaleString('en')} MACs/pixel, ${gflops.toFixed(1)} GFLOP/s${eff}`);
  log(`${''.padEnd(21)} of which the local mean correction: ${localMean.toFixed(1)} ms (${(100 * localMean / best).toFixed(1)}%), timed alone`);
  const n = options.ensemble;
  if (n !== undefined && n > 1) {
    const ms = await time(n);
    row.ensemble = { size: n, msPerFrame: ms };
    log(`${''.padEnd(21)} ensemble of ${n}: ${ms.toFixed(0)} ms/frame, ${(ms / best).toFixed(2)}x one pass`);
  }
  return row;
}

export async function runDenoiseBench(options: DenoiseBenchOptions = {}): Promise<DenoiseBenchRow[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const gpu = options.gpu ?? (await createNodeGpuContext());
  const rows: DenoiseBenchRow[] = [];
  const io = await IoKernels.create(gpu, 'rgba32float');
  try {
    for (const name of options.specs ?? ['n2n-fast', 'n2n-paper']) {
      const spec = builtinSpec(name);
      const macs = macsPerPixel(spec);
      const denoisers: Denoiser[] = [];
      try {
        for (const strip of options.strips ?? ['auto' as const]) {
          denoisers.push(await Denoiser.create(gpu, { spec, precision: options.precision ?? 'f32', convStrip: strip }));
          (await denoisers.at(-1)!.denoise(benchImages(64, 64))).destroy(); // compile the pipelines outside the timings
        }
        for (const [width, height] of options.sizes ?? [[512, 512], [1920, 1080]]) {
          const images = benchImages(width, height);
          const first = rows.length;
          for (const dn of denoisers) rows.push(await benchOne(gpu, io, dn, name, macs, images, options, log));
          if (denoisers.length > 1) {
            log(`${''.padEnd(21)} against ${rows[first].strip}: ` + rows.slice(first + 1).map((r) => `${r.strip} ${(rows[first].msPerFrame / r.msPerFrame).toFixed(2)}x as fast`).join(', '));
          }
        }
      } finally {
        for (const dn of denoisers) dn.destroy();
      }
    }
  } finally {
    if (!options.gpu) gpu.destroy();
  }
  return rows;
}

/** The command line's options, checked before any GPU work; a bad one throws a one-line Error. */
export function parseDenoiseBenchArgs(argv: string[]): Omit<DenoiseBenchOptions, 'gpu' | 'peakGflops' | 'log'> {
  const text = { type: 'string' } as const, flag = { type: 'boolean' } as const;
  const { values } = parseArgs({
    args: argv,
    options: { quick: flag, f16: flag, ensemble: text, specs: text, strips: text, sizes: text, repeats: text },
  });
  const quick = values.quick ?? false;
  const ensembleText = values.ensemble;
  const ensemble = ensembleText === undefined ? undefined : Number(ensembleText);
  if (ensemble !== undefined && !isEnsembleSize(ensemble)) throw new Error(`--ensemble must be one of ${ENSEMBLE_SIZES.join(', ')}, got '${ensembleText}'`);
  const strips = values.strips?.split(',');
  const badStrip = strips?.find((s) => !(CONV_STRIPS as readonly string[]).includes(s));
  if (badStrip !== undefined) throw new Error(`--strips takes ${CONV_STRIPS.join(', ')} (comma-separated), got '${badStrip}'`);
  const specs = values.specs?.split(',');
  for (const name of specs ?? []) {
    if (!(name in BUILTIN_SPECS)) throw new Error(`--specs: no built-in network '${name}' (available: ${Object.keys(BUILTIN_SPECS).join(', ')})`);
  }
  const sizesText = values.sizes;
  const sizes = sizesText?.split(',').map((t): [number, number] => {
    const m = /^(\d+)x(\d+)$/.exec(t);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`--sizes takes WxH sizes (comma-separated), got '${t}'`);
    return [Number(m[1]), Number(m[2])];
  });
  const repeatsText = values.repeats;
  const repeats = repeatsText === undefined ? undefined : Number(repeatsText);
  if (repeats !== undefined && !(Number.isInteger(repeats) && repeats >= 1)) throw new Error(`--repeats must be a whole number of at least 1, got '${repeatsText}'`);
  return {
    ensemble,
    strips: strips as ConvStrip[] | undefined,
    specs,
    precision: values.f16 ? 'f16' : 'f32',
    sizes: sizes ?? (quick ? [[256, 256], [512, 512]] : undefined),
    repeats: repeats ?? (quick ? 1 : 3),
  };
}

if (isBenchMain(import.meta.url, 'denoise')) {
  let options: ReturnType<typeof parseDenoiseBenchArgs>;
  try {
    options = parseDenoiseBenchArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`bench/denoise: ${(e as Error).message}`);
    process.exit(2);
  }
  const gpu = await createNodeGpuContext();
  try {
    const peak = await measureFmaPeak(gpu);
    console.log(`adapter: ${gpu.adapter.name}; FMA peak f32 ${peak.gflops.toFixed(1)} GFLOP/s`);
    await runDenoiseBench({ gpu, peakGflops: peak.gflops, ...options });
  } finally {
    gpu.destroy();
  }
}
