import { describe, expect, it } from 'vitest';
import { collectStats } from '../../src/app/app-stats.ts';
import type { AppStats } from '../../src/app/hook.ts';
import { InputLatencyMonitor } from '../../src/app/latency.ts';
import { DEFAULT_PARAMS } from '../../src/app/params.ts';
import { renderPanel, type Elements } from '../../src/app/ui.ts';

/** The page's elements as plain objects (renderPanel only sets their properties). */
function fakeElements(): Elements {
  const els = new Map<string | symbol, Record<string, unknown>>();
  return new Proxy({}, {
    get: (_, key) => {
      if (!els.has(key)) els.set(key, { textContent: '', checked: false, hidden: false, value: '' });
      return els.get(key);
    },
  }) as Elements;
}

function stats(denoiseEnabled: boolean): AppStats {
  const s = collectStats({
    params: DEFAULT_PARAMS, gpu: null, session: null, online: null, fallback: null, fatal: null, notice: null,
    latency: new InputLatencyMonitor({ now: () => 0, nextFrame: () => undefined }),
    tone: { exposure: 0, operator: 'aces' }, compare: 'none', split: 0.5,
  });
  return { ...s, denoise: { ...s.denoise, enabled: denoiseEnabled } };
}

describe('the stats panel', () => {
  it('the Denoise checkbox shows whether denoising is on: a denoiser that failed to start turns it off', () => {
    const ui = fakeElements();
    ui.denoise.checked = true; // ?denoise=1&denoiser=oidn, before OIDN's weights were dropped: denoising stopped
    renderPanel(ui, stats(false));
    expect(ui.denoise.checked).toBe(false);
    expect(ui.statDenoiser.textContent).toBe('off');
    renderPanel(ui, stats(true));
    expect(ui.denoise.checked).toBe(true);
  });
});
