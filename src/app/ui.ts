// The page's elements (index.html) and the stats panel. No state here: main.ts owns it.
import type { AppStats, LatencySummary } from './hook.ts';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html: element #${id} is missing`);
  return el as T;
}

export function findElements() {
  return {
    stage: byId<HTMLElement>('stage'),
    canvas: byId<HTMLCanvasElement>('image'),
    divider: byId<HTMLElement>('divider'),
    progress: byId<HTMLElement>('progress'),
    error: byId<HTMLElement>('error'),
    notice: byId<HTMLElement>('notice'),
    scene: byId<HTMLSelectElement>('scene'),
    file: byId<HTMLInputElement>('file'),
    denoise: byId<HTMLInputElement>('denoise'),
    denoiser: byId<HTMLSelectElement>('denoiser'),
    denoiseEvery: byId<HTMLInputElement>('denoise-every'),
    ensemble: byId<HTMLSelectElement>('ensemble'),
    online: byId<HTMLInputElement>('online'),
    onlinePlot: byId<HTMLElement>('online-plot'),
    compare: byId<HTMLSelectElement>('compare'),
    split: byId<HTMLInputElement>('split'),
    makeReference: byId<HTMLButtonElement>('make-reference'),
    referenceSpp: byId<HTMLInputElement>('ref-spp'),
    exposure: byId<HTMLInputElement>('exposure'),
    exposureValue: byId<HTMLOutputElement>('exposure-value'),
    tonemap: byId<HTMLSelectElement>('tonemap'),
    savePng: byId<HTMLButtonElement>('save-png'),
    saveExr: byId<HTMLButtonElement>('save-exr'),
    adapter: byId<HTMLElement>('adapter'),
    statSpp: byId<HTMLElement>('stat-spp'),
    statSpeed: byId<HTMLElement>('stat-speed'),
    statDenoiser: byId<HTMLElement>('stat-denoiser'),
    statDenoise: byId<HTMLElement>('stat-denoise'),
    statReference: byId<HTMLElement>('stat-reference'),
    statPsnr: byId<HTMLElement>('stat-psnr'),
    statLatency: byId<HTMLElement>('stat-latency'),
    statTrainer: byId<HTMLElement>('stat-trainer'),
    statTraining: byId<HTMLElement>('stat-training'),
    fallback: byId<HTMLElement>('fallback'),
    fallbackFile: byId<HTMLInputElement>('fallback-file'),
  };
}

export type Elements = ReturnType<typeof findElements>;

function db(v: number | null): string {
  return v === null ? '–' : Number.isFinite(v) ? `${v.toFixed(2)} dB` : '∞';
}

function latency(l: LatencySummary): string {
  return l.count === 0 ? '–' : `${l.lastMs.toFixed(0)} ms (median ${l.p50Ms.toFixed(0)}, p95 ${l.p95Ms.toFixed(0)}, ${l.count} samples)`;
}

export function renderPanel(ui: Elements, s: AppStats): void {
  const sppPerSecond = s.width * s.height > 0 ? s.samplesPerSecond / (s.width * s.height) : 0;
  ui.statSpp.textContent = `${s.spp} / ${s.targetSpp} spp${s.previewScale > 1 ? ` (moving: preview at 1/${s.previewScale} size)` : ''}`;
  ui.statSpeed.textContent = s.samplesPerSecond > 0
    ? `${(s.samplesPerSecond / 1e6).toFixed(3)} M samples/s (${sppPerSecond.toFixed(1)} spp/s at ${s.width}x${s.height}` +
      `${s.msPerSpp === null ? '' : `; last passes ${s.msPerSpp.toFixed(0)} ms per spp`})`
    : '–';
  const d = s.denoise;
  ui.denoise.checked = d.enabled; // a denoiser that fails turns denoising off: the box must not stay ticked
  ui.statDenoiser.textContent = d.denoiser || (d.enabled ? 'starting…' : 'off');
  ui.statDenoise.textContent = d.runs > 0
    ? `${d.ms.toFixed(1)} ms (last of ${d.runs}, at ${d.spp} spp${d.ensemble > 1 ? `, ensemble of ${d.ensemble}` : ''}` +
      `${d.emissionSpp > 0 ? `, emission separated (${d.emissionSpp} rays)` : ''})`
    : '–';
  const r = s.reference;
  ui.statReference.textContent = r.state === 'none' ? 'none'
    : r.state === 'rendering' ? `rendering ${r.spp} / ${r.targetSpp} spp`
    : r.source === 'file' ? 'loaded from file' : `${r.spp} spp`;
  ui.statPsnr.textContent = s.psnrNoisy === null ? '– (needs a reference)' : `noisy ${db(s.psnrNoisy)} · denoised ${db(s.psnrDenoised)}`;
  const o = s.online;
  ui.online.checked = o.enabled;
  ui.onlinePlot.hidden = !o.enabled && o.step === 0;
  ui.statTrainer.textContent = o.label || (o.enabled ? 'starting…' : 'off');
  ui.statTraining.textContent = !o.enabled && o.step === 0 ? '–'
    : `step ${o.step}${o.enabled ? ` · ${o.stepsPerSecond.toFixed(2)} steps/s${o.stepsPerFrame > 1 ? ` (${o.stepsPerFrame} per frame)` : ''}` : ' (off)'}` +
      ` · loss ${o.loss === null ? '–' : o.loss.toPrecision(3)}` + (o.psnr === null ? '' : ` · PSNR ${db(o.psnr)} (step ${o.psnrStep})`);
  ui.statLatency.textContent = `to screen ${latency(s.latency.inputToVisible)}; to next frame ${latency(s.latency.inputToFrame)}`;
  ui.progress.textContent =
    `${s.spp} / ${s.targetSpp} spp · ${sppPerSecond.toFixed(1)} spp/s · ` +
    `${(s.samplesPerSecond / 1e6).toFixed(2)} M samples/s · mean radiance ${s.meanRadiance.toFixed(4)}`;
}

export function showNotice(ui: Elements, notice: AppStats['notice']): void {
  ui.notice.hidden = notice === null;
  ui.notice.textContent = notice?.text ?? '';
  ui.notice.className = `message ${notice?.level ?? ''}`;
}
