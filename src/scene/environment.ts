// Environment lighting: none, a constant radiance, or an equirectangular map with importance sampling.
// Map layout on the GPU (env_data, vec4f each): width*height texels (rgb, row 0 = +y pole), then the marginal CDF
// over rows (height+1 values in .x), then one conditional CDF per row (width+1 values in .x).
// Texel weights are luminance x sin(theta) so the sampled density follows radiance per solid angle.
import { luminance } from './lights.ts';

export type EnvironmentInput =
  | { kind: 'none' }
  | { kind: 'constant'; color: readonly [number, number, number] }
  | { kind: 'map'; width: number; height: number; channels: 3 | 4; data: Float32Array; intensity?: number; name?: string };

export interface CompiledEnvironment {
  /** 0 none, 1 constant, 2 map (mirrors env_kind in the shader). */
  kind: 0 | 1 | 2;
  color: [number, number, number];
  width: number;
  height: number;
  data: Float32Array;
  marginalOffset: number;
  conditionalOffset: number;
  /** Average radiance (for choosing between environment and area-light sampling). */
  averageRadiance: number;
  /** A map's name (its file), for messages. */
  name?: string;
}

export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

export function compileEnvironment(env: EnvironmentInput): CompiledEnvironment {
  if (env.kind === 'none') {
    return { kind: 0, color: [0, 0, 0], width: 0, height: 0, data: new Float32Array(4), marginalOffset: 0, conditionalOffset: 0, averageRadiance: 0 };
  }
  if (env.kind === 'constant') {
    const c = env.color;
    if (!c.every((v) => Number.isFinite(v) && v >= 0)) throw new EnvironmentError(`environment colour must be finite and >= 0, got [${c.join(', ')}]`);
    return { kind: c.some((v) => v > 0) ? 1 : 0, color: [c[0], c[1], c[2]], width: 0, height: 0, data: new Float32Array(4), marginalOffset: 0, conditionalOffset: 0, averageRadiance: luminance(c[0], c[1], c[2]) };
  }
  const { width: w, height: h, channels, data } = env;
  const name = env.name ?? 'environment map';
  const scale = env.intensity ?? 1;
  if (!(w > 0 && h > 0) || data.length < w * h * channels) throw new EnvironmentError(`${name}: bad size ${w}x${h}`);
  const n = w * h;
  const out = new Float32Array((n + (h + 1) + h * (w + 1)) * 4);
  const rowSums = new Float64Array(h);
  const condBase = n + h + 1;
  let weighted = 0;
  let solidAngleSum = 0;
  for (let y = 0; y < h; y++) {
    const sinTheta = Math.sin((Math.PI * (y + 0.5)) / h);
    let acc = 0;
    out[(condBase + y * (w + 1)) * 4] = 0;
    const rowCdf: number[] = [0];
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      let r = data[i * channels] * scale, g = data[i * channels + 1] * scale, b = data[i * channels + 2] * scale;
      if (!Number.isFinite(r) || r < 0) r = 0;
      if (!Number.isFinite(g) || g < 0) g = 0;
      if (!Number.isFinite(b) || b < 0) b = 0;
      out[i * 4] = r; out[i * 4 + 1] = g; out[i * 4 + 2] = b; out[i * 4 + 3] = 1;
      const wgt = luminance(r, g, b) * sinTheta;
      acc += wgt;
      rowCdf.push(acc);
      weighted += luminance(r, g, b) * sinTheta;
      solidAngleSum += sinTheta;
    }
    rowSums[y] = acc;
    for (let x = 0; x <= w; x++) {
      // An all-black row gets a uniform CDF; it is never chosen by the marginal anyway.
      out[(condBase + y * (w + 1) + x) * 4] = acc > 0 ? rowCdf[x] / acc : x / w;
    }
  }
  let total = 0;
  for (let y = 0; y < h; y++) total += rowSums[y];
  if (!(total > 0)) throw new EnvironmentError(`${name}: the map is black everywhere`);
  let acc = 0;
  out[n * 4] = 0;
  for (let y = 0; y < h; y++) {
    acc += rowSums[y];
    out[(n + y + 1) * 4] = acc / total;
  }
  out[(n + h) * 4] = 1;
  return {
    kind: 2, color: [0, 0, 0], width: w, height: h, data: out, marginalOffset: n, conditionalOffset: condBase, averageRadiance: weighted / solidAngleSum,
    ...(env.name !== undefined ? { name: env.name } : {}),
  };
}
