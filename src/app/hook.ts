// The small test hook the app puts on `window.tracelab`, so browser tests can wait for samples and read results.
import type { ToneOperator } from '../image/tonemap.ts';
import type { CompareKind } from './display.ts';
import type { LatencySummary } from './latency.ts';

export type { LatencySummary };

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
  /** Pixel samples per second over the GPU submissions since the view last restarted. */
  samplesPerSecond: number;
  /** Recent GPU time per sample per pixel at full resolution (smoothed over the last passes); null before one. */
  msPerSpp: number | null;
  /** Mean linear radiance of the image (all pixels and channels) and its standard error. */
  meanRadiance: number;
  meanRadianceSE: number;
  /** The message shown on the page when something failed; null while all is well. */
  error: string | null;
  /**
   * The last non-fatal message shown on the page: 'error' for a file that could not be used (the app goes on with
   * what it had), 'info' for things like a discarded reference or a scene's warnings; null if none.
   */
  notice: { level: 'error' | 'info'; text: string } | null;
  /** False when the page has no WebGPU (see `error`); the gpu.js fallback denoiser is offered then. */
  webgpu: boolean;
  /** 'builtin' or 'file' (a loaded .glb/.gltf); `scene` is the built-in's name or the file name. */
  sceneSource: 'builtin' | 'file';
  /** Loaded .hdr environment file, or null for the scene's own. */
  environment: string | null;
  /** The scene's warnings (e.g. glTF features it could not represent). */
  warnings: string[];
  /** Camera moves by the user (each restarts accumulation). */
  cameraChanges: number;
  /** Preview downscale per side in use (1: full resolution). */
  previewScale: number;
  denoise: {
    enabled: boolean;
    /** What denoises (e.g. 'a-trous baseline (no trained n2n-fast weights yet ...)'); '' until it has started. */
    denoiser: string;
    everySpp: number;
    /** Time of the last denoise, ms (GPU work + read-back). */
    ms: number;
    runs: number;
    /** spp of the frame the current denoised image came from; 0 if none. */
    spp: number;
    /** The final denoise's ensemble size as set, and that of the current denoised image (1: one pass). */
    finalEnsemble: number;
    ensemble: number;
    /** Emission separation of the current denoised image: rays per pixel of the emission put back; 0: none. */
    emissionSpp: number;
  };
  reference: {
    /** 'none', 'rendering' (in the background), or 'ready'. */
    state: 'none' | 'rendering' | 'ready';
    source: 'render' | 'file' | null;
    spp: number;
    targetSpp: number;
  };
  /** Online per-scene training (src/app/online.ts); its network denoises the view while it is on. */
  online: {
    enabled: boolean;
    /** Where it started, e.g. 'n2n-fast online, from trained weights'; '' before the first start. */
    label: string;
    /** Adam steps so far (kept when turned off and on again on the same scene; 0 again for a new scene). */
    step: number;
    /** Loss of the last step; null before one or when it was not finite. */
    loss: number | null;
    /** Steps per wall-clock second over the last few seconds (0 while off). */
    stepsPerSecond: number;
    /** Last validation: PSNR (dB) of the online network's denoised view against the reference, at `psnrStep`. */
    psnr: number | null;
    psnrStep: number;
    /** Wall time of the last train frame (its pair render, steps and any validation), ms. */
    frameMs: number;
    /** Adam steps the last train frame took (as many as fit the frame budget, 1 on a software adapter; 0 before one). */
    stepsPerFrame: number;
    /** Its training pairs have the emission the camera sees taken out, as its denoises do (emission separation on). */
    separatedPairs: boolean;
  };
  /** PSNR (dB, METRIC_TONEMAP sRGB) of the noisy / denoised image against the reference; null without one. */
  psnrNoisy: number | null;
  psnrDenoised: number | null;
  latency: {
    /** Camera-moving input -> the first frame showing the move on screen (see src/app/latency.ts). */
    inputToVisible: LatencySummary;
    /** Any input on the canvas -> the next animation frame. */
    inputToFrame: LatencySummary;
  };
  exposure: number;
  tonemap: ToneOperator;
  /** What the canvas shows: the main image left of `split` (0..1), `compare` right of it. */
  view: { main: 'noisy' | 'denoised'; compare: CompareKind; split: number };
  /** Last gpu.js fallback denoise (no WebGPU only). */
  fallback: { backend: string; ms: number; width: number; height: number } | null;
}

/** The images behind the view: linear RGB, width * height * 3 values each (null where there is none). */
export interface AppImages {
  width: number;
  height: number;
  spp: number;
  noisy: number[] | null;
  denoised: number[] | null;
  reference: number[] | null;
}

/** Denoiser options a test may pick (defaults 'auto': what the adapter supports best). */
export interface DenoiseCheckOptions {
  precision?: 'auto' | 'f32' | 'f16';
  lanes?: 'auto' | 'subgroup' | 'plain';
  /** The conv strip (Denoiser convStrip): '8x16' (for CPU adapters) or '4x8' (for GPUs). */
  convStrip?: 'auto' | '8x16' | '4x8';
}

/** What `denoiseTest()` ran and produced (see src/app/denoise-check.ts). */
export interface DenoiseCheckResult {
  width: number;
  height: number;
  /** Tensor and weight storage the denoiser picked ('f16' when the adapter has shader-f16). */
  precision: 'f32' | 'f16';
  /** How conv weights reached the invocations: 'subgroup' shuffles or 'plain' workgroup memory. */
  lanes: 'subgroup' | 'plain';
  /** What one conv invocation computed: '8x16' (the default on software adapters) or '4x8' (on GPUs). */
  convStrip: '8x16' | '4x8';
  adapter: string;
  /** Whether the adapter is a software (fallback) one. */
  software: boolean;
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
  /** The current images (for tests that measure error in Node). */
  images(): Promise<AppImages>;
  /**
   * Times `runs` denoises of the current frame (after one untimed warm-up run) with the a-trous baseline or the
   * n2n-fast network (untrained weights when none are trained: same cost), between render steps; for the browser
   * benchmark. `separated`: each run as the app's denoises with emission separation go (the view's first-hit emission
   * brought up to date and subtracted, the denoise, the anti-aliased emission added; `emissionSpp` reports its rays);
   * an error if the page has separation off (`?emission=0`).
   */
  timeDenoiser(kind: 'atrous' | 'n2n', runs: number, separated?: boolean): Promise<{ label: string; ms: number[]; emissionSpp: number } | { error: string }>;
}

declare global {
  interface Window {
    tracelab?: TracelabHook;
  }
}
