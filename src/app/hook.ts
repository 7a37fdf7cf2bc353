// The small test hook the app puts on `window.tracelab`, so browser tests can wait for samples and read results.

export interface AppStats {
  scene: string;
  width: number;
  height: number;
  spp: number;
  targetSpp: number;
  /** True once spp reached targetSpp. */
  done: boolean;
  seed: number;
  maxDepth: number;
  /** Adapter name as GpuContext reports it; '' until the context exists. */
  adapter: string;
  samplesPerSecond: number;
  /** Mean linear radiance of the image (all pixels and channels) and its standard error. */
  meanRadiance: number;
  meanRadianceSE: number;
  /** The message shown on the page when something failed; null while all is well. */
  error: string | null;
}

/** Denoiser options a test may pick (defaults 'auto': what the adapter supports best). */
export interface DenoiseCheckOptions {
  precision?: 'auto' | 'f32' | 'f16';
  lanes?: 'auto' | 'subgroup' | 'plain';
}

/** What `denoiseTest()` ran and produced (see src/app/denoise-check.ts). */
export interface DenoiseCheckResult {
  width: number;
  height: number;
  /** Tensor and weight storage the denoiser picked ('f16' when the adapter has shader-f16). */
  precision: 'f32' | 'f16';
  /** How conv weights reached the invocations: 'subgroup' shuffles or 'plain' workgroup memory. */
  lanes: 'subgroup' | 'plain';
  adapter: string;
  /** The device's features, sorted. */
  features: string[];
  /** The adapter's subgroup sizes (0 where unknown); 'subgroup' lanes need at least 8. */
  subgroupMinSize: number;
  subgroupMaxSize: number;
  createMs: number;
  denoiseMs: number;
  /** Denoised linear HDR RGB, width * height * 3 values. */
  rgb: number[];
}

export interface TracelabHook {
  /** Resolves once the GPU context and the first scene are set up; rejects with the page's error message. */
  ready: Promise<void>;
  /** Resolves when the current render reaches its target spp; rejects if it fails. */
  finished(): Promise<AppStats>;
  stats(): AppStats;
  /**
   * Denoises a small deterministic input (src/app/denoise-check.ts) with n2n-fast and seeded weights on the
   * page's GPU device; resolves with `{ error }` instead of rejecting so a test sees the message.
   */
  denoiseTest(options?: DenoiseCheckOptions): Promise<DenoiseCheckResult | { error: string }>;
}

declare global {
  interface Window {
    tracelab?: TracelabHook;
  }
}
