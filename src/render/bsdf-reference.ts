// Plain TypeScript (float64) reference of shaders/pathtrace/bsdf.wgsl: bsdf_eval, bsdf_pdf, bsdf_is_delta
// and the helpers they use, with the same formulas. Tests check the WGSL against it.

export const MAT_DIFFUSE = 0;
export const MAT_CONDUCTOR = 1;
export const MAT_DIELECTRIC = 2;
export const MAT_STANDARD = 3;
export type MaterialKind = typeof MAT_DIFFUSE | typeof MAT_CONDUCTOR | typeof MAT_DIELECTRIC | typeof MAT_STANDARD;

export type Vec3 = readonly [number, number, number];

/** The BSDF-relevant fields of the WGSL `Material` struct (structs.wgsl). */
export interface BsdfMaterial {
  kind: MaterialKind;
  baseColor: Vec3;
  roughness: number;
  metalness: number;
  ior: number;
  specular: number;
  specularColor: Vec3;
}

export const BSDF_SMOOTH_ALPHA = 1e-3;
export const STANDARD_MIN_ROUGHNESS = 0.05;
export const STANDARD_SPEC_MARGIN = 0.005;
export const DIELECTRIC_MIN_ETA_OFFSET = 1e-3;

export class BsdfReferenceError extends Error {
  constructor(message: string) {
    super(`bsdf-reference: ${message}`);
    this.name = 'BsdfReferenceError';
  }
}

const ZERO: Vec3 = [0, 0, 0];
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const max3 = (a: Vec3): number => Math.max(a[0], a[1], a[2]);
const clamp = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
export function normalize(a: Vec3): Vec3 {
  return scale(a, 1 / Math.sqrt(dot(a, a)));
}

// ---- sampling.wgsl
export const pow5 = (x: number): number => x * x * x * x * x;

export function fresnelSchlick(f0: Vec3, f90: number, cosTheta: number): Vec3 {
  const m = pow5(clamp(1 - cosTheta, 0, 1));
  return [f0[0] + (f90 - f0[0]) * m, f0[1] + (f90 - f0[1]) * m, f0[2] + (f90 - f0[2]) * m];
}

export function fresnelDielectric(cosThetaI: number, etaIn: number): number {
  let cosI = clamp(cosThetaI, -1, 1);
  let eta = etaIn;
  if (cosI < 0) {
    eta = 1 / eta;
    cosI = -cosI;
  }
  const sin2T = Math.max(0, 1 - cosI * cosI) / (eta * eta);
  if (sin2T >= 1) return 1;
  const cosT = Math.sqrt(Math.max(0, 1 - sin2T));
  const rParl = (eta * cosI - cosT) / (eta * cosI + cosT);
  const rPerp = (cosI - eta * cosT) / (cosI + eta * cosT);
  return 0.5 * (rParl * rParl + rPerp * rPerp);
}

export function fresnelDielectricPair(cosI: number, cosT: number, eta: number): number {
  const rParl = (eta * cosI - cosT) / (eta * cosI + cosT);
  const rPerp = (cosI - eta * cosT) / (cosI + eta * cosT);
  return 0.5 * (rParl * rParl + rPerp * rPerp);
}

export function reflectAbout(w: Vec3, n: Vec3): Vec3 {
  return add(scale(n, 2 * dot(w, n)), scale(w, -1));
}

/** pbrt-v4 Refract; null on total internal reflection. */
export function refractDir(w: Vec3, nIn: Vec3, etaIn: number): { wt: Vec3; etap: number } | null {
  let n = nIn;
  let eta = etaIn;
  let cosI = dot(n, w);
  if (cosI < 0) {
    eta = 1 / eta;
    cosI = -cosI;
    n = scale(n, -1);
  }
  const sin2T = Math.max(0, 1 - cosI * cosI) / (eta * eta);
  if (sin2T >= 1) return null;
  const cosT = Math.sqrt(Math.max(0, 1 - sin2T));
  return { wt: add(scale(w, -1 / eta), scale(n, cosI / eta - cosT)), etap: eta };
}

