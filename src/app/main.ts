// Browser front end: pick a built-in scene, path trace it progressively with WebGPU compute, and show the
// tone-mapped image on a 2D canvas. The image goes through putImageData rather than a WebGPU canvas context:
// presenting WebGPU to a canvas kills headless Chromium's GPU process on software adapters.
import { builtinScenes, findScene } from '../../scenes/index.ts';
import { createBrowserGpuContext } from '../gpu/browser.ts';
import type { GpuContext } from '../gpu/context.ts';
import { tonemap8 } from '../image/tonemap.ts';
import { PathTracer, type FrameData } from '../render/path-tracer.ts';
import { compileScene } from '../scene/compile.ts';
import type { AppStats, TracelabHook } from './hook.ts';
import { parseParams, type AppParams } from './params.ts';
import { imageMean } from './stats.ts';

/** Wall time one animation frame should spend path tracing; the samples per frame adapt to it. */
const FRAME_BUDGET_MS = 60;
const MAX_SPP_PER_FRAME = 64;

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html: element #${id} is missing`);
  return el as T;
}

const ui = {
  scene: byId<HTMLSelectElement>('scene'),
  canvas: byId<HTMLCanvasElement>('image'),
  adapter: byId<HTMLElement>('adapter'),
  progress: byId<HTMLElement>('progress'),
  error: byId<HTMLElement>('error'),
};

let params: AppParams;
let gpu: GpuContext | null = null;
let tracer: PathTracer | null = null;
/** Bumped on every scene change; a render loop whose generation is stale stops. */
let generation = 0;
/** The step in flight, so a scene change waits for it before destroying the tracer. */
let inFlight: Promise<void> = Promise.resolve();
let renderMs = 0;
let sppPerFrame = 1;
let waiters: { resolve(s: AppStats): void; reject(e: Error): void }[] = [];

const stats: AppStats = {
  scene: '', width: 0, height: 0, spp: 0, targetSpp: 0, done: false, seed: 0, maxDepth: 0,
  adapter: '', samplesPerSecond: 0, meanRadiance: 0, meanRadianceSE: 0, error: null,
};

function fail(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  stats.error = message;
  ui.error.textContent = message;
  ui.error.hidden = false;
  ui.progress.textContent = 'stopped';
  for (const w of waiters) w.reject(new Error(message));
  waiters = [];
}

function settle(): void {
  for (const w of waiters) w.resolve({ ...stats });
  waiters = [];
}

function draw(frame: FrameData): void {
  const mapped = tonemap8({ width: frame.width, height: frame.height, channels: 3, data: frame.color });
  const image = new ImageData(frame.width, frame.height);
  const rgba = image.data;
  for (let p = 0, i = 0, o = 0; p < frame.width * frame.height; p++, i += 3, o += 4) {
    rgba[o] = mapped.data[i];
    rgba[o + 1] = mapped.data[i + 1];
    rgba[o + 2] = mapped.data[i + 2];
    rgba[o + 3] = 255;
  }
  const ctx = ui.canvas.getContext('2d');
  if (!ctx) throw new Error('this browser has no 2D canvas context');
  ctx.putImageData(image, 0, 0);
}

function showProgress(): void {
  const sppPerSecond = stats.samplesPerSecond / (stats.width * stats.height);
  ui.progress.textContent =
    `${stats.spp} / ${stats.targetSpp} spp · ${sppPerSecond.toFixed(1)} spp/s · ` +
    `${(stats.samplesPerSecond / 1e6).toFixed(2)} M samples/s · mean radiance ${stats.meanRadiance.toFixed(4)}`;
}

/** One animation frame of work: add samples, read the film back, tone map and draw it. */
async function step(gen: number): Promise<void> {
  const pt = tracer;
  if (gen !== generation || !pt) return;
  const n = Math.min(sppPerFrame, params.targetSpp - pt.samples);
  const t0 = performance.now();
  await pt.accumulate(n);
  const dt = performance.now() - t0;
  const frame = await pt.readFrame();
  if (gen !== generation) return;
  renderMs += dt;
  sppPerFrame = Math.max(1, Math.min(MAX_SPP_PER_FRAME, Math.round((n * FRAME_BUDGET_MS) / Math.max(dt, 1))));
  const { mean, standardError } = imageMean(frame);
  Object.assign(stats, {
    spp: frame.spp,
    samplesPerSecond: (frame.spp * frame.width * frame.height) / (Math.max(renderMs, 1e-3) / 1000),
    meanRadiance: mean,
    meanRadianceSE: standardError,
  });
  draw(frame);
  showProgress();
  if (pt.samples < params.targetSpp) schedule(gen);
  else {
    stats.done = true;
    settle();
  }
}

