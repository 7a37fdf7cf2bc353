// Network input straight from the path tracer's film (no CPU round trip). The film is four planes of vec4f per
// pixel: radiance sum (w = sample count), radiance^2 sum, albedo sum, normal + depth sum; means = sums / spp.
@group(0) @binding(2) var<storage, read> film: array<vec4f>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.padded_width || id.y >= p.padded_height) { return; }
  let n = p.src_size.x * p.src_size.y;
  let i = source_index(id);
  write_input(id, film[i].xyz * p.inv_spp, film[2u * n + i].xyz * p.inv_spp, film[3u * n + i].xyz * p.inv_spp);
}
