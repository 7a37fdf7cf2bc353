// Autoexposure of the film (specs with `autoexposure`; transform.ts exposureStatistic/exposureScale is the CPU
// twin): k = key / E, E = geometric mean over 16x16-pixel bins of each bin's mean luminance, bins at or below
// EXPOSURE_EPSILON left out (k = 1 when all are). Two passes: exposure_bins.wgsl (one workgroup per bin), then
// exposure_finish.wgsl (one workgroup) writes k to exposure[0], which the input and output passes read.
struct ExposureParams {
  width: u32,     // film size in pixels
  height: u32,
  bins_x: u32,    // ceil(width / 16)
  bins: u32,      // bins_x * ceil(height / 16)
  inv_spp: f32,   // film sums -> means
  key: f32,
}
@group(0) @binding(0) var<uniform> ep: ExposureParams;
// per bin: (log2(mean luminance), 1), or (0, 0) for a bin at or below EXPOSURE_EPSILON
@group(0) @binding(1) var<storage, read_write> bin_logs: array<vec2f>;

const EXPOSURE_BIN = 16u;         // transform.ts EXPOSURE_BIN
const EXPOSURE_EPSILON = 1e-8;    // transform.ts EXPOSURE_EPSILON
const LUMINANCE = vec3f(0.2126, 0.7152, 0.0722);

var<workgroup> partial: array<vec2f, 256>;

/** Sums partial[0..256) into partial[0] in a fixed tree order (the caller fills partial[li] first). */
fn sum_partials(li: u32) {
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (li < s) { partial[li] += partial[li + s]; }
    workgroupBarrier();
  }
}
