// Evaluates the whole BSDF interface on given inputs, one record per invocation.

struct BsdfRecord {
  material: Material,
  wo: vec4f,
  wi: vec4f,
  u: vec4f,
}

struct BsdfRecordResult {
  eval_pdf: vec4f,            // bsdf_eval(wo, wi), bsdf_pdf(wo, wi)
  reverse_eval_pdf: vec4f,    // bsdf_eval(wi, wo), bsdf_pdf(wi, wo)
  sample_wi_pdf: vec4f,       // bsdf_sample(wo, u): wi, pdf
  sample_weight_flags: vec4f, // weight, flags (bitcast)
  sample_eval_pdf: vec4f,     // bsdf_eval, bsdf_pdf at the sampled wi
  albedo_delta: vec4f,        // bsdf_albedo_aov, bsdf_is_delta (0 or 1)
}

@group(0) @binding(0) var<storage, read> records: array<BsdfRecord>;
@group(0) @binding(1) var<storage, read_write> results: array<BsdfRecordResult>;

override WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= arrayLength(&records)) {
    return;
  }
  let r = records[i];
  let m = r.material;
  let wo = r.wo.xyz;
  let wi = r.wi.xyz;
  let s = bsdf_sample(m, wo, r.u.xyz);
  var out: BsdfRecordResult;
  out.eval_pdf = vec4f(bsdf_eval(m, wo, wi), bsdf_pdf(m, wo, wi));
  out.reverse_eval_pdf = vec4f(bsdf_eval(m, wi, wo), bsdf_pdf(m, wi, wo));
  out.sample_wi_pdf = vec4f(s.wi, s.pdf);
  out.sample_weight_flags = vec4f(s.weight, bitcast<f32>(s.flags));
  out.sample_eval_pdf = vec4f(bsdf_eval(m, wo, s.wi), bsdf_pdf(m, wo, s.wi));
  out.albedo_delta = vec4f(bsdf_albedo_aov(m), select(0.0, 1.0, bsdf_is_delta(m)));
  results[i] = out;
}
