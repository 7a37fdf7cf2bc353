// Chi-square tests of the WGSL bsdf_sample against the WGSL bsdf_pdf (as pbrt-v4's bsdfs_test and Mitsuba's
// chi2.py): samples are histogrammed over (cos theta, phi) on the whole sphere, expected counts come from
// integrating bsdf_pdf over each cell on the GPU, sparse cells are pooled, and every statistical test in this
// file shares alpha = 0.01 through the Sidak correction. Delta BSDFs: directions, weights and the Fresnel
// split of the smooth dielectric.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import {
  fresnelDielectric, fresnelSchlick, MAT_CONDUCTOR, MAT_DIELECTRIC, MAT_DIFFUSE, MAT_STANDARD, refractDir, type Vec3,
} from '../../src/render/bsdf-reference.ts';
import {
  BsdfGpu, direction, material, type BsdfCase, type BsdfRecord, type BsdfRecordResult, type HistogramResult,
  type MomentsResult, type PdfIntegral,
} from '../support/bsdf-gpu.ts';
import { binomialPValue, chi2Sf, pearsonChi2, sidakAlpha } from '../support/chi2.ts';
import { mulberry32, toF32, uniformHemisphere, uniformSphere } from '../support/random.ts';

const GRID = { nZ: 32, nPhi: 64 }; // 2048 equal-solid-angle cells
const THREADS = 4096;
const SAMPLES_PER_THREAD = 512;
const N = THREADS * SAMPLES_PER_THREAD; // 2,097,152 samples per configuration
const SEED = 0x5eed;
const THETAS = [0, 10, 45, 80, 88];
const FLAG = { valid: 1, delta: 2, transmission: 4 };

/** Incident direction at theta (degrees), mirrored below the surface for `inside` (dielectrics). */
function wo(theta: number, inside = false): Vec3 {
  const d = toF32(direction(theta, 30));
  return inside ? [d[0], d[1], -d[2]] : d;
}

const chi2Cases: BsdfCase[] = [];
for (const t of THETAS) {
  chi2Cases.push({ name: `diffuse, theta ${t}`, material: material(MAT_DIFFUSE, { baseColor: [0.7, 0.5, 0.3] }), wo: wo(t) });
  for (const roughness of [0.2, 0.5, 0.9]) {
    const m = material(MAT_CONDUCTOR, { roughness, baseColor: [0.95, 0.64, 0.54] });
    chi2Cases.push({ name: `conductor r=${roughness}, theta ${t}`, material: m, wo: wo(t) });
  }
  for (const ior of [1.5, 1.33]) {
    for (const roughness of [0.3, 0.6]) {
      for (const inside of [false, true]) {
        const m = material(MAT_DIELECTRIC, { roughness, ior, baseColor: [0.9, 1, 0.8] });
        chi2Cases.push({ name: `dielectric ior=${ior} r=${roughness} ${inside ? 'inside' : 'outside'}, theta ${t}`, material: m, wo: wo(t, inside) });
      }
    }
  }
  const standard: [number, number, number][] = [[0, 0.3, 1], [0, 0.7, 1], [0, 0.5, 0], [0.5, 0.3, 1], [0.5, 0.6, 0], [1, 0.4, 1], [0, 0.2, 1]];
  for (const [metalness, roughness, specular] of standard) {
    const m = material(MAT_STANDARD, { metalness, roughness, specular, baseColor: [0.8, 0.5, 0.2], ior: 1.6, specularColor: [1, 0.9, 0.8] });
    chi2Cases.push({ name: `standard m=${metalness} r=${roughness} spec=${specular}, theta ${t}`, material: m, wo: wo(t) });
  }
}

const fresnelCases: BsdfCase[] = [];
for (const ior of [1.5, 1.33]) {
  for (const inside of [false, true]) {
    for (const t of [...THETAS, 47]) {
      const m = material(MAT_DIELECTRIC, { roughness: 0, ior });
      fresnelCases.push({ name: `smooth dielectric ior=${ior} ${inside ? 'inside' : 'outside'}, theta ${t}`, material: m, wo: wo(t, inside) });
    }
  }
}

// Statistical tests in this file: chi-square + sampled mass per configuration, and one binomial per Fresnel case.
const ALPHA = sidakAlpha(0.01, 2 * chi2Cases.length + fresnelCases.length);

let gpu: GpuContext;
let bsdf: BsdfGpu;
let histograms: HistogramResult[];
let integrals: PdfIntegral[];
let fresnelMoments: MomentsResult[];

beforeAll(async () => {
  gpu = await createNodeGpuContext();
  bsdf = new BsdfGpu(gpu);
  histograms = await bsdf.histogram(chi2Cases, GRID, THREADS, SAMPLES_PER_THREAD, SEED);
  integrals = await bsdf.integratePdf(chi2Cases, GRID, N);
  fresnelMoments = await bsdf.moments(fresnelCases, THREADS, SAMPLES_PER_THREAD, SEED + 1);
});

afterAll(() => {
  bsdf?.destroy();
  gpu?.destroy();
});

