// The app's state as the test hook and the panel see it (AppStats in hook.ts).
import type { GpuContext } from '../gpu/context.ts';
import type { CompareKind, ToneSettings } from './display.ts';
import type { FallbackResult } from './fallback.ts';
import type { AppStats } from './hook.ts';
import type { InputLatencyMonitor } from './latency.ts';
import type { OnlineTraining } from './online.ts';
import type { AppParams } from './params.ts';
import type { RenderSession } from './session.ts';
import { imageMean } from './stats.ts';
import { mainKind } from './view.ts';

export interface AppState {
  params: AppParams | null;
  gpu: GpuContext | null;
  session: RenderSession | null;
  online: OnlineTraining | null;
  fallback: FallbackResult | null;
  fatal: string | null;
  notice: AppStats['notice'];
  latency: InputLatencyMonitor;
  tone: ToneSettings;
  compare: CompareKind;
  split: number;
}

export function collectStats(a: AppState): AppStats {
  const { params, session: s, fallback } = a;
  const frame = s?.noisy ?? null;
  const mean = frame ? imageMean(frame) : { mean: 0, standardError: 0 };
  const ref = s?.reference;
  return {
    scene: s?.source?.name ?? params?.scene ?? '',
    sceneSource: s?.source?.origin ?? 'builtin',
    width: params?.width ?? 0,
    height: params?.height ?? 0,
    spp: frame?.spp ?? 0,
    targetSpp: params?.targetSpp ?? 0,
    done: s?.done ?? false,
    seed: params?.seed ?? 0,
    maxDepth: params?.maxDepth ?? 0,
    adapter: a.gpu?.adapter.name ?? '',
    samplesPerSecond: s?.samplesPerSecond() ?? 0,
    msPerSpp: s?.msPerSpp ?? null,
    meanRadiance: mean.mean,
    meanRadianceSE: mean.standardError,
    error: a.fatal,
    notice: a.notice,
    webgpu: a.gpu !== null,
    environment: s?.environment?.name ?? null,
    warnings: s?.scene?.warnings ?? [],
    cameraChanges: s?.cameraChanges ?? 0,
    previewScale: s?.scale ?? 1,
    denoise: {
      enabled: s?.denoise.enabled ?? false,
      denoiser: s?.denoise.override?.label ?? s?.denoise.label ?? '',
      everySpp: s?.denoise.every ?? 0,
      ms: s?.denoise.ms ?? 0,
      runs: s?.denoise.runs ?? 0,
      spp: s?.denoised?.spp ?? 0,
      finalEnsemble: s?.denoise.finalEnsemble ?? 1,
      ensemble: s?.denoised ? s.denoise.resultEnsemble : 1,
      emissionSpp: s?.denoised ? s.denoise.resultEmissionSpp : 0,
    },
    reference: {
      state: ref?.state ?? 'none',
      source: ref?.result?.source ?? (ref?.state === 'rendering' ? 'render' : null),
      spp: ref?.spp ?? 0,
      targetSpp: ref?.result?.spp ?? ref?.target ?? 0,
    },
    online: a.online?.stats() ?? { enabled: false, label: '', step: 0, loss: null, stepsPerSecond: 0, psnr: null, psnrStep: 0, frameMs: 0, stepsPerFrame: 0, separatedPairs: false },
    psnrNoisy: s?.psnrNoisy ?? null,
    psnrDenoised: s?.psnrDenoised ?? null,
    latency: { inputToVisible: a.latency.inputToVisible.summary(), inputToFrame: a.latency.inputToFrame.summary() },
    exposure: a.tone.exposure,
    tonemap: a.tone.operator,
    view: { main: mainKind(s, fallback), compare: a.compare, split: a.split },
    fallback: fallback && { backend: fallback.backend, ms: fallback.ms, width: fallback.output.width, height: fallback.output.height },
  };
}