// ---- microfacet.wgsl
export function ggxD(wm: Vec3, alpha: number): number {
  const a2 = alpha * alpha;
  const t = wm[0] * wm[0] + wm[1] * wm[1] + a2 * wm[2] * wm[2];
  return t > 0 ? a2 / (Math.PI * t * t) : 0;
}
export const ggxS = (z: number, alpha: number): number => Math.sqrt(z * z + alpha * alpha * Math.max(0, 1 - z * z));
export function ggxG1(z: number, alpha: number): number {
  const den = Math.abs(z) + ggxS(z, alpha);
  return den > 0 ? (2 * Math.abs(z)) / den : 0;
}
export function ggxG2(zo: number, zi: number, alpha: number): number {
  const den = Math.abs(zi) * ggxS(zo, alpha) + Math.abs(zo) * ggxS(zi, alpha);
  return den > 0 ? (2 * Math.abs(zo) * Math.abs(zi)) / den : 0;
}
/** D G2 / (4 |zo|). */
export function ggxReflection(wm: Vec3, zo: number, zi: number, alpha: number): number {
  const den = Math.abs(zi) * ggxS(zo, alpha) + Math.abs(zo) * ggxS(zi, alpha);
  return den > 0 ? (ggxD(wm, alpha) * Math.abs(zi)) / (2 * den) : 0;
}
export function ggxVndfPdf(wo: Vec3, wm: Vec3, alpha: number): number {
  const den = Math.abs(wo[2]) + ggxS(wo[2], alpha);
  return den > 0 ? (2 * ggxD(wm, alpha) * Math.abs(dot(wo, wm))) / den : 0;
}
export function ggxReflectionPdf(wm: Vec3, zo: number, alpha: number): number {
  const den = Math.abs(zo) + ggxS(zo, alpha);
  return den > 0 ? ggxD(wm, alpha) / (2 * den) : 0;
}

// ---- bsdf.wgsl
export function bsdfAlpha(m: BsdfMaterial): number {
  let r = clamp(m.roughness, 0, 1);
  if (m.kind === MAT_STANDARD) r = Math.max(r, STANDARD_MIN_ROUGHNESS);
  return r * r;
}

export function dielectricIsSmooth(m: BsdfMaterial): boolean {
  return bsdfAlpha(m) < BSDF_SMOOTH_ALPHA || Math.abs(m.ior - 1) < DIELECTRIC_MIN_ETA_OFFSET;
}

export function bsdfIsDelta(m: BsdfMaterial): boolean {
  return (m.kind === MAT_CONDUCTOR && bsdfAlpha(m) < BSDF_SMOOTH_ALPHA) || (m.kind === MAT_DIELECTRIC && dielectricIsSmooth(m));
}

function conductorEvalPdf(m: BsdfMaterial, wo: Vec3, wi: Vec3): { f: Vec3; pdf: number } {
  const alpha = bsdfAlpha(m);
  if (wo[2] <= 0 || wi[2] <= 0 || alpha < BSDF_SMOOTH_ALPHA) return { f: ZERO, pdf: 0 };
  const wm = normalize(add(wo, wi));
  const f = scale(fresnelSchlick(m.baseColor, 1, dot(wo, wm)), ggxReflection(wm, wo[2], wi[2], alpha));
  return { f, pdf: ggxReflectionPdf(wm, wo[2], alpha) };
}

function dielectricEvalPdf(m: BsdfMaterial, wo: Vec3, wi: Vec3): { f: Vec3; pdf: number } {
  const alpha = bsdfAlpha(m);
  const eta = m.ior;
  const cosO = wo[2];
  const cosI = wi[2];
  const none = { f: ZERO, pdf: 0 };
  if (cosO === 0 || cosI === 0 || dielectricIsSmooth(m)) return none;
  const isReflection = cosI * cosO > 0;
  const etap = isReflection ? 1 : cosO > 0 ? eta : 1 / eta;
  let wm = add(scale(wi, etap), wo);
  const len2 = dot(wm, wm);
  if (!(len2 > 1e-20)) return none;
  wm = scale(wm, 1 / Math.sqrt(len2));
  if (wm[2] < 0) wm = scale(wm, -1);
  const dotI = dot(wm, wi);
  const dotO = dot(wm, wo);
  if (dotI * cosI <= 0 || dotO * cosO <= 0) return none;
  if (isReflection) {
    const r = fresnelDielectric(dotO, eta);
    return { f: scale([1, 1, 1], r * ggxReflection(wm, cosO, cosI, alpha)), pdf: r * ggxReflectionPdf(wm, cosO, alpha) };
  }
  const t = 1 - fresnelDielectricPair(Math.abs(dotO), Math.abs(dotI), etap);
  const s = dotI + dotO / etap;
  const denom = s * s;
  const ft = (t * ggxD(wm, alpha) * Math.abs(dotI * dotO) * ggxG2(cosO, cosI, alpha)) / (Math.abs(cosO) * denom) / (etap * etap);
  const pdf = (t * ggxVndfPdf(wo, wm, alpha) * Math.abs(dotI)) / denom;
  return { f: scale(m.baseColor, ft), pdf };
}

