// Ray-scene intersection: stack-based traversal of the 4-wide quantized BVH built by src/scene/bvh-wide.ts.
// Needs common.wgsl (F32_MAX), structs.wgsl (BvhNode, Hit) and scene_bindings.wgsl (bvh_nodes, tri_pos).
// A record visit tests its (up to) four children at once, vec4 per axis; hit children are sorted by entry
// distance, the nearest is visited next and the others are pushed farthest first with their entry distance,
// so popped subtrees beyond the closest hit are skipped without being loaded. Leaf children are triangle
// ranges carried in the ref itself. The builder bounds the pushes by BVH_WIDE_STACK = 64 entries.
// Each loop iteration tests one triangle of the pending leaf and visits one record, so a SIMD lane (or a
// GPU thread) in a leaf does not idle while its neighbours walk records, and vice versa: on lavapipe, where
// both halves run every iteration under a mask, this and the 14-word records are what make traversal fast
// (measured with bench/traversal.ts).

const BVH_STACK_SIZE: u32 = 64u;
const BVH_NONE: u32 = 0xffffffffu;
const BVH_REF_LEAF: u32 = 0x80000000u;
// Slab exits are widened by 1 + 2 gamma(3) (pbrt-v4) so rounding never culls a box the ray touches.
const BVH_SLAB_WIDEN: f32 = 1.0000004;
// 6u: bound on the absolute rounding error of a grid slab distance, per unit of |(origin - o) / d|.
const BVH_GRID_ERR: f32 = 3.6e-7;

// 1 / dir with zero components replaced by a tiny signed value: keeps every slab distance finite
// (WGSL leaves inf/NaN arithmetic undefined).
fn bvh_inv_dir(dir: vec3f) -> vec3f {
  let tiny = vec3f(1e-20);
  let d = select(dir, select(-tiny, tiny, dir >= vec3f(0.0)), abs(dir) < tiny);
  return 1.0 / d;
}

// The four bytes of w as floats: child k's grid coordinate is byte k.
fn bvh_grid(w: u32) -> vec4f {
  return vec4f((vec4u(w) >> vec4u(0u, 8u, 16u, 24u)) & vec4u(0xffu));
}

// Grid step 2^e of one axis from its biased exponent byte.
fn bvh_step(exps: u32, axis: u32) -> f32 {
  return bitcast<f32>(((exps >> (8u * axis)) & 0xffu) << 23u);
}

// Möller-Trumbore, both faces. Returns (t, u, v) with t = F32_MAX unless tmin < t < tmax; u, v are the
// barycentric weights of v1 and v2. Edges are inclusive so rays through a shared edge hit a neighbour.
fn bvh_triangle(origin: vec3f, dir: vec3f, v0: vec3f, v1: vec3f, v2: vec3f, tmin: f32, tmax: f32) -> vec3f {
  let e1 = v1 - v0;
  let e2 = v2 - v0;
  let p = cross(dir, e2);
  let det = dot(e1, p);
  let inv_det = 1.0 / select(det, 1.0, det == 0.0);
  let s = origin - v0;
  let u = dot(s, p) * inv_det;
  let q = cross(s, e1);
  let v = dot(dir, q) * inv_det;
  let t = dot(e2, q) * inv_det;
  let ok = det != 0.0 && u >= 0.0 && v >= 0.0 && u + v <= 1.0 && t > tmin && t < tmax;
  return vec3f(select(F32_MAX, t, ok), u, v);
}

