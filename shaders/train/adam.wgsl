// Adam (Kingma and Ba) over the flat parameter buffer, with bias correction; with ema_decay d > 0 it also keeps an
// exponential moving average of the parameters after each step: ema = d * ema + (1 - d) * params.
struct AdamP {
  n: u32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  bc1: f32, // 1 - beta1^step
  bc2: f32, // 1 - beta2^step
  ema_decay: f32,
  _p4: f32,
}
@group(0) @binding(0) var<uniform> ap: AdamP;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> m1: array<f32>;
@group(0) @binding(4) var<storage, read_write> m2: array<f32>;
@group(0) @binding(5) var<storage, read_write> ema: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = gid.y * nwg.x * 256u + gid.x;
  if (j >= ap.n) { return; }
  let g = grad[j];
  let m = ap.beta1 * m1[j] + (1.0 - ap.beta1) * g;
  let v = ap.beta2 * m2[j] + (1.0 - ap.beta2) * g * g;
  m1[j] = m;
  m2[j] = v;
  let next = params[j] - ap.lr * (m / ap.bc1) / (sqrt(v / ap.bc2) + ap.eps);
  params[j] = next;
  if (ap.ema_decay > 0.0) { ema[j] = ap.ema_decay * ema[j] + (1.0 - ap.ema_decay) * next; }
}
