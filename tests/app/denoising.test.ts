import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchTrainedWeights, N2N_WEIGHTS_FILE } from '../../src/app/denoising.ts';

const ROOT = join(import.meta.dirname, '../..');

afterEach(() => vi.unstubAllGlobals());

describe('fetching the shipped weights', () => {
  it('the build finds the shipped weights and decodes what the server sends', async () => {
    const bytes = await readFile(join(ROOT, N2N_WEIGHTS_FILE));
    vi.stubGlobal('fetch', async () => new Response(bytes));
    expect(await fetchTrainedWeights()).not.toBeNull();
  });

  it('a failed fetch, a bad status or a wrong body is one line naming the weights file', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(fetchTrainedWeights()).rejects.toThrow(/^denoiser\/weights\/n2n-fast\.bin: could not be fetched: Failed to fetch$/);
    vi.stubGlobal('fetch', async () => new Response('gone', { status: 404, statusText: 'Not Found' }));
    await expect(fetchTrainedWeights()).rejects.toThrow(/^denoiser\/weights\/n2n-fast\.bin: HTTP 404 Not Found$/);
    // a server that answers every path with the page itself
    vi.stubGlobal('fetch', async () => new Response('<!doctype html><html></html>', { status: 200 }));
    await expect(fetchTrainedWeights()).rejects.toThrow(/^denoiser\/weights\/n2n-fast\.bin: /);
    // the connection drops while the body arrives
    vi.stubGlobal('fetch', async () => new Response(new ReadableStream({ start: (c) => c.error(new TypeError('network error')) })));
    await expect(fetchTrainedWeights()).rejects.toThrow(/^denoiser\/weights\/n2n-fast\.bin: could not be fetched: network error$/);
  });
});