// Shared traversal. any_hit: stop at the first hit (shadow rays); otherwise find the closest.
fn bvh_traverse(origin: vec3f, dir: vec3f, tmin: f32, tmax: f32, any_hit: bool) -> Hit {
  var hit = Hit(F32_MAX, 0.0, 0.0, BVH_NONE);
  var t_best = tmax;
  let inv_dir = bvh_inv_dir(dir);
  var stack_ref: array<u32, BVH_STACK_SIZE>;
  var stack_t: array<f32, BVH_STACK_SIZE>;
  var sp = 0u;
  var cur = 0u;      // record to visit next (the root first), a leaf waiting for the leaf slot, or BVH_NONE
  var leaf_i = 0u;   // the leaf slot: triangles [leaf_i, leaf_end) still to test
  var leaf_end = 0u;
  loop {
    if (leaf_i < leaf_end) {
      let i = leaf_i;
      let r = bvh_triangle(origin, dir, tri_pos[3u * i].xyz, tri_pos[3u * i + 1u].xyz, tri_pos[3u * i + 2u].xyz,
        tmin, t_best);
      if (r.x < t_best) {
        t_best = r.x;
        hit = Hit(r.x, r.y, r.z, i);
        if (any_hit) { break; }
      }
      leaf_i += 1u;
    }
    if (cur < BVH_REF_LEAF) {
      let n = bvh_nodes[cur];
      // Slabs of the four children at once, one vec4f per axis: t = q * (2^e / d) + (origin - o) / d, one
      // multiply-add per plane (Ylitie et al. 2017). 2^e / d is exact; the rounding of (origin - o) / d and of
      // the multiply-add is at most 5u |(origin - o) / d| + 3u |t| (u = 2^-24, fused or not): the planes are
      // moved out by BVH_GRID_ERR |(origin - o) / d| and the exit is widened as in pbrt-v4, so no box the ray
      // touches is culled.
      let a = (n.origin - origin) * inv_dir;
      let s = vec3f(bvh_step(n.exps, 0u), bvh_step(n.exps, 1u), bvh_step(n.exps, 2u)) * inv_dir;
      let x0 = bvh_grid(n.lo.x) * s.x + a.x;
      let x1 = bvh_grid(n.hi.x) * s.x + a.x;
      let y0 = bvh_grid(n.lo.y) * s.y + a.y;
      let y1 = bvh_grid(n.hi.y) * s.y + a.y;
      let z0 = bvh_grid(n.lo.z) * s.z + a.z;
      let z1 = bvh_grid(n.hi.z) * s.z + a.z;
      let err = BVH_GRID_ERR * max(max(abs(a.x), abs(a.y)), abs(a.z));
      let t_near = max(max(max(min(x0, x1), min(y0, y1)), min(z0, z1)) - err, vec4f(tmin));
      let t_far = min((min(min(max(x0, x1), max(y0, y1)), max(z0, z1)) + err) * BVH_SLAB_WIDEN, vec4f(t_best));
      let t = select(vec4f(F32_MAX), t_near, (t_near <= t_far) & (n.child != vec4u(BVH_NONE)));
      // Sorting network on (entry distance, ref), nearest first; misses (F32_MAX) end up last.
      var t0 = t.x; var t1 = t.y; var t2 = t.z; var t3 = t.w;
      var r0 = n.child.x; var r1 = n.child.y; var r2 = n.child.z; var r3 = n.child.w;
      if (t1 < t0) { let tt = t0; t0 = t1; t1 = tt; let rr = r0; r0 = r1; r1 = rr; }
      if (t3 < t2) { let tt = t2; t2 = t3; t3 = tt; let rr = r2; r2 = r3; r3 = rr; }
      if (t2 < t0) { let tt = t0; t0 = t2; t2 = tt; let rr = r0; r0 = r2; r2 = rr; }
      if (t3 < t1) { let tt = t1; t1 = t3; t3 = tt; let rr = r1; r1 = r3; r3 = rr; }
      if (t2 < t1) { let tt = t1; t1 = t2; t2 = tt; let rr = r1; r1 = r2; r2 = rr; }
      if (t3 < F32_MAX) { stack_ref[sp] = r3; stack_t[sp] = t3; sp += 1u; }
      if (t2 < F32_MAX) { stack_ref[sp] = r2; stack_t[sp] = t2; sp += 1u; }
      if (t1 < F32_MAX) { stack_ref[sp] = r1; stack_t[sp] = t1; sp += 1u; }
      cur = select(BVH_NONE, r0, t0 < F32_MAX);
    }
    if (cur == BVH_NONE && sp > 0u) {
      sp -= 1u;
      // Skip subtrees that start beyond the closest hit found since they were pushed.
      cur = select(BVH_NONE, stack_ref[sp], stack_t[sp] < t_best);
    }
    // A leaf moves into the leaf slot once that is free.
    if (leaf_i >= leaf_end && cur != BVH_NONE && cur >= BVH_REF_LEAF) {
      leaf_i = cur & 0x03ffffffu;
      leaf_end = leaf_i + ((cur >> 26u) & 31u) + 1u;
      cur = BVH_NONE;
    }
    if (cur == BVH_NONE && sp == 0u && leaf_i >= leaf_end) { break; }
  }
  return hit;
}

// Closest hit in (tmin, tmax); Hit.t = F32_MAX if none. Hit.triangle indexes the BVH-ordered arrays.
fn trace_closest(origin: vec3f, dir: vec3f, tmin: f32, tmax: f32) -> Hit {
  return bvh_traverse(origin, dir, tmin, tmax, false);
}

// Whether anything is hit in (tmin, tmax) (shadow rays).
fn trace_any(origin: vec3f, dir: vec3f, tmin: f32, tmax: f32) -> bool {
  return bvh_traverse(origin, dir, tmin, tmax, true).t < F32_MAX;
}
