// Output tensor binding of every nn kernel (float16 storage); store_rgba32float.wgsl is the f32 twin.
@group(0) @binding(0) var dst: texture_storage_2d_array<rgba16float, write>;

/**
 * v rounded to half precision, to nearest even, in f32 arithmetic: drivers may convert on store by truncation
 * (lavapipe does), which would bias every stored activation toward zero. 11 significant bits; below 2^-14 the
 * step stays 2^-24 (subnormals). The store's own conversion is then exact.
 */
fn round_half(v: vec4f) -> vec4f {
  let s = max(frexp(v).exp - vec4i(11), vec4i(-24));
  return ldexp(round(ldexp(v, -s)), s);
}

fn store_texel(t: vec2i, layer: u32, v: vec4f) {
  textureStore(dst, t, layer, round_half(v));
}
