// Runs the WGSL BSDFs on the GPU for tests: packs materials (structs.wgsl layout), composes the shader
// modules with small test kernels, dispatches them and reads the results back.
import common from '../../shaders/pathtrace/common.wgsl?raw';
import structs from '../../shaders/pathtrace/structs.wgsl?raw';
import sampling from '../../shaders/pathtrace/sampling.wgsl?raw';
import microfacet from '../../shaders/pathtrace/microfacet.wgsl?raw';
import bsdf from '../../shaders/pathtrace/bsdf.wgsl?raw';
import testCase from './bsdf-test-case.wgsl?raw';
import histogramKernel from './bsdf-histogram.wgsl?raw';
import integralKernel from './bsdf-pdf-integral.wgsl?raw';
import recordsKernel from './bsdf-records.wgsl?raw';
import momentsKernel from './bsdf-moments.wgsl?raw';
import type { GpuContext } from '../../src/gpu/context.ts';
import type { BsdfMaterial, MaterialKind, Vec3 } from '../../src/render/bsdf-reference.ts';

/** The BSDF modules in the order a kernel must concatenate them. */
export const BSDF_MODULES = [common, structs, sampling, microfacet, bsdf];

export const MATERIAL_BYTES = 64;
const CASE_BYTES = 80;
const RECORD_BYTES = 112;
const RECORD_RESULT_FLOATS = 24;

/** A material with test defaults; values are rounded to float32 so the CPU reference sees what the GPU sees. */
export function material(kind: MaterialKind, params: Partial<Omit<BsdfMaterial, 'kind'>> = {}): BsdfMaterial {
  const f = Math.fround;
  const c = (v: Vec3): Vec3 => [f(v[0]), f(v[1]), f(v[2])];
  return {
    kind,
    baseColor: c(params.baseColor ?? [1, 1, 1]),
    roughness: f(params.roughness ?? 0.5),
    metalness: f(params.metalness ?? 0),
    ior: f(params.ior ?? 1.5),
    specular: f(params.specular ?? 1),
    specularColor: c(params.specularColor ?? [1, 1, 1]),
  };
}

/**
 * Material, 64 bytes: base_color 0, kind 12, emission 16, roughness 28, specular_color 32, metalness 44,
 * ior 48, specular 52, _pad0 56, flags 60.
 */
export function packMaterial(view: DataView, offset: number, m: BsdfMaterial): void {
  const f = (at: number, v: number): void => view.setFloat32(offset + at, v, true);
  m.baseColor.forEach((v, i) => f(4 * i, v));
  view.setUint32(offset + 12, m.kind, true);
  m.specularColor.forEach((v, i) => f(32 + 4 * i, v));
  f(28, m.roughness);
  f(44, m.metalness);
  f(48, m.ior);
  f(52, m.specular);
}

/** Spherical direction in the local frame: theta from +z, phi from +x. */
export function direction(thetaDeg: number, phiDeg = 0): Vec3 {
  const t = (thetaDeg * Math.PI) / 180;
  const p = (phiDeg * Math.PI) / 180;
  return [Math.sin(t) * Math.cos(p), Math.sin(t) * Math.sin(p), Math.cos(t)];
}

export interface BsdfCase {
  name: string;
  material: BsdfMaterial;
  wo: Vec3;
}

export interface BsdfRecord {
  material: BsdfMaterial;
  wo: Vec3;
  wi: Vec3;
  u: Vec3;
}

export interface BsdfRecordResult {
  eval: Vec3;
  pdf: number;
  reverseEval: Vec3;
  reversePdf: number;
  sampleWi: Vec3;
  samplePdf: number;
  sampleWeight: Vec3;
  sampleFlags: number;
  sampleEval: Vec3;
  sampleEvalPdf: number;
  albedoAov: Vec3;
  isDelta: boolean;
}

export interface SphereGrid {
  nZ: number;
  nPhi: number;
}

export interface HistogramResult {
  cells: Uint32Array;
  invalid: number;
  malformed: number;
  delta: number;
  transmission: number;
}

export interface PdfIntegral {
  /** Integral of bsdf_pdf over each cell (solid angle). */
  mass: Float64Array;
  /** Conservative estimate of the quadrature error of each cell's mass. */
  error: Float64Array;
  /** Cells integrated again on a finer grid. */
  refinedCells: number;
}

