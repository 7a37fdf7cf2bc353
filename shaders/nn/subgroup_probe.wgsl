// Checks the lane layout conv_lanes_subgroup.wgsl relies on: in a workgroup of 8 x WY invocations, every aligned
// group of 8 subgroup lanes is one row, in order (lane 8k + i has local_invocation_id.x = i and the row of lane
// 8k). Writes 1 per invocation where that holds, 0 where not.
enable subgroups;
override WY: u32 = 4u;
@group(0) @binding(0) var<storage, read_write> ok: array<u32>;

@compute @workgroup_size(8, WY)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(local_invocation_index) li: u32, @builtin(subgroup_invocation_id) sid: u32) {
  let first = subgroupShuffle(li, sid & ~7u);
  let good = (sid & 7u) == lid.x && first == li - lid.x;
  ok[wg.x * 8u * WY + li] = select(0u, 1u, good);
}
