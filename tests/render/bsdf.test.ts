// The WGSL BSDFs against the float64 CPU reference (src/render/bsdf-reference.ts), plus the properties every
// BSDF must have: sample weight = eval / pdf, reciprocity, energy conservation, finite values at grazing angles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import {
  bsdfEval, bsdfPdf, MAT_CONDUCTOR, MAT_DIELECTRIC, MAT_DIFFUSE, MAT_STANDARD, type BsdfMaterial, type MaterialKind, type Vec3,
} from '../../src/render/bsdf-reference.ts';
import { BsdfGpu, direction, material, type BsdfCase, type BsdfRecord, type BsdfRecordResult, type MomentsResult } from '../support/bsdf-gpu.ts';
import { sensitivity, withinF32 } from '../support/float-tolerance.ts';
import { mulberry32, toF32, uniformHemisphere, uniformSphere } from '../support/random.ts';

const KINDS: [string, MaterialKind][] = [['diffuse', MAT_DIFFUSE], ['conductor', MAT_CONDUCTOR], ['dielectric', MAT_DIELECTRIC], ['standard', MAT_STANDARD]];
const VALID = 1;
const DELTA = 2;
const TRANSMISSION = 4;
// Relative float32 tolerance on top of the input-conditioning term (measured worst case ~1e-5 where well conditioned).
const REL = 1e-4;

const rng = mulberry32(2024);
const color = (): Vec3 => toF32([0.05 + 0.95 * rng(), 0.05 + 0.95 * rng(), 0.05 + 0.95 * rng()]);
const materials: BsdfMaterial[] = [material(MAT_DIFFUSE, { baseColor: color() })];
for (const roughness of [0.05, 0.2, 0.5, 1]) materials.push(material(MAT_CONDUCTOR, { roughness, baseColor: color() }));
for (const roughness of [0.05, 0.3, 0.7, 1]) {
  for (const ior of [1.33, 1.5, 2.4]) materials.push(material(MAT_DIELECTRIC, { roughness, ior, baseColor: color() }));
}
for (const roughness of [0, 0.3, 0.8]) {
  for (const metalness of [0, 0.3, 1]) {
    for (const specular of [0, 0.5, 1]) {
      const ior = Math.fround(1 + 1.5 * rng());
      materials.push(material(MAT_STANDARD, { roughness, metalness, specular, ior, baseColor: color(), specularColor: color() }));
    }
  }
}

// Random inputs: wo on the side the integrator guarantees (any side for dielectrics), wi anywhere.
const records: BsdfRecord[] = [];
for (let k = 0; k < 24_000; k++) {
  const m = materials[k % materials.length];
  const wo = m.kind === MAT_DIELECTRIC ? uniformSphere(rng) : uniformHemisphere(rng);
  records.push({ material: m, wo, wi: uniformSphere(rng), u: [rng(), rng(), rng()] });
}

// Directional albedo: white materials, several roughnesses and angles (transmission counted in energy units).
const energyCases: BsdfCase[] = [];
for (const theta of [0, 30, 60, 80, 89]) {
  const wo = toF32(direction(theta, 40));
  const below: Vec3 = [wo[0], wo[1], -wo[2]];
  energyCases.push({ name: `diffuse theta ${theta}`, material: material(MAT_DIFFUSE), wo });
  energyCases.push({ name: `smooth dielectric theta ${theta}`, material: material(MAT_DIELECTRIC, { roughness: 0 }), wo });
  energyCases.push({ name: `smooth dielectric inside theta ${theta}`, material: material(MAT_DIELECTRIC, { roughness: 0 }), wo: below });
  energyCases.push({ name: `standard spec=0 theta ${theta}`, material: material(MAT_STANDARD, { specular: 0, roughness: 0.4 }), wo });
  for (const roughness of [0.05, 0.2, 0.5, 1]) {
    energyCases.push({ name: `conductor r=${roughness} theta ${theta}`, material: material(MAT_CONDUCTOR, { roughness }), wo });
    for (const ior of [1.33, 2.4]) {
      energyCases.push({ name: `dielectric ior=${ior} r=${roughness} theta ${theta}`, material: material(MAT_DIELECTRIC, { roughness, ior }), wo });
      energyCases.push({ name: `dielectric ior=${ior} r=${roughness} inside theta ${theta}`, material: material(MAT_DIELECTRIC, { roughness, ior }), wo: below });
    }
    for (const metalness of [0, 0.5, 1]) {
      // ior 1 makes F0 = 0 with F90 = 1: the case that most tests the diffuse/specular energy split.
      for (const ior of [1, 1.5, 3]) {
        const m = material(MAT_STANDARD, { roughness, metalness, ior });
        energyCases.push({ name: `standard m=${metalness} r=${roughness} ior=${ior} theta ${theta}`, material: m, wo });
      }
    }
  }
}
const EXACTLY_ONE = /^(diffuse|smooth dielectric|standard spec=0)/;