function schedule(gen: number): void {
  requestAnimationFrame(() => {
    inFlight = step(gen).catch(fail);
  });
}

/** Replaces the current render with `sceneName` from sample 0. */
async function start(sceneName: string): Promise<void> {
  const gen = ++generation;
  await inFlight;
  tracer?.destroy();
  tracer = null;
  stats.done = false;
  params = { ...params, scene: sceneName };
  Object.assign(stats, {
    scene: sceneName, width: params.width, height: params.height, spp: 0, targetSpp: params.targetSpp,
    seed: params.seed, maxDepth: params.maxDepth, samplesPerSecond: 0, meanRadiance: 0, meanRadianceSE: 0,
  });
  const entry = findScene(sceneName);
  if (!entry) throw new Error(`no built-in scene '${sceneName}'`);
  if (!gpu) throw new Error('WebGPU has not started');
  ui.progress.textContent = `building ${sceneName}…`;
  const compiled = compileScene(await entry.build(), { name: sceneName });
  const pt = await PathTracer.create(gpu, compiled, { width: params.width, height: params.height, maxDepth: params.maxDepth });
  if (gen !== generation) {
    pt.destroy();
    return;
  }
  tracer = pt;
  pt.reset(params.seed);
  renderMs = 0;
  sppPerFrame = 1;
  ui.canvas.width = params.width;
  ui.canvas.height = params.height;
  schedule(gen);
}

function noWebGpuMessage(): string {
  if (!window.isSecureContext) return 'WebGPU needs a secure context: open this page over https or from localhost.';
  return 'WebGPU is not available in this browser (navigator.gpu is missing). Use a browser with WebGPU ' +
    'enabled, e.g. Chrome or Edge 113+, or start Chromium with --enable-unsafe-webgpu.';
}

async function init(): Promise<void> {
  params = parseParams(location.search);
  for (const entry of builtinScenes) {
    const option = new Option(`${entry.name} (${entry.triangles} triangles)`, entry.name);
    option.title = entry.description;
    ui.scene.add(option);
  }
  ui.scene.value = params.scene;
  if (typeof navigator === 'undefined' || !navigator.gpu) throw new Error(noWebGpuMessage());
  try {
    gpu = await createBrowserGpuContext({ label: 'tracelab app device' });
  } catch (err) {
    const hint = ' (Chromium on Linux: enable chrome://flags/#enable-unsafe-webgpu or start it with --enable-unsafe-webgpu)';
    throw new Error(`Could not start WebGPU: ${err instanceof Error ? err.message : String(err)}${hint}`);
  }
  stats.adapter = gpu.adapter.name;
  ui.adapter.textContent = gpu.adapter.name + (gpu.adapter.isFallback ? ' (software fallback)' : '');
  ui.scene.addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('scene', ui.scene.value);
    history.replaceState(null, '', url);
    ui.error.hidden = true;
    stats.error = null;
    start(ui.scene.value).catch(fail);
  });
  await start(params.scene);
}

const ready = init();
ready.catch(fail);

const hook: TracelabHook = {
  ready,
  finished: () => {
    if (stats.error) return Promise.reject(new Error(stats.error));
    if (stats.done) return Promise.resolve({ ...stats });
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  },
  stats: () => ({ ...stats }),
  denoiseTest: async (options = {}) => {
    try {
      await ready;
      if (!gpu) throw new Error('WebGPU has not started');
      // loaded on demand: the app itself does not denoise yet, so its start-up does not pay for the denoiser
      const { runDenoiseCheck } = await import('./denoise-check.ts');
      return await runDenoiseCheck(gpu, options);
    } catch (err) {
      return { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
  },
};
window.tracelab = hook;
