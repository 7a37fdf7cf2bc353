// The previous traversal (bench baseline): stack-based, over the flat binary BVH of src/scene/bvh.ts.
// Needs common.wgsl (F32_MAX), structs.wgsl (BvhNode, Hit) and scene_bindings.wgsl (bvh_nodes, tri_pos).
// Both children's boxes are tested at their parent, the nearer is visited first and the farther is pushed
// with its entry distance, so popped nodes beyond the closest hit are skipped without being loaded.
// The builder keeps every leaf within depth 60, so 64 stack entries never overflow.

// @bench-layout binary
// The binary node layout this traversal reads (src/scene/bvh.ts), declared here since structs.wgsl now has
// the 4-wide record.
struct BvhNode {
  bmin: vec3f,
  left_or_first: u32,
  bmax: vec3f,
  count: u32,
}

const BVH_STACK_SIZE: u32 = 64u;
const BVH_NONE: u32 = 0xffffffffu;
// Slab exits are widened by 1 + 2 gamma(3) (pbrt-v4) so rounding never culls a box the ray touches.
const BVH_SLAB_WIDEN: f32 = 1.0000004;

// 1 / dir with zero components replaced by a tiny signed value: keeps every slab distance finite
// (WGSL leaves inf/NaN arithmetic undefined).
fn bvh_inv_dir(dir: vec3f) -> vec3f {
  let tiny = vec3f(1e-20);
  let d = select(dir, select(-tiny, tiny, dir >= vec3f(0.0)), abs(dir) < tiny);
  return 1.0 / d;
}

// Entry distance of the ray into [bmin, bmax] clipped to [tmin, tmax], or F32_MAX if it misses.
fn bvh_slab(bmin: vec3f, bmax: vec3f, origin: vec3f, inv_dir: vec3f, tmin: f32, tmax: f32) -> f32 {
  let t0 = (bmin - origin) * inv_dir;
  let t1 = (bmax - origin) * inv_dir;
  let lo = min(t0, t1);
  let hi = max(t0, t1);
  let t_near = max(max(lo.x, lo.y), max(lo.z, tmin));
  let t_far = min(min(min(hi.x, hi.y), hi.z) * BVH_SLAB_WIDEN, tmax);
  return select(F32_MAX, t_near, t_near <= t_far);
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
  var stack_node: array<u32, BVH_STACK_SIZE>;
  var stack_t: array<f32, BVH_STACK_SIZE>;
  var sp = 0u;
  let root = bvh_nodes[0];
  var node = select(BVH_NONE, 0u, bvh_slab(root.bmin, root.bmax, origin, inv_dir, tmin, t_best) < F32_MAX);
  loop {
    if (node == BVH_NONE) {
      if (sp == 0u) { break; }
      sp -= 1u;
      // Skip subtrees that start beyond the closest hit found since they were pushed.
      if (stack_t[sp] >= t_best) { continue; }
      node = stack_node[sp];
    }
    let n = bvh_nodes[node];
    if (n.count > 0u) {
      let end = n.left_or_first + n.count;
      for (var i = n.left_or_first; i < end; i++) {
        let r = bvh_triangle(origin, dir, tri_pos[3u * i].xyz, tri_pos[3u * i + 1u].xyz, tri_pos[3u * i + 2u].xyz,
          tmin, t_best);
        if (r.x < t_best) {
          t_best = r.x;
          hit = Hit(r.x, r.y, r.z, i);
        }
      }
      if (any_hit && hit.t < F32_MAX) { break; }
      node = BVH_NONE;
      continue;
    }
    let a = n.left_or_first;
    let ca = bvh_nodes[a];
    let cb = bvh_nodes[a + 1u];
    let ta = bvh_slab(ca.bmin, ca.bmax, origin, inv_dir, tmin, t_best);
    let tb = bvh_slab(cb.bmin, cb.bmax, origin, inv_dir, tmin, t_best);
    let a_first = ta <= tb;
    let t_near = min(ta, tb);
    let t_far = max(ta, tb);
    if (t_far < F32_MAX) {
      stack_node[sp] = select(a, a + 1u, a_first);
      stack_t[sp] = t_far;
      sp += 1u;
    }
    node = select(BVH_NONE, select(a + 1u, a, a_first), t_near < F32_MAX);
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
