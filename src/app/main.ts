// Browser front end: pick a built-in scene or drop a .glb/.gltf, path trace it progressively with WebGPU
// compute, orbit the camera, denoise, compare against a reference, save. The image goes to a 2D canvas through
// putImageData rather than a WebGPU canvas context: presenting WebGPU to a canvas kills headless Chromium's GPU
// process on software adapters, and the tone mapping runs on the CPU (src/app/display.ts) anyway.
import { builtinScenes, findScene } from '../../scenes/index.ts';
import { createBrowserGpuContext } from '../gpu/browser.ts';
import { GpuError, type GpuContext } from '../gpu/context.ts';
import type { ToneOperator } from '../image/tonemap.ts';
import { collectStats, type AppState } from './app-stats.ts';
import { OrbitCamera } from './camera.ts';
import { wireControls } from './controls.ts';
import type { CompareKind } from './display.ts';
import { autoDenoiserKind, setOidnWeights } from './denoising.ts';
import { fallbackDenoise } from './fallback.ts';
import { loadFiles, type FileLike } from './files.ts';
import type { AppImages, AppStats, TracelabHook } from './hook.ts';
import { InputLatencyMonitor } from './latency.ts';
import { OnlineTraining } from './online.ts';
import { TrainingPlot } from './online-plot.ts';
import { readParams, type AppParams } from './params.ts';
import { downloadImage, imageBaseName } from './save.ts';
import { RenderSession, type SceneSource } from './session.ts';
import { findElements, renderPanel, showNotice } from './ui.ts';
import { CanvasView, mainKind, viewImages } from './view.ts';

const ui = findElements();
const view = new CanvasView(ui.canvas, ui.divider);
const state: AppState = {
  params: null, gpu: null, session: null, online: null, fallback: null, fatal: null, notice: null,
  latency: new InputLatencyMonitor({ now: () => performance.now(), nextFrame: (fn) => requestAnimationFrame(() => fn()) }),
  tone: { exposure: 0, operator: 'aces' }, compare: 'none', split: 0.5,
};
let orbit: OrbitCamera | null = null;
let waiters: { resolve(s: AppStats): void; reject(e: Error): void }[] = [];
/** Loaded scenes by picker value (`file:NAME`), so the user can switch back to them. */
const fileScenes = new Map<string, SceneSource>();

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

function setNotice(level: 'error' | 'info', text: string | null): void {
  state.notice = text === null ? null : { level, text };
  showNotice(ui, state.notice);
}

function fail(err: unknown): void {
  state.fatal = messageOf(err);
  ui.error.textContent = state.fatal;
  ui.error.hidden = false;
  ui.progress.textContent = 'stopped';
  for (const w of waiters) w.reject(new Error(state.fatal));
  waiters = [];
}

function readControls(): void {
  state.tone = { exposure: Number(ui.exposure.value), operator: ui.tonemap.value as ToneOperator };
  state.compare = ui.compare.value as CompareKind;
  state.split = Number(ui.split.value);
}

function stats(): AppStats {
  readControls();
  return collectStats(state);
}

function update(): void {
  const s = stats();
  renderPanel(ui, s);
  const refOption = ui.compare.querySelector<HTMLOptionElement>('option[value=reference]');
  if (refOption) refOption.disabled = s.reference.state !== 'ready';
  // 'auto' falls back to a-trous when the weights fail to load: show what actually denoises until a pick
  const kind = state.session?.denoise.kind;
  if (kind && state.params?.denoiser === 'auto') ui.denoiser.value = kind;
  if (s.done) {
    for (const w of waiters) w.resolve(s);
    waiters = [];
  }
}

function draw(): void {
  readControls();
  const images = viewImages(state.session, state.fallback);
  const main = images[mainKind(state.session, state.fallback)];
  const compare = state.compare === 'none' ? null : images[state.compare];
  if (view.draw(main, state.compare, compare, state.split, state.tone) && state.session) {
    state.latency.drawn(state.session.noisyVersion);
  }
  update();
}

function attachOrbit(): void {
  orbit?.dispose();
  orbit = null;
  const s = state.session;
  if (!s?.camera || !state.params) return;
  orbit = new OrbitCamera(ui.canvas, s.camera, state.params.width / state.params.height, (camera) => {
    s.setCamera(camera);
    state.latency.cameraChanged(s.cameraVersion);
    update();
  });
}

async function showScene(source: SceneSource): Promise<void> {
  const session = state.session;
  if (!session) throw new Error('WebGPU has not started');
  ui.progress.textContent = `building ${source.name}…`;
  await session.setScene(source);
  state.latency.clear();
  attachOrbit();
  const warnings = session.scene?.warnings ?? [];
  setNotice('info', warnings.length ? `${source.name}: ${warnings.join('; ')}` : null);
  update();
}