let gpu: GpuContext;
let bsdf: BsdfGpu;
let results: BsdfRecordResult[];
let albedo: MomentsResult[];

beforeAll(async () => {
  gpu = await createNodeGpuContext();
  bsdf = new BsdfGpu(gpu);
  results = await bsdf.records(records);
  albedo = await bsdf.moments(energyCases, 512, 128, 99);
});

afterAll(() => {
  bsdf?.destroy();
  gpu?.destroy();
});

const ofKind = (kind: MaterialKind): number[] => records.flatMap((r, i) => (r.material.kind === kind ? [i] : []));
const channel = (f: (m: BsdfMaterial, wo: Vec3, wi: Vec3) => Vec3, j: number, m: BsdfMaterial) => (wo: Vec3, wi: Vec3) => f(m, wo, wi)[j];

/** Checks GPU eval (3 channels) and pdf at (wo, wi) against the reference; returns failure descriptions. */
function compareToReference(m: BsdfMaterial, wo: Vec3, wi: Vec3, gEval: Vec3, gPdf: number): string[] {
  const failures: string[] = [];
  const cEval = bsdfEval(m, wo, wi);
  for (let j = 0; j < 3; j++) {
    const sens = cEval[j] === 0 && gEval[j] === 0 ? 0 : sensitivity(channel(bsdfEval, j, m), wo, wi, rng);
    if (!withinF32(gEval[j], cEval[j], REL, sens)) failures.push(`eval[${j}] gpu ${gEval[j]} cpu ${cEval[j]} sens ${sens} r ${m.roughness} ior ${m.ior} wo ${wo} wi ${wi}`);
  }
  const cPdf = bsdfPdf(m, wo, wi);
  const sens = cPdf === 0 && gPdf === 0 ? 0 : sensitivity((o, i) => bsdfPdf(m, o, i), wo, wi, rng);
  if (!withinF32(gPdf, cPdf, REL, sens)) failures.push(`pdf gpu ${gPdf} cpu ${cPdf} wo ${wo} wi ${wi}`);
  return failures;
}

