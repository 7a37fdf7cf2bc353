// Per-element loss and its gradient with respect to the network output (src/train/loss.ts is the CPU twin):
// lin = output_to_linear(o); loss(lin, target); grad = dL/dlin * dlin/do / n. The transform's derivative is
// taken at clamp(t, T_GRAD_MIN, T_GRAD_MAX): straight-through at the clamps to black and to the maximum.
struct LossP {
  n: u32,       // elements in the batch (the mean's divisor)
  kind: u32,    // 0 l2, 1 l1, 2 hdr
  _p0: u32,
  _p1: u32,
}
@group(0) @binding(0) var<uniform> lp: LossP;
@group(0) @binding(1) var<storage, read> out: array<f32>;
@group(0) @binding(2) var<storage, read> tgt: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> loss: array<f32>;

const COLOR_SHIFT = 0.5;
const GAMMA = 2.2;
const OUTPUT_MARGIN = 9.5367431640625e-7;
const HDR_EPSILON = 0.01;
const T_GRAD_MIN = 0.015625;
const T_GRAD_MAX = 0.984375;

fn to_u(t: f32) -> f32 {
  return min(select(0.0, pow(t, GAMMA), t > 0.0), 1.0 - OUTPUT_MARGIN);
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = gid.y * nwg.x * 256u + gid.x;
  if (j >= lp.n) { return; }
  let raw = out[j] + COLOR_SHIFT;
  let u = to_u(clamp(raw, 0.0, 1.0));
  let f = u / (1.0 - u);
  let tg = clamp(raw, T_GRAD_MIN, T_GRAD_MAX);
  let ug = pow(tg, GAMMA);
  let slope = GAMMA * pow(tg, GAMMA - 1.0) / ((1.0 - ug) * (1.0 - ug));
  let d = f - tgt[j];
  var l = d * d;
  var dl = 2.0 * d;
  if (lp.kind == 1u) {
    l = abs(d);
    dl = sign(d);
  } else if (lp.kind == 2u) {
    let den = (f + HDR_EPSILON) * (f + HDR_EPSILON);
    l = d * d / den;
    dl = 2.0 * d / den;
  }
  grad[j] = dl * slope / f32(lp.n);
  loss[j] = l;
}
