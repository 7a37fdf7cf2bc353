// Elementwise training passes over flat buffers, selected by `op`:
//   0 act_bwd: g *= slope where the leaky ReLU's output y <= 0 (in place on g = buf_a; y = buf_b)
//   1 pool_fwd: buf_a (coarse) = 2x2 max of buf_b (fine); n = coarse elements
//   2 pool_bwd: buf_a (fine grad) = buf_c (coarse grad) routed to the first maximum of buf_b (fine values)
struct EwP {
  n: u32,
  op: u32,
  width: u32,  // coarse width (pool ops)
  height: u32, // coarse height (pool ops)
  slope: f32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
}
@group(0) @binding(0) var<uniform> e: EwP;
@group(0) @binding(1) var<storage, read_write> buf_a: array<f32>;
@group(0) @binding(2) var<storage, read> buf_b: array<f32>;
@group(0) @binding(3) var<storage, read> buf_c: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = gid.y * nwg.x * 256u + gid.x;
  if (j >= e.n) { return; }
  if (e.op == 0u) {
    if (buf_b[j] <= 0.0) { buf_a[j] = buf_a[j] * e.slope; }
    return;
  }
  // j indexes a coarse element (plane = b * C + c).
  let x = j % e.width;
  let y = (j / e.width) % e.height;
  let plane = j / (e.width * e.height);
  let fw = e.width * 2u;
  let s = (plane * e.height * 2u + y * 2u) * fw + x * 2u;
  let q = array<u32, 4>(s, s + 1u, s + fw, s + fw + 1u);
  var best = q[0];
  for (var k = 1u; k < 4u; k++) { if (buf_b[q[k]] > buf_b[best]) { best = q[k]; } }
  if (e.op == 1u) {
    buf_a[j] = buf_b[best];
  } else {
    for (var k = 0u; k < 4u; k++) { buf_a[q[k]] = select(0.0, buf_c[j], q[k] == best); }
  }
}
