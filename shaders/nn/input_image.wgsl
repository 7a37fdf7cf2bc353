// Network input from plain RGB images uploaded as one float array: colour, then albedo, then normal planes of
// width * height * 3 values each (absent kinds are not uploaded and never read).
@group(0) @binding(2) var<storage, read> images: array<f32>;

fn rgb_at(plane: u32, i: u32) -> vec3f {
  let b = (plane * p.src_size.x * p.src_size.y + i) * 3u;
  return vec3f(images[b], images[b + 1u], images[b + 2u]);
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.padded_width || id.y >= p.padded_height) { return; }
  let i = source_index(id);
  // plane index of each kind = its slot in `order` (slots hold kinds in upload order)
  var color = vec3f(0.0);
  var albedo = vec3f(0.0);
  var normal = vec3f(0.0);
  for (var k = 0u; k < 3u; k++) {
    let kind = p.order[k];
    if (kind == 0u) { color = rgb_at(k, i); }
    if (kind == 1u) { albedo = rgb_at(k, i); }
    if (kind == 2u) { normal = rgb_at(k, i); }
  }
  write_input(id, color, albedo, normal);
}
