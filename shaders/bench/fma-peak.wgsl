// FMA throughput microbenchmark. The scalar type `scalar` (f32 or f16) is declared by a one-line prefix module
// (fma-f32.wgsl / fma-f16.wgsl) that bench/fma-peak.ts puts in front of this one.
//
// Each invocation runs ACCUMULATORS independent vec4 FMA chains (so the FMA units never wait on latency) for
// params.iterations loop trips of UNROLL steps each: 8 * 4 * 4 = 128 FMAs = 256 FLOPs per trip. The trip count,
// multiplier and addend come from a uniform so nothing can be folded at compile time, and the sum of the
// accumulators is stored so nothing can be removed (the host recomputes it to check the work was done).
// a <- a * m + c with m = 1 - 2^-10, c = 2^-10 (exact in f16 and f32) moves towards c / (1 - m) = 1: no overflow,
// no denormals (slow on a CPU adapter).

struct Params {
  iterations: u32,
  multiplier: f32,
  addend: f32,
  _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> result: array<vec4<f32>>;

override WORKGROUP_SIZE: u32 = 64;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let m = vec4<scalar>(scalar(params.multiplier));
  let c = vec4<scalar>(scalar(params.addend));
  // Starting values are multiples of 2^-6 below 2: exact in f16, so the host can replay the chains exactly.
  let lane = scalar(gid.x & 15u) * scalar(0.03125);
  var a0 = vec4<scalar>(lane, lane + scalar(0.015625), lane + scalar(0.03125), lane + scalar(0.046875));
  var a1 = a0 + vec4<scalar>(scalar(0.125));
  var a2 = a0 + vec4<scalar>(scalar(0.25));
  var a3 = a0 + vec4<scalar>(scalar(0.375));
  var a4 = a0 + vec4<scalar>(scalar(0.5));
  var a5 = a0 + vec4<scalar>(scalar(0.625));
  var a6 = a0 + vec4<scalar>(scalar(0.75));
  var a7 = a0 + vec4<scalar>(scalar(0.875));
  for (var i = 0u; i < params.iterations; i++) {
    // UNROLL = 4 steps of the 8 chains, written out so the count does not depend on the compiler's unrolling.
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
  }
  let sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
  result[gid.x] = vec4<f32>(sum);
}
