// Browser benchmark (npm run bench:browser): builds the app, opens it in headless Chromium (Debian's, WebGPU
// through whatever adapter Chromium picks: SwiftShader on a machine without a GPU) and prints the path tracer's
// samples/s and the denoisers' times for the Cornell box at 512x512, with the adapter's name, so the browser path
// can be compared with other web path tracers on the same adapter.
//   node bin/run-ts.js bench/browser.ts [--size 512] [--spp 4] [--runs 3] [--scene cornell-box]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AppStats } from '../src/app/hook.ts';
import { buildApp, launchChromium, openPage, serveStatic, waitForStats } from '../tests/e2e/support.ts';

function positiveInt(name: string, raw: string): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench/browser.ts: --${name} ${raw}: expected a whole number >= 1`);
    process.exit(2);
  }
  return v;
}

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '512' },
    spp: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    scene: { type: 'string', default: 'cornell-box' },
  },
});
const size = positiveInt('size', values.size);
const spp = positiveInt('spp', values.spp);
const runs = positiveInt('runs', values.runs);
const TIMEOUT_MS = 15 * 60_000;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const outDir = await mkdtemp(join(tmpdir(), 'tracelab-bench-browser-'));
const server = await (async () => {
  await buildApp(outDir);
  return serveStatic(outDir);
})();
const browser = await launchChromium();
try {
  const { page, errors } = await openPage(browser);
  const t0 = performance.now();
  await page.goto(`${server.url}?scene=${encodeURIComponent(values.scene)}&size=${size}&spp=${spp}&seed=0`);
  const stats: AppStats = await waitForStats(page, (s) => s.done && s.spp >= s.targetSpp, TIMEOUT_MS); // the frame read back, not only rendered
  const wallS = (performance.now() - t0) / 1000;
  console.log(`adapter: ${stats.adapter} (Chromium, headless)`);
  const recent = stats.msPerSpp ? (size * size) / (stats.msPerSpp / 1000) : 0;
  console.log(
    `${stats.scene} ${size}x${size}, max depth ${stats.maxDepth}, ${stats.spp} spp: ` +
    `${(recent / 1e6).toFixed(3)} M pixel samples/s over the last passes, ` +
    `${(stats.samplesPerSecond / 1e6).toFixed(3)} M over all ${stats.spp} spp (first pass includes shader compilation); ` +
    `page load to done ${wallS.toFixed(1)} s`,
  );
  for (const kind of ['atrous', 'n2n'] as const) {
    const r = await page.evaluate(({ k, n }) => window.tracelab!.timeDenoiser(k, n), { k: kind, n: runs });
    if ('error' in r) {
      console.log(`denoise ${kind}: failed: ${r.error}`);
      continue;
    }
    console.log(`denoise ${r.label}: median ${median(r.ms).toFixed(1)} ms of ${runs} after a warm-up (${r.ms.map((m) => m.toFixed(0)).join(', ')} ms; GPU work + read-back)`);
  }
  // as the app denoises by default: the frame without its first-hit emission, the anti-aliased emission added back
  // (rendered once per view, by the warm-up at the latest, so these runs show the cost of each later denoise)
  const sep = await page.evaluate((n) => window.tracelab!.timeDenoiser('n2n', n, true), runs);
  if ('error' in sep) console.log(`denoise n2n with emission separation: failed: ${sep.error}`);
  else {
    console.log(
      `denoise ${sep.label} with emission separation (${sep.emissionSpp} rays): median ${median(sep.ms).toFixed(1)} ms of ${runs} after a warm-up ` +
        `(${sep.ms.map((m) => m.toFixed(0)).join(', ')} ms; emission update, subtraction, denoise from the read-back frame, addition)`,
    );
  }
  if (errors.length) console.log(`page errors:\n${errors.join('\n')}`);
  await page.close();
} finally {
  await browser.close();
  await server.close();
  await rm(outDir, { recursive: true, force: true });
}