async function pickScene(value: string): Promise<void> {
  const fromFile = fileScenes.get(value);
  if (fromFile) return showScene(fromFile);
  const entry = findScene(value);
  if (!entry) throw new Error(`no built-in scene '${value}'`);
  await showScene({ name: value, origin: 'builtin', built: await entry.build() });
}

/** The picker's OIDN entry becomes usable once its weights are loaded. */
function enableOidnOption(): void {
  const option = ui.denoiser.querySelector<HTMLOptionElement>('option[value=oidn]');
  if (!option) return;
  option.disabled = false;
  option.textContent = 'OIDN';
}

/** Applies dropped or picked files; a bad file shows an error and leaves everything as it was. */
async function openFiles(files: readonly FileLike[]): Promise<void> {
  try {
    const loaded = await loadFiles(files);
    const session = state.session;
    if (!session) {
      state.fallback = await fallbackDenoise(loaded);
      setNotice('info', state.fallback.notes.length ? state.fallback.notes.join('; ') : null);
      return draw();
    }
    const infos: string[] = [];
    for (const item of loaded) {
      if (item.kind === 'scene') {
        const value = `file:${item.name}`;
        const source: SceneSource = { name: item.name, origin: 'file', built: item.built };
        await showScene(source);
        fileScenes.set(value, source);
        if (!ui.scene.querySelector(`option[value="${CSS.escape(value)}"]`)) ui.scene.add(new Option(`${item.name} (file)`, value));
        ui.scene.value = value;
        if (state.notice) infos.push(state.notice.text);
      } else if (item.kind === 'environment') {
        await session.setEnvironment(item.name, item.environment);
        infos.push(`environment: ${item.name}`);
      } else if (item.kind === 'oidn-weights') {
        setOidnWeights(item.name, item.bytes);
        enableOidnOption();
        infos.push(`OIDN weights: ${item.name} (pick OIDN under Denoiser)`);
        // OIDN already picked (and waiting for these): start it again with them
        if (state.params?.denoiser === 'oidn') await session.setDenoiser('oidn', true);
      } else if (item.role === 'color') {
        session.setReferenceImage(item.name, item.image);
        infos.push(`reference: ${item.name}`);
      } else {
        infos.push(`${item.name}: ${item.role} images are only used by the no-WebGPU denoiser; ignored`);
      }
    }
    setNotice('info', infos.length ? infos.join('\n') : null);
  } catch (err) {
    setNotice('error', messageOf(err));
  }
  update();
}

function save(format: 'png' | 'exr'): void {
  const kind = mainKind(state.session, state.fallback);
  const image = viewImages(state.session, state.fallback)[kind];
  if (!image) return setNotice('error', 'nothing to save yet');
  const s = stats();
  const name = state.session ? s.scene : state.fallback?.name ?? 'image';
  try {
    downloadImage(image, format, imageBaseName(name, s.spp, kind === 'denoised'), state.tone);
  } catch (err) {
    setNotice('error', messageOf(err));
  }
}

/** A WebGPU context, or an error saying exactly what is missing. */
async function startGpu(): Promise<GpuContext> {
  const fallbackHint = ' Without WebGPU you can still denoise an .exr or .png image below (gpu.js).';
  if (!window.isSecureContext) throw new Error(`WebGPU needs a secure context: open this page over https or from localhost.${fallbackHint}`);
  if (!navigator.gpu) {
    throw new Error('WebGPU is not available in this browser (navigator.gpu is missing). Use a browser with WebGPU ' +
      `enabled, e.g. Chrome or Edge 113+, or start Chromium with --enable-unsafe-webgpu.${fallbackHint}`);
  }
  try {
    return await createBrowserGpuContext({ label: 'tracelab app device' });
  } catch (err) {
    const what = err instanceof GpuError && /No WebGPU adapter/.test(err.message)
      ? 'navigator.gpu.requestAdapter() found no adapter (WebGPU is disabled or the GPU is blocklisted)'
      : messageOf(err);
    throw new Error(`WebGPU is not available: ${what}. On Linux, Chromium needs --enable-unsafe-webgpu.${fallbackHint}`);
  }
}

