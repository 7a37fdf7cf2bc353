// Emissive triangles, chosen in proportion to power with an alias table (Vose), so NEE picks a light in O(1).
// Power of a triangle = luminance(radiance) x area x (2 if double-sided else 1) (the common pi factor dropped).
// The area-measure pdf of a point on emitter i is then luminance(Le_i) x sides_i / totalPower, which the shader
// recomputes from the material alone.
import { LIGHT_ENTRY_LAYOUT } from '../render/layout.ts';

export interface LightTable {
  entries: ArrayBuffer;   // LightEntry[count]
  count: number;
  totalPower: number;
}

export function luminance(r: number, g: number, b: number): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Builds the alias table over `triangles` (BVH-ordered indices) with the given powers. */
export function buildLightTable(triangles: ArrayLike<number>, powers: ArrayLike<number>): LightTable {
  const n = triangles.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += powers[i];
  if (n === 0 || !(total > 0)) return { entries: LIGHT_ENTRY_LAYOUT.pack([]), count: 0, totalPower: 0 };
  const prob = new Float64Array(n);
  const alias = new Uint32Array(n);
  const scaled = new Float64Array(n);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < n; i++) {
    scaled[i] = (powers[i] * n) / total;
    (scaled[i] < 1 ? small : large).push(i);
  }
  while (small.length && large.length) {
    const s = small.pop()!;
    const l = large.pop()!;
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    (scaled[l] < 1 ? small : large).push(l);
  }
  for (const i of large) { prob[i] = 1; alias[i] = i; }
  for (const i of small) { prob[i] = 1; alias[i] = i; } // only reached through rounding
  const items = Array.from({ length: n }, (_, i) => ({ triangle: triangles[i], alias_row: alias[i], prob: prob[i] }));
  return { entries: LIGHT_ENTRY_LAYOUT.pack(items), count: n, totalPower: total };
}

/** Probability that the alias table picks each row (for tests). */
export function aliasTableProbabilities(table: LightTable): Float64Array {
  const view = new DataView(table.entries);
  const p = new Float64Array(table.count);
  const size = LIGHT_ENTRY_LAYOUT.size;
  for (let i = 0; i < table.count; i++) {
    const keep = view.getFloat32(i * size + LIGHT_ENTRY_LAYOUT.offsetOf('prob'), true);
    const alias = view.getUint32(i * size + LIGHT_ENTRY_LAYOUT.offsetOf('alias_row'), true);
    p[i] += keep / table.count;
    p[alias] += (1 - keep) / table.count;
  }
  return p;
}
