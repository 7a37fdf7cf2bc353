// The path tracer's film (four vec4f planes, see integrator.wgsl) and its decoding to per-pixel means.

/** The film on the GPU: four planes of vec4f (radiance sum + count, radiance^2 sum, albedo sum, normal+depth sum). */
export interface Frame {
  width: number;
  height: number;
  /** Samples in every pixel; GPU consumers normalise by it (so read it only between whole samples, see PathTracer.partial). */
  spp: number;
  film: GPUBuffer;
}

/** A frame read back to the CPU; per-pixel means over the accumulated samples. */
export interface FrameData {
  width: number;
  height: number;
  /** Samples in every pixel (rows of a band-by-band sample in progress may hold more; their means use their own count). */
  spp: number;
  /** Linear HDR radiance, RGB per pixel. */
  color: Float32Array;
  /** Per-pixel variance of one sample (unbiased), RGB; divide by spp for the variance of the mean. */
  variance: Float32Array;
  albedo: Float32Array;
  normal: Float32Array;
  depth: Float32Array;
  /**
   * Mean first-hit emission, RGB: what each sample's camera ray hit first emitted (PathTracer option
   * `firstHitEmission`; absent without it). See PathTracer.readFirstHitEmission.
   */
  firstHitEmission?: Float32Array;
}

/**
 * Means and per-sample variances from the raw film. Each pixel is divided by its own sample count (w of the
 * radiance plane; exact in f32 below 2^24), which equals `spp` everywhere except in rows of a band-by-band sample
 * still in progress; `spp` is only reported. A pixel without samples decodes to zeros.
 */
export function decodeFilm(raw: Float32Array, width: number, height: number, spp: number): FrameData {
  const n = width * height;
  if (raw.length < 16 * n) throw new RangeError(`film of ${raw.length} floats is too small for ${width}x${height}`);
  const out: FrameData = {
    width,
    height,
    spp,
    color: new Float32Array(n * 3),
    variance: new Float32Array(n * 3),
    albedo: new Float32Array(n * 3),
    normal: new Float32Array(n * 3),
    depth: new Float32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const k = raw[i * 4 + 3];
    if (!(k > 0)) continue;
    for (let c = 0; c < 3; c++) {
      const mean = raw[i * 4 + c] / k;
      out.color[i * 3 + c] = mean;
      const sq = raw[(n + i) * 4 + c] / k;
      out.variance[i * 3 + c] = k > 1 ? Math.max(0, (sq - mean * mean) * (k / (k - 1))) : 0;
      out.albedo[i * 3 + c] = raw[(2 * n + i) * 4 + c] / k;
      out.normal[i * 3 + c] = raw[(3 * n + i) * 4 + c] / k;
    }
    out.depth[i] = raw[(3 * n + i) * 4 + 3] / k;
  }
  return out;
}

/** The radiance means alone from the film's first plane (`raw`: at least width x height vec4f): FrameData.color. */
export function decodeRadiance(raw: Float32Array, width: number, height: number): Float32Array {
  const n = width * height;
  if (raw.length < 4 * n) throw new RangeError(`radiance plane of ${raw.length} floats is too small for ${width}x${height}`);
  const color = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const k = raw[i * 4 + 3];
    if (!(k > 0)) continue;
    for (let c = 0; c < 3; c++) color[i * 3 + c] = raw[i * 4 + c] / k;
  }
  return color;
}
