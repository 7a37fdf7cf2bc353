// Output tensor binding of every nn kernel (float32 storage); store_rgba16float.wgsl is the f16 twin.
@group(0) @binding(0) var dst: texture_storage_2d_array<rgba32float, write>;

fn store_texel(t: vec2i, layer: u32, v: vec4f) {
  textureStore(dst, t, layer, v);
}