function initControls(params: AppParams): void {
  for (const entry of builtinScenes) {
    const option = new Option(`${entry.name} (${entry.triangles} triangles)`, entry.name);
    option.title = entry.description;
    ui.scene.add(option);
  }
  ui.scene.value = params.scene;
  ui.referenceSpp.value = String(params.referenceSpp);
  ui.denoise.checked = params.denoise;
  ui.denoiser.value = params.denoiser === 'auto' ? autoDenoiserKind() : params.denoiser;
  ui.denoiseEvery.value = String(params.denoiseEvery);
  ui.ensemble.value = String(params.ensemble);
  ui.canvas.width = params.width;
  ui.canvas.height = params.height;
  wireControls(ui, {
    pickScene: (value) => {
      pickScene(value).then(() => {
        const url = new URL(location.href);
        if (findScene(value)) url.searchParams.set('scene', value);
        history.replaceState(null, '', url);
      }, (err: unknown) => {
        // the current scene goes on: the picker shows it again, and the panel replaces 'building …'
        setNotice('error', messageOf(err));
        const source = state.session?.source;
        if (source) ui.scene.value = source.origin === 'file' ? `file:${source.name}` : source.name;
        update();
      });
    },
    openFiles: (files) => void openFiles(files),
    setDenoise: (on, every) => state.session?.setDenoise(on, every),
    setDenoiser: (kind) => {
      if (state.params) state.params.denoiser = kind;
      const url = new URL(location.href);
      url.searchParams.set('denoiser', kind);
      history.replaceState(null, '', url);
      state.session?.setDenoiser(kind).catch((err: unknown) => setNotice('error', messageOf(err)));
    },
    setEnsemble: (n) => {
      if (state.params) state.params.ensemble = n;
      const url = new URL(location.href);
      url.searchParams.set('ensemble', String(n));
      history.replaceState(null, '', url);
      state.session?.setFinalEnsemble(n);
    },
    setOnline: (on) => state.online?.set(on),
    makeReference: (spp) => state.session?.requestReference(spp),
    redraw: draw,
    save,
    input: (t) => state.latency.input(t),
    error: (text) => setNotice('error', text),
  });
}

async function init(): Promise<void> {
  // a bad URL parameter is reported and its default used: the app still starts
  const { params, problems } = readParams(location.search);
  const paramProblems = problems.length > 0 ? problems.join('\n') : null;
  state.params = params;
  initControls(params);
  if (paramProblems) setNotice('error', paramProblems);
  try {
    state.gpu = await startGpu();
  } catch (err) {
    ui.fallback.hidden = false;
    ui.adapter.textContent = 'none (no WebGPU)';
    for (const el of [ui.scene, ui.file, ui.denoise, ui.denoiser, ui.denoiseEvery, ui.ensemble, ui.online, ui.makeReference, ui.referenceSpp]) el.disabled = true;
    throw err;
  }
  const gpu = state.gpu;
  ui.adapter.textContent = gpu.adapter.name + (gpu.adapter.isFallback ? ' (software fallback)' : '');
  state.session = new RenderSession(gpu, params, {
    frame: draw,
    preview: (frame, version) => {
      readControls();
      view.drawPreview(frame, state.tone);
      state.latency.drawn(version);
      update();
    },
    notice: (text) => setNotice('info', text),
    failed: fail,
  });
  state.online = new OnlineTraining(gpu, state.session, new TrainingPlot(ui.onlinePlot), { changed: update, notice: (text) => setNotice('info', text) });
  state.session.setFinalEnsemble(params.ensemble);
  state.session.setDenoise(params.denoise, params.denoiseEvery);
  await pickScene(params.scene);
  // the scene's notice (its warnings, or none) replaced the one above
  if (paramProblems) setNotice('error', state.notice ? `${paramProblems}\n${state.notice.text}` : paramProblems);
}

async function images(): Promise<AppImages> {
  const v = viewImages(state.session, state.fallback);
  const arr = (img: { data: Float32Array } | null): number[] | null => (img ? Array.from(img.data) : null);
  const any = v.noisy ?? v.denoised;
  return {
    width: any?.width ?? 0, height: any?.height ?? 0, spp: state.session?.noisy?.spp ?? 0,
    noisy: arr(v.noisy), denoised: arr(v.denoised), reference: arr(v.reference),
  };
}

const ready = init();
ready.catch(fail);

const hook: TracelabHook = {
  ready,
  finished: () => {
    if (state.fatal) return Promise.reject(new Error(state.fatal));
    const s = stats();
    if (s.done) return Promise.resolve(s);
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  },
  stats,
  images,
  denoiseTest: async (options = {}) => {
    try {
      await ready;
      if (!state.gpu) throw new Error('WebGPU has not started');
      // loaded on demand: only tests use it
      const { runDenoiseCheck } = await import('./denoise-check.ts');
      return await runDenoiseCheck(state.gpu, options);
    } catch (err) {
      return { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
  },
  timeDenoiser: async (kind, runs, separated = false) => {
    try {
      await ready;
      return await state.session!.timeDenoiser(kind, runs, separated);
    } catch (err) {
      return { error: messageOf(err) };
    }
  },
};
window.tracelab = hook;
