// Procedural skies for the procedural scenes: a constant colour, or an equirectangular map with a zenith-to-horizon
// gradient, a glow around the sun, a dim ground below the horizon and a small bright sun disc.
// Skies are made at unit brightness (sky without the sun averages luminance 1 over the upper hemisphere) and scaled
// by the exposure step. Map layout and direction convention follow src/scene/environment.ts and lights.wgsl:
// row 0 is the +y pole, column x covers atan2(z, x) in [-pi + 2 pi x / w, -pi + 2 pi (x + 1) / w).
import type { EnvironmentInput } from '../src/scene/environment.ts';
import { luminance } from '../src/scene/lights.ts';
import type { Rng } from './procedural-random.ts';
import type { Vec3 } from './util.ts';

export const SKY_MAP_WIDTH = 256;
export const SKY_MAP_HEIGHT = 128;

export type Sky =
  | { kind: 'constant'; color: Vec3 }
  | { kind: 'map'; width: number; height: number; data: Float32Array; sunDirection: Vec3 | null };

export interface SkyOptions {
  /** Horizontal direction the sun should preferably stand in (e.g. out of a window); random when absent. */
  sunToward?: Vec3;
  /** Elevation range of the sun in degrees. */
  sunElevationDeg?: [number, number];
}

const vec3 = (f: (j: number) => number): Vec3 => [f(0), f(1), f(2)];

const normalizeLum = (c: Vec3): Vec3 => {
  const l = luminance(c[0], c[1], c[2]);
  return [c[0] / l, c[1] / l, c[2] / l];
};

/** Unit direction of texel (x, y) of a w x h map (its centre). */
export function texelDirection(x: number, y: number, w: number, h: number): Vec3 {
  const theta = (Math.PI * (y + 0.5)) / h;
  const phi = (2 * Math.PI * (x + 0.5)) / w - Math.PI;
  const s = Math.sin(theta);
  return [s * Math.cos(phi), Math.cos(theta), s * Math.sin(phi)];
}

/** Solid angle of a texel in row y. */
function texelSolidAngle(y: number, w: number, h: number): number {
  return ((2 * Math.PI) / w) * (Math.PI / h) * Math.sin((Math.PI * (y + 0.5)) / h);
}

