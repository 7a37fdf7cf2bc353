// Denoiser throughput: for each shipped spec, milliseconds per frame at 512x512 and 1920x1080, MACs per pixel
// counted from the spec, and the achieved GFLOP/s (2 FLOP per MAC of the spec's convolutions; padding work
// is not counted). Pass the adapter's measured FMA peak to also print the efficiency. With an ensemble size, each
// size is also timed as that self-ensemble, beside the single pass (its time and the ratio). Each single pass is
// timed alternately with one without the local mean correction, whose cost is the difference.
// Run alone: node bin/run-ts.js bench/denoise.ts [--quick] [--f16] [--ensemble 8] [--specs n2n-fast,n2n-paper-demod]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Denoiser, type Precision } from '../src/denoise/denoiser.ts';
import { ENSEMBLE_SIZES, isEnsembleSize, type EnsembleSize } from '../src/denoise/dihedral.ts';
import { macsPerPixel, parseSpecText, type NetworkSpec } from '../src/denoise/spec.ts';
import type { GpuContext } from '../src/gpu/context.ts';
import { createNodeGpuContext } from '../src/node/gpu.ts';
import { measureFmaPeak } from './fma-peak.ts';

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
  log?: (line: string) => void;
}

export interface DenoiseBenchRow {
  spec: string;
  width: number;
  height: number;
  format: string;
  tiles: number;
  msPerFrame: number;
  macsPerPixel: number;
  gflops: number;
  /** gflops / peakGflops when the peak was given. */
  efficiency?: number;
  /** With `ensemble`: its size and time per frame. */
  ensemble?: { size: EnsembleSize; msPerFrame: number };
  /** One pass without the local mean correction (Denoiser option localMean: false), timed in the same loop. */
  msWithoutLocalMean: number;
}

function loadSpec(name: string): NetworkSpec {
  const url = new URL(`../denoiser/specs/${name}.json`, import.meta.url);
  return parseSpecText(readFileSync(url, 'utf8'), `${name}.json`);
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

export async function runDenoiseBench(options: DenoiseBenchOptions = {}): Promise<DenoiseBenchRow[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const gpu = options.gpu ?? (await createNodeGpuContext());
  const rows: DenoiseBenchRow[] = [];
  try {
    for (const name of options.specs ?? ['n2n-fast', 'n2n-paper']) {
      const spec = loadSpec(name);
      const macs = macsPerPixel(spec);
      const dn = await Denoiser.create(gpu, { spec, precision: options.precision ?? 'f32' });
      const raw = await Denoiser.create(gpu, { spec, precision: options.precision ?? 'f32', localMean: false });
      try {
        for (const d of [dn, raw]) (await d.denoise(benchImages(64, 64))).destroy(); // compile the pipelines outside the timings
        for (const [width, height] of options.sizes ?? [[512, 512], [1920, 1080]]) {
          const images = benchImages(width, height);
          // best of the repeats; with `without`, a pass without the local mean correction alternates with each
          const time = async (ensemble: EnsembleSize, without = false): Promise<[number, number]> => {
            const best = [Infinity, Infinity];
            const start = performance.now();
            for (let r = 0; r < (options.repeats ?? 3) && (r === 0 || performance.now() - start < 10_000); r++) {
              for (const [k, d] of (without ? [dn, raw] : [dn]).entries()) {
                const t = performance.now();
                (await d.denoise(images, { ensemble })).destroy();
                best[k] = Math.min(best[k], performance.now() - t);
              }
            }
            return [best[0], best[1]];
          };
          const [best, withoutLocalMean] = await time(1, true);
          const gflops = (2 * macs * width * height) / (best * 1e6);
          const row: DenoiseBenchRow = {
            spec: name, width, height, format: dn.format, tiles: dn.tilesFor(width, height).length, msPerFrame: best,
            macsPerPixel: macs, gflops, efficiency: options.peakGflops ? gflops / options.peakGflops : undefined, msWithoutLocalMean: withoutLocalMean,
          };
          rows.push(row);
          const eff = row.efficiency === undefined ? '' : `, ${(100 * row.efficiency).toFixed(0)}% of the ${options.peakGflops!.toFixed(1)} GFLOP/s FMA peak`;
          log(`${name.padEnd(10)} ${`${width}x${height}`.padEnd(10)} ${dn.format} (${dn.lanes}${row.tiles > 1 ? `, ${row.tiles} tiles` : ''}): ` +
            `${best.toFixed(0)} ms/frame, ${Math.round(macs).toLocaleString('en')} MACs/pixel, ${gflops.toFixed(1)} GFLOP/s${eff}`);
          log(`${''.padEnd(21)} without the local mean correction: ${withoutLocalMean.toFixed(0)} ms/frame (the correction ${(best - withoutLocalMean).toFixed(0)} ms, ${(100 * (best / withoutLocalMean - 1)).toFixed(1)}%)`);
          const n = options.ensemble;
          if (n !== undefined && n > 1) {
            const [ms] = await time(n);
            row.ensemble = { size: n, msPerFrame: ms };
            log(`${''.padEnd(21)} ensemble of ${n}: ${ms.toFixed(0)} ms/frame, ${(ms / best).toFixed(2)}x one pass`);
          }
        }
      } finally {
        dn.destroy();
        raw.destroy();
      }
    }
  } finally {
    if (!options.gpu) gpu.destroy();
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const gpu = await createNodeGpuContext();
  try {
    const peak = await measureFmaPeak(gpu);
    console.log(`adapter: ${gpu.adapter.name}; FMA peak f32 ${peak.gflops.toFixed(1)} GFLOP/s`);
    const arg = (flag: string): string | undefined => {
      const i = process.argv.indexOf(flag);
      return i < 0 ? undefined : process.argv[i + 1];
    };
    const ensemble = arg('--ensemble') === undefined ? undefined : Number(arg('--ensemble'));
    if (ensemble !== undefined && !isEnsembleSize(ensemble)) throw new Error(`--ensemble must be one of ${ENSEMBLE_SIZES.join(', ')}, got '${arg('--ensemble')}'`);
    await runDenoiseBench({
      gpu,
      peakGflops: peak.gflops,
      ensemble,
      specs: arg('--specs')?.split(','),
      precision: process.argv.includes('--f16') ? 'f16' : 'f32',
      sizes: quick ? [[256, 256], [512, 512]] : undefined,
      repeats: quick ? 1 : 3,
    });
  } finally {
    gpu.destroy();
  }
}
