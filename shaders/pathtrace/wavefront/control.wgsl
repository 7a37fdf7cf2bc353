// Wavefront bookkeeping between bounces (one invocation): the rays shade queued become the next bounce's
// input, the shadow rays it queued go to connect, and the indirect dispatch sizes follow the counts.
// Needs: common, params, wavefront/state.

// Indirect dispatch arguments: [0..3) extend/shade, [3..6) connect.
@group(2) @binding(0) var<storage, read_write> dispatch_args: array<u32, 6>;

@compute @workgroup_size(1)
fn main() {
  let rays = atomicLoad(&counters.next_count);
  let shadows = atomicLoad(&counters.shadow_count);
  counters.ray_count = rays;
  counters.shadow_n = shadows;
  atomicStore(&counters.next_count, 0u);
  atomicStore(&counters.shadow_count, 0u);
  dispatch_args[0] = (rays + WF_GROUP - 1u) / WF_GROUP;
  dispatch_args[1] = 1u;
  dispatch_args[2] = 1u;
  dispatch_args[3] = (shadows + WF_GROUP - 1u) / WF_GROUP;
  dispatch_args[4] = 1u;
  dispatch_args[5] = 1u;
}