export function makeSky(rng: Rng, options: SkyOptions = {}): Sky {
  if (rng.chance(0.3)) {
    // Uniform sky: pale blue, grey or warm, luminance 1.
    const color = normalizeLum(rng.hsv(rng.pick([0.58, 0.6, 0.08, 0.12]), rng.uniform(0, 0.35), 1));
    return { kind: 'constant', color };
  }
  const overcast = rng.chance(0.2);
  const [eLo, eHi] = options.sunElevationDeg ?? [10, 70];
  const elevation = (rng.uniform(eLo, eHi) * Math.PI) / 180;
  let azimuth = rng.uniform(-Math.PI, Math.PI);
  if (options.sunToward && rng.chance(0.75)) {
    azimuth = Math.atan2(options.sunToward[2], options.sunToward[0]) + rng.uniform(-0.9, 0.9);
  }
  const sun: Vec3 = [Math.cos(elevation) * Math.cos(azimuth), Math.sin(elevation), Math.cos(elevation) * Math.sin(azimuth)];
  const low = elevation < (25 * Math.PI) / 180;
  const zenith = overcast ? ([1, 1, 1] as Vec3) : rng.hsv(rng.uniform(0.55, 0.64), rng.uniform(0.35, 0.8), 1);
  const horizon = overcast ? ([0.9, 0.9, 0.92] as Vec3)
    : low && rng.chance(0.5) ? rng.hsv(rng.uniform(0.03, 0.1), rng.uniform(0.3, 0.6), 1.3)
    : rng.hsv(rng.uniform(0.55, 0.62), rng.uniform(0.05, 0.3), 1.4);
  const ground = rng.hsv(rng.uniform(0.05, 0.3), rng.uniform(0.1, 0.5), rng.uniform(0.1, 0.3));
  const glow = overcast ? 0 : rng.uniform(0, 2);
  const gradient = rng.uniform(0.3, 0.8);
  // Sun colour: orange near the horizon, near white high up.
  const t = Math.min(1, Math.sin(elevation) / Math.sin((45 * Math.PI) / 180));
  const sunColor = normalizeLum([1, 0.6 + 0.35 * t, 0.35 + 0.5 * t]);

  const w = SKY_MAP_WIDTH, h = SKY_MAP_HEIGHT;
  const data = new Float32Array(w * h * 3);
  let upper = 0, upperSolid = 0;
  for (let y = 0; y < h; y++) {
    const dOmega = texelSolidAngle(y, w, h);
    for (let x = 0; x < w; x++) {
      const d = texelDirection(x, y, w, h);
      const i = (y * w + x) * 3;
      let c: Vec3;
      if (d[1] >= 0) {
        const k = Math.pow(d[1], gradient);
        const cosSun = d[0] * sun[0] + d[1] * sun[1] + d[2] * sun[2];
        const g = glow * Math.exp((cosSun - 1) / 0.05);
        // CIE-overcast-like falloff keeps overcast skies brighter at the zenith.
        const o = overcast ? (1 + 2 * d[1]) / 3 : 1;
        c = vec3((j) => o * (horizon[j] + (zenith[j] - horizon[j]) * k) + g * sunColor[j]);
        upper += luminance(c[0], c[1], c[2]) * dOmega;
        upperSolid += dOmega;
      } else {
        c = [ground[0] * horizon[0], ground[1] * horizon[1], ground[2] * horizon[2]];
      }
      data.set(c, i);
    }
  }
  const norm = upperSolid / upper;
  for (let i = 0; i < data.length; i++) data[i] *= norm;
  if (overcast) return { kind: 'map', width: w, height: h, data, sunDirection: null };

  // Sun disc: texels whose centre lies within the angular radius; radiance set so that the disc delivers the
  // chosen irradiance at normal incidence (k pi, against ~pi from the unit sky) whatever the texel coverage.
  const radius = (rng.uniform(1.5, 4) * Math.PI) / 180;
  const irradiance = rng.uniform(1, 8) * Math.PI;
  const disc: number[] = [];
  let discSolid = 0;
  let best = -1, bestCos = -2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = texelDirection(x, y, w, h);
      const c = d[0] * sun[0] + d[1] * sun[1] + d[2] * sun[2];
      if (c > bestCos) { bestCos = c; best = y * w + x; }
      if (c >= Math.cos(radius)) { disc.push(y * w + x); discSolid += texelSolidAngle(y, w, h); }
    }
  }
  if (disc.length === 0) { disc.push(best); discSolid = texelSolidAngle(Math.floor(best / w), w, h); }
  const radiance = irradiance / discSolid;
  for (const t of disc) for (let j = 0; j < 3; j++) data[t * 3 + j] = radiance * sunColor[j];
  return { kind: 'map', width: w, height: h, data, sunDirection: sun };
}

/** Luminance irradiance on a plane with unit normal n from the whole sky (sun included). */
export function skyIrradiance(sky: Sky, n: Vec3): number {
  if (sky.kind === 'constant') return Math.PI * luminance(...sky.color);
  const { width: w, height: h, data } = sky;
  let e = 0;
  for (let y = 0; y < h; y++) {
    const dOmega = texelSolidAngle(y, w, h);
    for (let x = 0; x < w; x++) {
      const d = texelDirection(x, y, w, h);
      const c = d[0] * n[0] + d[1] * n[1] + d[2] * n[2];
      if (c <= 0) continue;
      const i = (y * w + x) * 3;
      e += luminance(data[i], data[i + 1], data[i + 2]) * c * dOmega;
    }
  }
  return e;
}

/** Solid-angle mean colour over the whole sphere (a constant stand-in for the map). */
export function skyMeanColor(sky: Sky, scale: number): [number, number, number] {
  if (sky.kind === 'constant') return [sky.color[0] * scale, sky.color[1] * scale, sky.color[2] * scale];
  const { width: w, height: h, data } = sky;
  const sum = [0, 0, 0];
  for (let y = 0; y < h; y++) {
    const dOmega = texelSolidAngle(y, w, h);
    for (let x = 0; x < w; x++) for (let j = 0; j < 3; j++) sum[j] += data[(y * w + x) * 3 + j] * dOmega;
  }
  return [(sum[0] * scale) / (4 * Math.PI), (sum[1] * scale) / (4 * Math.PI), (sum[2] * scale) / (4 * Math.PI)];
}

export function skyEnvironment(sky: Sky, scale: number, name: string): EnvironmentInput {
  if (sky.kind === 'constant') return { kind: 'constant', color: vec3((j) => sky.color[j] * scale) };
  const data = new Float32Array(sky.data.length);
  for (let i = 0; i < data.length; i++) data[i] = sky.data[i] * scale;
  return { kind: 'map', width: sky.width, height: sky.height, channels: 3, data, name };
}