describe('bsdf_sample is distributed as bsdf_pdf (chi-square, whole sphere)', () => {
  it.each(chi2Cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = chi2Cases[i];
    const h = histograms[i];
    const { mass, error } = integrals[i];
    expect(h.malformed, 'samples with non-finite/non-unit wi, bad pdf or weight').toBe(0);
    expect(h.delta, 'delta samples from a non-delta BSDF').toBe(0);
    if (c.material.kind !== MAT_DIELECTRIC) expect(h.transmission, 'transmission from an opaque BSDF').toBe(0);
    else expect(h.transmission, 'a rough dielectric transmits').toBeGreaterThan(N / 1000);

    // Invalid samples are one more category: the pdf's mass outside the sphere's cells.
    const totalMass = mass.reduce((a, x) => a + x, 0);
    const quadratureError = error.reduce((a, x) => a + x, 0);
    const observed = [...h.cells, h.invalid];
    const expected = [...Array.from(mass, (p) => p * N), Math.max(0, N * (1 - totalMass))];
    const r = pearsonChi2(observed, expected);
    const detail = `chi2 ${r.statistic.toFixed(1)}, dof ${r.dof}, p ${r.pValue.toExponential(2)} (alpha ${ALPHA.toExponential(2)})`;
    expect(r.impossibleSamples, 'samples where bsdf_pdf integrates to 0').toBe(0);
    expect(r.dof, 'enough populated cells for the test to have power').toBeGreaterThanOrEqual(100);
    expect(r.pValue, detail).toBeGreaterThan(ALPHA);

    // Sampled mass: fraction of valid samples vs the pdf's integral over the sphere. The quadrature error
    // (a conservative estimate) must stay below the binomial noise for this to mean something.
    expect(quadratureError).toBeLessThan(5e-4);
    const validFraction = (N - h.invalid) / N;
    const variance = (totalMass * (1 - totalMass)) / N + quadratureError * quadratureError;
    const massP = variance > 0 ? chi2Sf(((validFraction - totalMass) ** 2) / variance, 1) : 1;
    expect(massP, `valid fraction ${validFraction.toFixed(5)} vs integrated pdf ${totalMass.toFixed(5)}`).toBeGreaterThan(ALPHA);
  });
});

describe('delta BSDFs', () => {
  it.each(fresnelCases.map((c, i) => [c.name, i] as const))('%s: reflects with probability F', (_name, i) => {
    const c = fresnelCases[i];
    const m = fresnelMoments[i];
    const r = fresnelDielectric(c.wo[2], c.material.ior);
    expect(m.valid).toBe(N);
    const p = binomialPValue(m.transmission, N, 1 - r);
    expect(p, `transmitted ${m.transmission / N}, 1 - F = ${1 - r}`).toBeGreaterThan(ALPHA);
    if (r === 1) expect(m.transmission, 'total internal reflection').toBe(0);
  });

  it('mirror and refraction directions, weights, pdfs and flags', async () => {
    const rng = mulberry32(1234);
    const records: BsdfRecord[] = [];
    for (let k = 0; k < 3000; k++) {
      const u: Vec3 = [rng(), rng(), rng()];
      if (k % 3 === 0) {
        const roughness = [0, 0.01, 0.03][k % 9 / 3];
        records.push({ material: material(MAT_CONDUCTOR, { roughness, baseColor: [0.9, 0.5, 0.1] }), wo: uniformHemisphere(rng), wi: [0, 0, 1], u });
      } else {
        const ior = k % 2 ? 1.5 : 1.33;
        records.push({ material: material(MAT_DIELECTRIC, { roughness: 0, ior, baseColor: [0.9, 0.7, 0.5] }), wo: uniformSphere(rng), wi: [0, 0, 1], u });
      }
    }
    const results = await bsdf.records(records);
    let reflections = 0;
    let refractions = 0;
    results.forEach((res: BsdfRecordResult, k) => {
      const { material: m, wo: o, u } = records[k];
      const mirror: Vec3 = [-o[0], -o[1], o[2]];
      expect(res.isDelta).toBe(true);
      expect([...res.eval, res.pdf]).toEqual([0, 0, 0, 0]); // delta lobes are not in eval/pdf
      let wiExpected: Vec3;
      let weight: Vec3;
      let pdf: number;
      let flags = FLAG.valid | FLAG.delta;
      if (m.kind === MAT_CONDUCTOR) {
        [wiExpected, weight, pdf] = [mirror, fresnelSchlick(m.baseColor, 1, o[2]), 1];
      } else {
        const f = fresnelDielectric(o[2], m.ior);
        if (Math.abs(u[2] - f) < 1e-5) return; // float32 vs float64 could pick the other branch
        if (u[2] < f) {
          [wiExpected, weight, pdf] = [mirror, [1, 1, 1], f];
          reflections++;
        } else {
          const t = refractDir(o, [0, 0, 1], m.ior);
          expect(t).not.toBeNull();
          if (!t) return;
          const s = 1 / (t.etap * t.etap);
          [wiExpected, weight, pdf] = [t.wt, [m.baseColor[0] * s, m.baseColor[1] * s, m.baseColor[2] * s], 1 - f];
          flags |= FLAG.transmission;
          refractions++;
        }
      }
      expect(res.sampleFlags).toBe(flags);
      for (let j = 0; j < 3; j++) {
        expect(Math.abs(res.sampleWi[j] - wiExpected[j])).toBeLessThan(2e-6);
        expect(Math.abs(res.sampleWeight[j] - weight[j])).toBeLessThan(2e-6 * Math.max(1, weight[j]));
      }
      expect(Math.abs(res.samplePdf - pdf)).toBeLessThan(2e-6);
    });
    expect(reflections).toBeGreaterThan(100);
    expect(refractions).toBeGreaterThan(500);
  });
});
