// A training batch's dihedral transforms, applied on the GPU: the host uploads each crop as cut (row copies) and
// its transform t (0..7); output pixel (u, v) of crop b reads pixel (su, sv) of the upload, with (su, sv) = (u, v)
// transposed if t & 4, then flipped in x if t & 1 and in y if t & 2 (as the CPU's transformBatch).
struct DihP {
  crop: u32,
  batch: u32,
  in_c: u32, // input channels per crop (targets have 3)
  n: u32,    // batch * (in_c + 3) * crop * crop
}
@group(0) @binding(0) var<uniform> d: DihP;
@group(0) @binding(1) var<storage, read> raw_input: array<f32>;
@group(0) @binding(2) var<storage, read> raw_target: array<f32>;
@group(0) @binding(3) var<storage, read> transforms: array<u32>;
@group(0) @binding(4) var<storage, read_write> input_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> target_out: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = gid.y * nwg.x * 256u + gid.x;
  if (j >= d.n) { return; }
  let plane = d.crop * d.crop;
  let channel = j / plane; // over the batch: (in_c + 3) per crop
  let pix = j % plane;
  let u = pix % d.crop;
  let v = pix / d.crop;
  let b = channel / (d.in_c + 3u);
  let k = channel % (d.in_c + 3u);
  let t = transforms[b];
  var su = select(u, v, (t & 4u) != 0u);
  var sv = select(v, u, (t & 4u) != 0u);
  if ((t & 1u) != 0u) { su = d.crop - 1u - su; }
  if ((t & 2u) != 0u) { sv = d.crop - 1u - sv; }
  let s = sv * d.crop + su;
  if (k < d.in_c) {
    let base = (b * d.in_c + k) * plane;
    input_out[base + pix] = raw_input[base + s];
  } else {
    let base = (b * 3u + k - d.in_c) * plane;
    target_out[base + pix] = raw_target[base + s];
  }
}
