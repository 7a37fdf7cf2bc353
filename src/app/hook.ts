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

export interface TracelabHook {
  /** Resolves once the GPU context and the first scene are set up; rejects with the page's error message. */
  ready: Promise<void>;
  /** Resolves when the current render reaches its target spp; rejects if it fails. */
  finished(): Promise<AppStats>;
  stats(): AppStats;
}

declare global {
  interface Window {
    tracelab?: TracelabHook;
  }
}
