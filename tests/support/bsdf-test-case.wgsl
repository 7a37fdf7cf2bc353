// Shared by the BSDF test kernels (tests/support/bsdf-gpu.ts). Compose after bsdf.wgsl.

// One test configuration, 80 bytes: a material and the outgoing direction wo (xyz, local frame).
struct BsdfTestCase {
  material: Material,
  wo: vec4f,
}

// Exponent all ones = Inf or NaN; checked on the bits so no compiler fast-math can fold it away.
fn is_finite_f32(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn is_finite_vec3(v: vec3f) -> bool {
  return is_finite_f32(v.x) && is_finite_f32(v.y) && is_finite_f32(v.z);
}
