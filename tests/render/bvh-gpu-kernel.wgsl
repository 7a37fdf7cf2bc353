// Test kernel for tests/render/bvh-gpu.test.ts: one ray per invocation through trace_closest and trace_any.
// Appended after common, structs, scene_bindings and bvh.

struct TestRay {
  origin: vec3f,
  tmin: f32,
  dir: vec3f,
  tmax: f32,
}

@group(1) @binding(0) var<storage, read> test_rays: array<TestRay>;
// Per ray: t, u, v, bitcast triangle (BVH slot).
@group(1) @binding(1) var<storage, read_write> test_hits: array<vec4f>;
@group(1) @binding(2) var<storage, read_write> test_occluded: array<u32>;

override WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= arrayLength(&test_rays)) { return; }
  let r = test_rays[i];
  let h = trace_closest(r.origin, r.dir, r.tmin, r.tmax);
  test_hits[i] = vec4f(h.t, h.u, h.v, bitcast<f32>(h.triangle));
  test_occluded[i] = select(0u, 1u, trace_any(r.origin, r.dir, r.tmin, r.tmax));
}
