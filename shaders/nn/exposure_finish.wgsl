// Pass 2 of the film's autoexposure (exposure_common.wgsl): one workgroup sums the bins' log2 means (each
// invocation a strided run, then a fixed tree) and writes k = key / 2^(mean log2) to exposure[0], 1 without bins.
@group(0) @binding(2) var<storage, read_write> exposure: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) li: u32) {
  var a = vec2f(0.0);
  for (var i = li; i < ep.bins; i += 256u) { a += bin_logs[i]; }
  partial[li] = a;
  sum_partials(li);
  if (li == 0u) {
    let t = partial[0];
    exposure[0] = select(1.0, ep.key / exp2(t.x / max(t.y, 1.0)), t.y > 0.0);
  }
}
