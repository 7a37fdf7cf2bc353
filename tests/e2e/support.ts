// Helpers for the browser end-to-end tests: build the app with Vite, serve it, launch Debian's headless Chromium.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import type { AppStats } from '../../src/app/hook.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/**
 * Flags for WebGPU compute in headless Chromium 156 on a machine without a GPU. Only --enable-unsafe-webgpu is
 * needed (without it requestAdapter() returns null); the adapter is SwiftShader through Dawn's default Vulkan path,
 * with or without Playwright's --enable-unsafe-swiftshader or --enable-features=Vulkan --use-vulkan=swiftshader.
 * The rest keep Chromium quiet on a closed network. Playwright adds --headless and a fresh --user-data-dir itself
 * (and refuses a --user-data-dir in args).
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function assertChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run \`apt-get install chromium\` (Debian's package) for the browser tests`);
  }
}

/** Builds the app (the repo's vite.config.ts) into `outDir`. */
export async function buildApp(outDir: string): Promise<void> {
  await build({
    root: REPO_ROOT,
    configFile: join(REPO_ROOT, 'vite.config.ts'),
    mode: 'production',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1 at a free port (localhost is a secure context, so navigator.gpu is exposed). */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const root = resolve(dir);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      if (existsSync(file) && (await stat(file)).isDirectory()) file = join(file, 'index.html');
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

export function launchChromium(): Promise<Browser> {
  assertChromium();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** Screenshots and downloads of the browser tests (under out/, which git ignores). */
export const ARTIFACTS = join(REPO_ROOT, 'out/test-artifacts');

/** A page that records console errors and uncaught exceptions into `errors`. */
export async function openPage(browser: Browser, options: { width?: number; height?: number; acceptDownloads?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1000, height: options.height ?? 720 },
    acceptDownloads: options.acceptDownloads ?? false,
  });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return { page, errors };
}

/**
 * Waits until the app's stats satisfy `predicate` (or the page reports a fatal error, which throws). The predicate
 * runs in the page: it must use nothing but its argument.
 */
export async function waitForStats(page: Page, predicate: (s: AppStats) => boolean, timeout = 60_000): Promise<AppStats> {
  await page.waitForFunction((src) => {
    const s = window.tracelab?.stats();
    return s !== undefined && (s.error !== null || (new Function(`return (${src});`)() as (s: AppStats) => boolean)(s));
  }, predicate.toString(), { timeout, polling: 100 });
  const stats = await page.evaluate(() => window.tracelab!.stats());
  if (stats.error) throw new Error(`page error: ${stats.error}`);
  return stats;
}

/** The canvas's RGBA bytes. */
export function canvasPixels(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const c = document.getElementById('image') as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  });
}

/** One test file's app: built into a temporary directory, served, with a Chromium; torn down after the file. */
export interface AppFixture {
  browser(): Browser;
  /** The served app's base URL. */
  url(): string;
}

export function appFixture(prefix: string): AppFixture {
  let outDir: string | undefined;
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    assertChromium();
    outDir = await mkdtemp(join(tmpdir(), prefix));
    await buildApp(outDir);
    server = await serveStatic(outDir);
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`e2e: ${what} did not start`);
    return v;
  };
  return { browser: () => need(browser, 'Chromium'), url: () => need(server, 'the static server').url };
}
