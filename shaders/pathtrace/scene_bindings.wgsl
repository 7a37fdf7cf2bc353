// Scene data, bind group 0. Triangle arrays are in BVH order.
@group(0) @binding(0) var<storage, read> bvh_nodes: array<BvhNode>;
// Three vec4f per triangle: v0, v1, v2 (w unused).
@group(0) @binding(1) var<storage, read> tri_pos: array<vec4f>;
// Per triangle: x, y, z = octahedral-encoded vertex normals n0, n1, n2 (2 x snorm16); w = material index.
@group(0) @binding(2) var<storage, read> tri_shading: array<vec4u>;
@group(0) @binding(3) var<storage, read> materials: array<Material>;
@group(0) @binding(4) var<storage, read> lights: array<LightEntry>;
// Environment map: env_width x env_height rgba texels, then the marginal CDF over rows (env_height + 1
// floats, stored in .x), then per-row conditional CDFs ((env_width + 1) floats each, in .x).
@group(0) @binding(5) var<storage, read> env_data: array<vec4f>;
