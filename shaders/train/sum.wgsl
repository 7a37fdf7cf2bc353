// Sum of a buffer in one workgroup, in a fixed order (for the logged loss): out[slot] = sum(src[0..n]).
struct SumP {
  n: u32,
  slot: u32,
  _p0: u32,
  _p1: u32,
}
@group(0) @binding(0) var<uniform> sp: SumP;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> result: array<f32>;

var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var j = lid; j < sp.n; j += 256u) { s += src[j]; }
  part[lid] = s;
  workgroupBarrier();
  if (lid == 0u) {
    var t = 0.0;
    for (var k = 0u; k < 256u; k++) { t += part[k]; }
    result[sp.slot] = t;
  }
}