export interface StandardParams {
  alpha: number;
  metal: number;
  f0: Vec3;
  f90: number;
  f0Max: number;
  sAvg: number;
}

export function standardParams(m: BsdfMaterial): StandardParams {
  const spec = clamp(m.specular, 0, 1);
  const iorF0 = (m.ior - 1) / (m.ior + 1);
  const channel = (c: number): number => Math.min(iorF0 * iorF0 * Math.max(c, 0), 1) * spec;
  const f0: Vec3 = [channel(m.specularColor[0]), channel(m.specularColor[1]), channel(m.specularColor[2])];
  const f0Max = max3(f0);
  const sAvg = 1 - f0Max - (spec - f0Max) * (STANDARD_SPEC_MARGIN + (1 - STANDARD_SPEC_MARGIN) / 21);
  return { alpha: bsdfAlpha(m), metal: clamp(m.metalness, 0, 1), f0, f90: spec, f0Max, sAvg: Math.max(sAvg, 0) };
}

export function standardS(p: StandardParams, c: number): number {
  const h = STANDARD_SPEC_MARGIN + (1 - STANDARD_SPEC_MARGIN) * pow5(clamp(1 - c, 0, 1));
  const fm = p.f0Max + (p.f90 - p.f0Max) * h;
  return Math.max(1 - fm, 0);
}

export function standardGgxProbability(m: BsdfMaterial, p: StandardParams, zo: number): number {
  const wGgx = p.metal * max3(fresnelSchlick(m.baseColor, 1, zo)) + (1 - p.metal) * max3(fresnelSchlick(p.f0, p.f90, zo));
  const base: Vec3 = [clamp(m.baseColor[0], 0, 1), clamp(m.baseColor[1], 0, 1), clamp(m.baseColor[2], 0, 1)];
  const wDiffuse = p.sAvg > 0 ? (1 - p.metal) * max3(base) * standardS(p, zo) : 0;
  const total = wGgx + wDiffuse;
  return total > 0 ? wGgx / total : 1;
}

function standardEvalPdf(m: BsdfMaterial, wo: Vec3, wi: Vec3): { f: Vec3; pdf: number } {
  if (wo[2] <= 0 || wi[2] <= 0) return { f: ZERO, pdf: 0 };
  const p = standardParams(m);
  const wm = normalize(add(wo, wi));
  const c = dot(wo, wm);
  const g = ggxReflection(wm, wo[2], wi[2], p.alpha);
  const metal = scale(fresnelSchlick(m.baseColor, 1, c), g);
  const spec = scale(fresnelSchlick(p.f0, p.f90, c), g);
  const diffuse = p.sAvg > 0 ? scale(m.baseColor, ((standardS(p, wo[2]) * standardS(p, wi[2])) / p.sAvg) * (wi[2] / Math.PI)) : ZERO;
  const f = add(scale(metal, p.metal), scale(add(spec, diffuse), 1 - p.metal));
  const pg = standardGgxProbability(m, p, wo[2]);
  const pdf = pg * ggxReflectionPdf(wm, wo[2], p.alpha) + (1 - pg) * (wi[2] / Math.PI);
  return { f, pdf };
}

function evalPdf(m: BsdfMaterial, wo: Vec3, wi: Vec3): { f: Vec3; pdf: number } {
  switch (m.kind) {
    case MAT_DIFFUSE:
      if (wo[2] <= 0 || wi[2] <= 0) return { f: ZERO, pdf: 0 };
      return { f: scale(m.baseColor, wi[2] / Math.PI), pdf: wi[2] / Math.PI };
    case MAT_CONDUCTOR:
      return conductorEvalPdf(m, wo, wi);
    case MAT_DIELECTRIC:
      return dielectricEvalPdf(m, wo, wi);
    case MAT_STANDARD:
      return standardEvalPdf(m, wo, wi);
    default:
      throw new BsdfReferenceError(`unknown material kind ${String(m.kind)}`);
  }
}

/** f(wo, wi) |cos wi| of the non-delta parts (bsdf_eval). */
export function bsdfEval(m: BsdfMaterial, wo: Vec3, wi: Vec3): Vec3 {
  return evalPdf(m, wo, wi).f;
}

/** Solid-angle pdf of bsdf_sample's non-delta part (bsdf_pdf). */
export function bsdfPdf(m: BsdfMaterial, wo: Vec3, wi: Vec3): number {
  return evalPdf(m, wo, wi).pdf;
}