describe('WGSL bsdf_eval and bsdf_pdf match the CPU reference', () => {
  it.each(KINDS)('%s, at random directions and at sampled directions', (_name, kind) => {
    const failures: string[] = [];
    let nonzero = 0;
    let sampled = 0;
    for (const i of ofKind(kind)) {
      const { material: m, wo, wi } = records[i];
      const r = results[i];
      failures.push(...compareToReference(m, wo, wi, r.eval, r.pdf));
      if (r.pdf > 0) nonzero++;
      if ((r.sampleFlags & VALID) && !(r.sampleFlags & DELTA)) {
        failures.push(...compareToReference(m, wo, r.sampleWi, r.sampleEval, r.sampleEvalPdf));
        sampled++;
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(nonzero, 'enough inputs inside the support to be a test').toBeGreaterThan(ofKind(kind).length / 5);
    expect(sampled).toBeGreaterThan(ofKind(kind).length / 2);
  });
});

describe('bsdf_sample', () => {
  it.each(KINDS)('%s: weight = eval / pdf and pdf = bsdf_pdf(wi) for non-delta samples', (_name, kind) => {
    const failures: string[] = [];
    for (const i of ofKind(kind)) {
      const { material: m, wo } = records[i];
      const r = results[i];
      if (!(r.sampleFlags & VALID) || (r.sampleFlags & DELTA)) continue;
      const transmitted = r.sampleWi[2] * wo[2] < 0;
      if (transmitted !== Boolean(r.sampleFlags & TRANSMISSION)) failures.push(`transmission flag wrong: wo ${wo} wi ${r.sampleWi}`);
      const sens = sensitivity((o, w) => bsdfPdf(m, o, w), wo, r.sampleWi, rng);
      if (!withinF32(r.samplePdf, r.sampleEvalPdf, REL, sens)) failures.push(`pdf ${r.samplePdf} vs bsdf_pdf ${r.sampleEvalPdf}`);
      for (let j = 0; j < 3; j++) {
        const ratio = r.sampleEval[j] / r.sampleEvalPdf;
        if (!withinF32(r.sampleWeight[j], ratio, REL, 0, 1e-7)) failures.push(`weight[${j}] ${r.sampleWeight[j]} vs eval/pdf ${ratio}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('opaque kinds give zero eval, pdf and no sample when wo is below the surface', async () => {
    const recs = materials.filter((m) => m.kind !== MAT_DIELECTRIC).map((m) => ({
      material: m, wo: toF32([0.3, 0.4, -Math.sqrt(0.75)]), wi: toF32([0, 0.6, 0.8]), u: [0.3, 0.6, 0.2] as Vec3,
    }));
    for (const r of await bsdf.records(recs)) {
      expect([...r.eval, r.pdf, r.sampleFlags]).toEqual([0, 0, 0, 0, 0]);
    }
  });

  it('is finite at grazing and degenerate angles', async () => {
    const zs = [1, 0.5, 1e-3, 1e-7, 0, -0, -1e-7, -0.5, -1];
    const dirs = zs.flatMap((z) => [toF32([Math.sqrt(1 - z * z), 0, z]), toF32([0, -Math.sqrt(1 - z * z), z])]);
    const recs: BsdfRecord[] = [];
    const extra = [material(MAT_DIELECTRIC, { ior: 1 }), material(MAT_STANDARD, { roughness: 0, metalness: 0, ior: 1, specularColor: [0, 0, 0] })];
    for (const m of [...materials, ...extra]) {
      for (const wo of dirs) for (const wi of dirs) recs.push({ material: m, wo, wi, u: [rng(), rng(), 0.999999] });
    }
    const out = await bsdf.records(recs);
    const bad = out.filter((r) => ![...r.eval, r.pdf, ...r.reverseEval, r.reversePdf, ...r.sampleWi, r.samplePdf, ...r.sampleWeight, ...r.sampleEval, r.sampleEvalPdf]
      .every((x) => Number.isFinite(x) && (x === r.sampleWi[0] || x === r.sampleWi[1] || x === r.sampleWi[2] || x >= 0)));
    expect(bad.slice(0, 3).map((r) => JSON.stringify({ r, rec: recs[out.indexOf(r)] }))).toEqual([]);
  });

  it('bsdf_is_delta and bsdf_albedo_aov', async () => {
    const base: Vec3 = [0.25, 0.5, 0.75];
    const cases: [BsdfMaterial, boolean][] = [
      [material(MAT_DIFFUSE, { roughness: 0, baseColor: base }), false],
      [material(MAT_CONDUCTOR, { roughness: 0, baseColor: base }), true],
      [material(MAT_CONDUCTOR, { roughness: 0.02, baseColor: base }), true],
      [material(MAT_CONDUCTOR, { roughness: 0.05, baseColor: base }), false],
      [material(MAT_DIELECTRIC, { roughness: 0, baseColor: base }), true],
      [material(MAT_DIELECTRIC, { roughness: 0.1, baseColor: base }), false],
      [material(MAT_STANDARD, { roughness: 0, metalness: 1, baseColor: base }), false],
    ];
    const out = await bsdf.records(cases.map(([m]) => ({ material: m, wo: [0, 0, 1], wi: [0, 0, 1], u: [0.5, 0.5, 0.5] })));
    out.forEach((r, k) => {
      expect(r.isDelta).toBe(cases[k][1]);
      expect(r.albedoAov).toEqual(base);
    });
  });

  it('STANDARD with specular 0 and metalness 0 is exactly Lambert', () => {
    for (const i of ofKind(MAT_STANDARD)) {
      const { material: m, wi } = records[i];
      if (m.specular !== 0 || m.metalness !== 0) continue;
      const r = results[i];
      const cos = Math.max(0, wi[2]);
      expect(r.pdf).toBeCloseTo(cos / Math.PI, 6);
      for (let j = 0; j < 3; j++) expect(r.eval[j]).toBeCloseTo((m.baseColor[j] * cos) / Math.PI, 6);
    }
  });
});

describe('reciprocity', () => {
  // Radiance mode: f(wo, wi) eta'^2 = f(wi, wo) for transmission (eta' = relative eta on wo's side); reflection is symmetric.
  const reciprocal = (m: BsdfMaterial, wo: Vec3, wi: Vec3, f: Vec3, fr: Vec3): [number, number][] => {
    const etap = wo[2] * wi[2] < 0 ? (wo[2] > 0 ? m.ior : 1 / m.ior) : 1;
    return [0, 1, 2].map((j) => [(f[j] / Math.abs(wi[2])) * etap * etap, fr[j] / Math.abs(wo[2])]);
  };

  it('holds in the CPU reference to float64 precision', () => {
    const unit = (v: Vec3): Vec3 => [v[0] / Math.hypot(...v), v[1] / Math.hypot(...v), v[2] / Math.hypot(...v)];
    for (const r of records) {
      // Exactly unit in float64: near the critical angle Fresnel amplifies a 1e-8 length error to 1e-3.
      const [m, wo, wi] = [r.material, unit(r.wo), unit(r.wi)];
      if (m.kind !== MAT_DIELECTRIC && (wo[2] <= 0 || wi[2] <= 0)) continue;
      for (const [a, b] of reciprocal(m, wo, wi, bsdfEval(m, wo, wi), bsdfEval(m, wi, wo))) {
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(a, b) + 1e-300);
      }
    }
  });

  it.each(KINDS)('holds in WGSL for %s', (_name, kind) => {
    const failures: string[] = [];
    let tested = 0;
    for (const i of ofKind(kind)) {
      const { material: m, wo, wi } = records[i];
      if (kind !== MAT_DIELECTRIC && (wo[2] <= 0 || wi[2] <= 0)) continue;
      const r = results[i];
      reciprocal(m, wo, wi, r.eval, r.reverseEval).forEach(([a, b], j) => {
        // Either direction may be the ill-conditioned one (e.g. refraction from inside near the critical angle).
        const sens = Math.max(
          sensitivity((o, w) => bsdfEval(m, o, w)[j] / Math.abs(w[2]), wo, wi, rng),
          sensitivity((o, w) => bsdfEval(m, w, o)[j] / Math.abs(o[2]), wo, wi, rng),
        );
        if (!withinF32(a, b, 2 * REL, 2 * sens)) failures.push(`f(wo,wi) ${a} vs f(wi,wo) ${b}, sens ${sens} r ${m.roughness} ior ${m.ior} wo ${wo} wi ${wi}`);
        if (a > 0) tested++;
      });
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(tested).toBeGreaterThan(100);
  });
});

describe('energy: directional albedo (mean sample weight, white materials)', () => {
  it.each(energyCases.map((c, i) => [c.name, i] as const))('%s', (name, i) => {
    const a = albedo[i];
    for (let j = 0; j < 3; j++) {
      if (EXACTLY_ONE.test(name) && !(energyCases[i].wo[2] <= 0 && energyCases[i].material.kind !== MAT_DIELECTRIC)) {
        expect(Math.abs(a.mean[j] - 1), `albedo ${a.mean[j]}`).toBeLessThan(1e-6);
      } else {
        expect(a.mean[j], `albedo ${a.mean[j]} +- ${a.standardError[j]}`).toBeLessThanOrEqual(1 + 3 * a.standardError[j] + 1e-6);
      }
    }
  });
});
