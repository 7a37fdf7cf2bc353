// Wavefront path tracer: path state, queues and bindings shared by every wavefront kernel.
// One path per (pixel, sample) of the current wave; kernels communicate only through these buffers.
// Needs: common, params. Host side: src/render/wavefront/wavefront-tracer.ts.

// 1D workgroup size of the wavefront kernels; the host passes the value it dispatches with.
override WF_GROUP: u32 = 64u;

// 112 bytes, array-of-structs: one path's whole state sits in two cache lines (suits CPU lavapipe).
struct PathState {
  origin: vec3f,
  pixel: u32,
  dir: vec3f,
  depth: u32,         // bounces so far (0 = camera ray)
  beta: vec3f,        // path throughput
  prev_pdf: f32,      // solid-angle pdf of the BSDF sample that produced this ray
  radiance: vec3f,    // radiance gathered so far
  rng: u32,           // PCG state between kernels
  albedo: vec3f,      // AOV albedo; while the AOV chain is open (flags bit 1), the tint of its delta bounces
  flags: u32,         // bit 0: previous bounce was a delta lobe (or camera ray); bit 1: AOV chain open (bsdf.wgsl)
  normal: vec3f,      // AOV normal
  z: f32,             // first-hit depth along the camera axis
  hit: vec4f,         // closest hit of `dir`: t, u, v, bitcast<f32>(triangle); t = F32_MAX if none
}

// PathState.flags bits.
const PATH_SPECULAR: u32 = 1u;
const PATH_AOV_OPEN: u32 = 2u;

// A shadow ray produced by next-event estimation: its contribution is added if nothing blocks it.
struct ShadowRay {
  origin: vec3f,
  tmax: f32,
  dir: vec3f,
  path: u32,
  contrib: vec3f,
  _pad0: u32,
}

struct WaveCounters {
  ray_count: u32,                // rays in queue_in for this bounce
  next_count: atomic<u32>,       // rays pushed to queue_out by shade
  shadow_count: atomic<u32>,     // shadow rays pushed by shade
  shadow_n: u32,                 // shadow rays the connect kernel traces
}

// The wave: paths i in [0, path_count) are pixel pixel_base + i % pixel_count, sample sample_base + i / pixel_count.
struct WaveParams {
  path_count: u32,
  pixel_base: u32,
  pixel_count: u32,
  sample_base: u32,
  samples: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(1) @binding(0) var<uniform> params: Params;
@group(1) @binding(1) var<uniform> wave: WaveParams;
@group(1) @binding(2) var<storage, read_write> paths: array<PathState>;
@group(1) @binding(3) var<storage, read> queue_in: array<u32>;
@group(1) @binding(4) var<storage, read_write> queue_out: array<u32>;
@group(1) @binding(5) var<storage, read_write> shadow_rays: array<ShadowRay>;
@group(1) @binding(6) var<storage, read_write> counters: WaveCounters;
// Same film as the megakernel: four planes of width*height vec4f (radiance sum + count, radiance^2 sum,
// albedo sum, normal sum + depth sum).
@group(1) @binding(7) var<storage, read_write> film: array<vec4f>;
