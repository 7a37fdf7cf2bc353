// Host mirrors of WGSL structs. Offsets follow WGSL's layout rules (vec3 aligned to 16, size 12) and are
// computed here once; tests/render/layout.test.ts checks them against the GPU.

export type FieldType = 'f32' | 'u32' | 'vec2f' | 'vec3f' | 'vec4f' | 'vec3u' | 'vec4u';

const INFO: Record<FieldType, { size: number; align: number; float: boolean }> = {
  f32: { size: 4, align: 4, float: true },
  u32: { size: 4, align: 4, float: false },
  vec2f: { size: 8, align: 8, float: true },
  vec3f: { size: 12, align: 16, float: true },
  vec4f: { size: 16, align: 16, float: true },
  vec3u: { size: 12, align: 16, float: false },
  vec4u: { size: 16, align: 16, float: false },
};

export interface FieldLayout {
  name: string;
  type: FieldType;
  offset: number;
}

export type StructValues = Record<string, number | ArrayLike<number>>;

export class StructLayout {
  readonly fields: readonly FieldLayout[];
  readonly size: number;
  private readonly byName: Map<string, FieldLayout>;

  constructor(
    readonly name: string,
    spec: ReadonlyArray<readonly [string, FieldType]>,
  ) {
    let offset = 0;
    let align = 4;
    const fields: FieldLayout[] = [];
    for (const [fname, type] of spec) {
      const { size, align: a } = INFO[type];
      offset = Math.ceil(offset / a) * a;
      fields.push({ name: fname, type, offset });
      offset += size;
      align = Math.max(align, a);
    }
    this.size = Math.ceil(offset / align) * align;
    this.fields = fields;
    this.byName = new Map(fields.map((f) => [f.name, f]));
  }

  offsetOf(field: string): number {
    const f = this.byName.get(field);
    if (!f) throw new Error(`${this.name} has no field '${field}'`);
    return f.offset;
  }

  /** Writes `values` into `view` at `base`; fields not given stay as they are (zero in a new buffer). */
  write(view: DataView, base: number, values: StructValues): void {
    for (const [key, value] of Object.entries(values)) {
      const f = this.byName.get(key);
      if (!f) throw new Error(`${this.name} has no field '${key}'`);
      const { size, float } = INFO[f.type];
      const n = size / 4;
      for (let i = 0; i < n; i++) {
        const v = typeof value === 'number' ? value : value[i];
        if (v === undefined) throw new Error(`${this.name}.${key}: expected ${n} components`);
        const at = base + f.offset + 4 * i;
        if (float) view.setFloat32(at, v, true);
        else view.setUint32(at, v >>> 0, true);
      }
    }
  }

  /** Packs an array of structs into one buffer. */
  pack(items: readonly StructValues[]): ArrayBuffer {
    const buf = new ArrayBuffer(Math.max(1, items.length) * this.size);
    const view = new DataView(buf);
    items.forEach((item, i) => this.write(view, i * this.size, item));
    return buf;
  }
}

/** Mirrors `Material` in shaders/pathtrace/structs.wgsl (64 bytes). */
export const MATERIAL_LAYOUT = new StructLayout('Material', [
  ['base_color', 'vec3f'],
  ['kind', 'u32'],
  ['emission', 'vec3f'],
  ['roughness', 'f32'],
  ['specular_color', 'vec3f'],
  ['metalness', 'f32'],
  ['ior', 'f32'],
  ['specular', 'f32'],
  ['_pad0', 'f32'],
  ['flags', 'u32'],
]);

/** Mirrors `LightEntry` (16 bytes). */
export const LIGHT_ENTRY_LAYOUT = new StructLayout('LightEntry', [
  ['triangle', 'u32'],
  ['alias_row', 'u32'],
  ['prob', 'f32'],
  ['_pad0', 'u32'],
]);

/** Mirrors `Params` in shaders/pathtrace/params.wgsl: per-pass uniforms (144 bytes: the row band fills the tail padding). */
export const PARAMS_LAYOUT = new StructLayout('Params', [
  ['width', 'u32'],
  ['height', 'u32'],
  ['sample_start', 'u32'],
  ['sample_count', 'u32'],
  ['seed', 'u32'],
  ['max_depth', 'u32'],
  ['mode', 'u32'],
  ['light_count', 'u32'],
  ['light_power', 'f32'],
  ['env_kind', 'u32'],
  ['env_width', 'u32'],
  ['env_height', 'u32'],
  ['env_color', 'vec3f'],
  ['env_select_prob', 'f32'],
  ['cam_origin', 'vec3f'],
  ['lens_radius', 'f32'],
  ['cam_right', 'vec3f'],
  ['focus_dist', 'f32'],
  ['cam_up', 'vec3f'],
  ['clamp_max', 'f32'],
  ['cam_forward', 'vec3f'],
  ['rr_depth', 'u32'],
  ['env_marginal_offset', 'u32'],
  ['env_conditional_offset', 'u32'],
  ['row_start', 'u32'],
  ['row_count', 'u32'],
  ['jitter_pattern', 'u32'],
  ['first_hit', 'u32'],
  ['slot_count', 'u32'],
]);

export const MaterialKind = { Diffuse: 0, Conductor: 1, Dielectric: 2, Standard: 3 } as const;
export type MaterialKind = (typeof MaterialKind)[keyof typeof MaterialKind];
export const MATERIAL_FLAG_DOUBLE_SIDED = 1;

/** Estimator choice for tests: MIS (default), next-event estimation only, BSDF sampling only. */
export const EstimatorMode = { MIS: 0, NEE: 1, BSDF: 2 } as const;
export type EstimatorMode = (typeof EstimatorMode)[keyof typeof EstimatorMode];
