// Shared helpers for render tests: render a built-in scene and summarise regions with standard errors.
import { expect } from 'vitest';
import { findScene } from '../../scenes/index.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { PathTracer, type FrameData, type PathTracerOptions } from '../../src/render/path-tracer.ts';
import { compileScene, type CompiledScene } from '../../src/scene/compile.ts';

export async function compileBuiltin(name: string): Promise<CompiledScene> {
  const entry = findScene(name);
  if (!entry) throw new Error(`no built-in scene ${name}`);
  return compileScene(await entry.build(), { name });
}

export async function renderCompiled(
  gpu: GpuContext,
  scene: CompiledScene,
  opts: PathTracerOptions & { spp: number; seed?: number },
): Promise<FrameData> {
  const pt = await PathTracer.create(gpu, scene, opts);
  try {
    await pt.render({ spp: opts.spp, seed: opts.seed ?? 0 });
    return await pt.readFrame();
  } finally {
    pt.destroy();
  }
}

export interface RegionStat {
  mean: number;
  /** Standard error of `mean` (pixels are independent estimates). */
  se: number;
}

/**
 * Mean and standard error of channel `c` (or the channel average when c = -1) over the pixel rectangle
 * [x0,x1) x [y0,y1).
 */
export function regionStat(f: FrameData, x0: number, y0: number, x1: number, y1: number, c = -1): RegionStat {
  let sum = 0;
  let varSum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * f.width + x) * 3;
      if (c >= 0) {
        sum += f.color[i + c];
        varSum += f.variance[i + c] / f.spp;
      } else {
        sum += (f.color[i] + f.color[i + 1] + f.color[i + 2]) / 3;
        // Channels of one pixel are correlated; bound the variance of their mean by the mean of variances.
        varSum += (f.variance[i] + f.variance[i + 1] + f.variance[i + 2]) / 3 / f.spp;
      }
      n++;
    }
  }
  return { mean: sum / n, se: Math.sqrt(varSum) / n };
}

/** Two-sided normal quantile for a family of k tests at overall level alpha (Sidak correction). */
export function sidakZ(alpha: number, k: number): number {
  const perTest = 1 - Math.pow(1 - alpha, 1 / k);
  return normalQuantile(1 - perTest / 2);
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Every `step`-th pixel of a width x height image from `first` on, as PathTracer.restrictTo takes them. */
export function everyNthPixel(width: number, height: number, step: number, first = 0): Uint8Array {
  const chosen = new Uint8Array(width * height);
  for (let p = first; p < chosen.length; p += step) chosen[p] = 1;
  return chosen;
}

/** A restricted render's RGB image: `want`'s values on the chosen pixels, zeros elsewhere (exact). */
export function expectChosenOnly(got: Float32Array, want: Float32Array, chosen: Uint8Array): void {
  for (let p = 0; p < chosen.length; p++) {
    expect([...got.subarray(p * 3, p * 3 + 3)]).toEqual(chosen[p] ? [...want.subarray(p * 3, p * 3 + 3)] : [0, 0, 0]);
  }
}