export interface MomentsResult {
  samples: number;
  valid: number;
  transmission: number;
  /** Per channel: mean sample weight (invalid samples count as 0) and its standard error. */
  mean: Vec3;
  standardError: Vec3;
}

// GPUBufferUsage is a global only once the Node WebGPU context exists: read it at call time.
const storage = (): number => GPUBufferUsage.STORAGE;
const vec3 = (a: Float32Array, i: number): Vec3 => [a[i], a[i + 1], a[i + 2]];

export class BsdfGpu {
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly gpu: GpuContext) {}

  private async pipeline(name: string, kernel: string): Promise<GPUComputePipeline> {
    let p = this.pipelines.get(name);
    if (!p) {
      p = await this.gpu.computePipeline(`bsdf test: ${name}`, [...BSDF_MODULES, testCase, kernel].join('\n'));
      this.pipelines.set(name, p);
    }
    return p;
  }

  private casesBuffer(cases: readonly BsdfCase[]): GPUBuffer {
    const data = new ArrayBuffer(cases.length * CASE_BYTES);
    const view = new DataView(data);
    cases.forEach((c, i) => {
      packMaterial(view, i * CASE_BYTES, c.material);
      c.wo.forEach((v, k) => view.setFloat32(i * CASE_BYTES + MATERIAL_BYTES + 4 * k, v, true));
    });
    return this.gpu.createBufferWithData('bsdf test cases', new Uint8Array(data), storage());
  }

  /** Runs `kernel` over (x threads, y = case) with buffers [input, output, uniform?] and reads the output. */
  private async dispatch(name: string, kernel: string, buffers: GPUBuffer[], threadsX: number, groupsY: number): Promise<ArrayBuffer> {
    try {
      const pipeline = await this.pipeline(name, kernel);
      return await this.gpu.scoped(`bsdf test ${name}`, async () => {
        const device = this.gpu.device;
        const bindGroup = device.createBindGroup({
          label: `bsdf test ${name} bind group`,
          layout: pipeline.getBindGroupLayout(0),
          entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
        });
        const encoder = device.createCommandEncoder({ label: `bsdf test ${name}` });
        const pass = encoder.beginComputePass({ label: `bsdf test ${name}` });
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(Math.ceil(threadsX / 64), groupsY);
        pass.end();
        device.queue.submit([encoder.finish()]);
        return this.gpu.readBuffer(buffers[1]);
      });
    } finally {
      for (const b of buffers) b.destroy();
    }
  }

  private uniform(name: string, words: number[]): GPUBuffer {
    return this.gpu.createBufferWithData(`bsdf test ${name} params`, new Uint32Array(words), GPUBufferUsage.UNIFORM);
  }

  private output(name: string, bytes: number): GPUBuffer {
    return this.gpu.device.createBuffer({
      label: `bsdf test ${name} output`,
      size: Math.max(16, bytes),
      usage: storage() | GPUBufferUsage.COPY_SRC,
    });
  }

  /** Histograms of samplesPerThread * threads samples per case over the sphere grid. */
  async histogram(cases: readonly BsdfCase[], grid: SphereGrid, threads: number, samplesPerThread: number, seed: number): Promise<HistogramResult[]> {
    const cells = grid.nZ * grid.nPhi;
    const stride = cells + 4;
    const out = await this.dispatch('histogram', histogramKernel, [
      this.casesBuffer(cases),
      this.output('histogram', cases.length * stride * 4),
      this.uniform('histogram', [samplesPerThread, threads, grid.nZ, grid.nPhi, seed, 0, 0, 0]),
    ], threads, cases.length);
    const all = new Uint32Array(out);
    return cases.map((_, i) => {
      const c = all.subarray(i * stride, (i + 1) * stride);
      return { cells: c.slice(0, cells), invalid: c[cells], malformed: c[cells + 1], delta: c[cells + 2], transmission: c[cells + 3] };
    });
  }

  /**
   * Probability mass of bsdf_pdf in every grid cell, by Simpson quadrature refined per cell (nSub = 8, 32, 128, 512)
   * until the estimated error, in expected counts for `samples` samples, is below 5% of a Poisson standard
   * deviation, so that quadrature error cannot move the chi-square statistic.
   */
  async integratePdf(cases: readonly BsdfCase[], grid: SphereGrid, samples: number, levels = [8, 32, 128, 512]): Promise<PdfIntegral[]> {
    const cells = grid.nZ * grid.nPhi;
    const result: PdfIntegral[] = cases.map(() => ({ mass: new Float64Array(cells), error: new Float64Array(cells), refinedCells: 0 }));
    let list = Uint32Array.from({ length: cases.length * cells }, (_, i) => i);
    for (let level = 0; level < levels.length && list.length > 0; level++) {
      const nSub = levels[level];
      if (nSub % 2 !== 0 || nSub < 2) throw new Error(`bsdf-gpu: Simpson nSub must be even and >= 2, got ${nSub}`);
      const out = new Float32Array(await this.dispatch('pdf integral', integralKernel, [
        this.casesBuffer(cases),
        this.output('pdf integral', list.length * 8),
        this.uniform('pdf integral', [grid.nZ, grid.nPhi, nSub, 0]),
        this.gpu.createBufferWithData('bsdf test pdf integral cells', list, storage()),
      ], list.length, 1));
      const next: number[] = [];
      list.forEach((index, k) => {
        const r = result[Math.floor(index / cells)];
        const cell = index % cells;
        r.mass[cell] = out[2 * k];
        // |fine - coarse| overstates the fine rule's error (~15x for smooth integrands): a safe bound.
        r.error[cell] = Math.abs(out[2 * k] - out[2 * k + 1]);
        if (level > 0) r.refinedCells++;
        if (samples * r.error[cell] > 0.05 * Math.sqrt(Math.max(5, samples * r.mass[cell]))) next.push(index);
      });
      list = Uint32Array.from(next);
    }
    return result;
  }

  /** Every interface function on each record's inputs. */
  async records(records: readonly BsdfRecord[]): Promise<BsdfRecordResult[]> {
    const data = new ArrayBuffer(Math.max(1, records.length) * RECORD_BYTES);
    const view = new DataView(data);
    records.forEach((r, i) => {
      const o = i * RECORD_BYTES;
      packMaterial(view, o, r.material);
      [r.wo, r.wi, r.u].forEach((v, j) => v.forEach((x, k) => view.setFloat32(o + MATERIAL_BYTES + 16 * j + 4 * k, x, true)));
    });
    const input = this.gpu.createBufferWithData('bsdf test records', new Uint8Array(data), storage());
    const out = new Float32Array(await this.dispatch('records', recordsKernel, [
      input,
      this.output('records', records.length * RECORD_RESULT_FLOATS * 4),
    ], records.length, 1));
    const flags = new Uint32Array(out.buffer);
    return records.map((_, i) => {
      const o = i * RECORD_RESULT_FLOATS;
      return {
        eval: vec3(out, o), pdf: out[o + 3],
        reverseEval: vec3(out, o + 4), reversePdf: out[o + 7],
        sampleWi: vec3(out, o + 8), samplePdf: out[o + 11],
        sampleWeight: vec3(out, o + 12), sampleFlags: flags[o + 15],
        sampleEval: vec3(out, o + 16), sampleEvalPdf: out[o + 19],
        albedoAov: vec3(out, o + 20), isDelta: out[o + 23] !== 0,
      };
    });
  }

  /** Mean sample weight (importance mode: transmission times eta'^2) per case, with standard errors. */
  async moments(cases: readonly BsdfCase[], threads: number, samplesPerThread: number, seed: number): Promise<MomentsResult[]> {
    const out = new Float32Array(await this.dispatch('moments', momentsKernel, [
      this.casesBuffer(cases),
      this.output('moments', cases.length * threads * 32),
      this.uniform('moments', [samplesPerThread, threads, seed, 0]),
    ], threads, cases.length));
    const n = threads * samplesPerThread;
    return cases.map((_, c) => {
      const sum = [0, 0, 0, 0];
      const sq = [0, 0, 0, 0];
      for (let t = 0; t < threads; t++) {
        const o = (c * threads + t) * 8;
        for (let k = 0; k < 4; k++) {
          sum[k] += out[o + k];
          sq[k] += out[o + 4 + k];
        }
      }
      const mean = [0, 1, 2].map((k) => sum[k] / n);
      const se = [0, 1, 2].map((k) => Math.sqrt(Math.max(0, sq[k] / n - mean[k] * mean[k]) / (n - 1)));
      return { samples: n, valid: sum[3], transmission: sq[3], mean: [mean[0], mean[1], mean[2]], standardError: [se[0], se[1], se[2]] };
    });
  }

  destroy(): void {
    this.pipelines.clear();
  }
}
