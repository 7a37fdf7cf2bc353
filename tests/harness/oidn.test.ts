// The `oidn` comparator (Intel Open Image Denoise's U-Net through oidn-web) with OIDN's small HDR albedo + normal
// model (tests/fixtures/oidn): it denoises a rendered frame, reads the weights' layout, and refuses bad weights
// and missing buffers with errors that name the file or the buffer.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidnDenoiser, inspectOidnWeights, runTiles, type TileExecutor } from '../../src/harness/denoisers/oidn.ts';
import { denoiserInputFromFrame } from '../../src/harness/denoisers/types.ts';
import type { GpuContext } from '../../src/gpu/context.ts';
import { psnr } from '../../src/metrics/psnr.ts';
import { createNodeGpuContext } from '../../src/node/gpu.ts';
import type { FrameData } from '../../src/render/path-tracer.ts';
import { compileBuiltin, renderCompiled } from '../support/render.ts';

const WEIGHTS = 'tests/fixtures/oidn/rt_hdr_alb_nrm_small.tza';
const bytes = new Uint8Array(readFileSync(WEIGHTS));
const N = 32;

let gpu: GpuContext;
let noisy: FrameData;
let reference: FrameData;
beforeAll(async () => {
  gpu = await createNodeGpuContext();
  const scene = await compileBuiltin('cornell-box');
  noisy = await renderCompiled(gpu, scene, { width: N, height: N, spp: 4, seed: 3, maxDepth: 8 });
  reference = await renderCompiled(gpu, scene, { width: N, height: N, spp: 1024, seed: 99, maxDepth: 8 });
}, 120_000);
afterAll(() => gpu?.destroy());

const image = (data: Float32Array) => ({ width: N, height: N, channels: 3 as const, data });

describe('oidn comparator', () => {
  it('reads the layout of OIDN weights and names the file when they are not OIDN weights', () => {
    expect(inspectOidnWeights(bytes, WEIGHTS)).toEqual({ aux: true });
    expect(() => inspectOidnWeights(new Uint8Array([1, 2, 3, 4]), 'junk.tza')).toThrow(/^junk\.tza: not an OIDN weights file \(\.tza\): invalid or corrupted weights blob$/);
    expect(() => inspectOidnWeights(bytes.subarray(0, 4000), 'cut.tza')).toThrow(/^cut\.tza: not an OIDN weights file \(\.tza\): /);
  });

  it('denoises a 4-spp frame of the Cornell box closer to the reference, leaving the input as it was', async () => {
    const dn = await OidnDenoiser.create(gpu, bytes, WEIGHTS);
    try {
      expect(dn.name).toBe('oidn');
      expect(dn.needsAux).toBe(true);
      const input = denoiserInputFromFrame(noisy);
      const before = input.color.data.slice();
      const out = await dn.denoise(input);
      expect([out.width, out.height, out.channels]).toEqual([N, N, 3]);
      expect(out.data.every(Number.isFinite)).toBe(true);
      expect(input.color.data).toEqual(before);
      const pNoisy = psnr(image(noisy.color), image(reference.color));
      const pOidn = psnr(out, image(reference.color));
      // measured (llvmpipe): 23.09 -> 30.02 dB; 3 dB leaves room for other adapters, and a no-op output fails
      expect(pOidn).toBeGreaterThan(pNoisy + 3);
      // the same frame again gives the same image (no state carried between calls)
      const again = await dn.denoise(input);
      expect(again.data).toEqual(out.data);
    } finally {
      dn.destroy();
    }
  }, 120_000);

  it('tiles: fixed by default (up to 512 a side, not resized by oidn-web), oidn-web\'s dynamic sizing when asked; the same image where one tile holds it', async () => {
    const fixed = await OidnDenoiser.create(gpu, bytes, WEIGHTS);
    const dynamic = await OidnDenoiser.create(gpu, bytes, WEIGHTS, 'dynamic');
    try {
      expect(fixed.tiling).toEqual({ dynamic: false, maxTileSize: 512 });
      expect(dynamic.tiling.dynamic).toBe(true);
      const input = denoiserInputFromFrame(noisy);
      const a = await fixed.denoise(input);
      const b = await dynamic.denoise(input);
      for (let i = 0; i < a.data.length; i++) expect(Math.abs(a.data[i] - b.data[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b.data[i])));
      expect(fixed.tiling).toEqual({ dynamic: false, maxTileSize: 512 }); // still, after an image
    } finally {
      fixed.destroy();
      dynamic.destroy();
    }
  }, 120_000);

  it('needs the albedo and normal buffers its model takes', async () => {
    const dn = await OidnDenoiser.create(gpu, bytes, WEIGHTS);
    try {
      const { color, normal } = denoiserInputFromFrame(noisy);
      await expect(dn.denoise({ color, normal })).rejects.toThrow(/^oidn \(tests\/fixtures\/oidn\/rt_hdr_alb_nrm_small\.tza\): needs the albedo buffer$/);
    } finally {
      dn.destroy();
    }
    await expect(dn.denoise(denoiserInputFromFrame(noisy))).rejects.toThrow(/used after destroy/);
  }, 60_000);

  it('turns an exception inside oidn-web\'s tile loop into an error naming the file, not an unhandled rejection or a hang; the next call works', async () => {
    const dn = await OidnDenoiser.create(gpu, bytes, WEIGHTS);
    try {
      const input = denoiserInputFromFrame(noisy);
      const good = await dn.denoise(input);
      // the U-Net's per-tile step fails (as a WebGPU call inside it could): vitest fails the run on any unhandled rejection
      const unet = (dn as unknown as { unet: { _executeTile: unknown } }).unet;
      const real = unet._executeTile;
      unet._executeTile = async () => {
        throw new Error('tile exploded');
      };
      await expect(dn.denoise(input)).rejects.toThrow(/^oidn \(tests\/fixtures\/oidn\/rt_hdr_alb_nrm_small\.tza\): denoising failed: tile exploded$/);
      unet._executeTile = real;
      expect((await dn.denoise(input)).data).toEqual(good.data);
    } finally {
      dn.destroy();
    }
  }, 60_000);
});

describe('runTiles', () => {
  const out = { data: new Float32Array([1, 2, 3, 4]) };
  it('resolves with what the execution hands to done, and leaves the executor as it was', async () => {
    const unet: TileExecutor = {
      async _executeTile() {
        return 1;
      },
      tileExecute({ done }) {
        void this._executeTile?.().then(() => done(out));
        return () => {};
      },
    };
    const step = unet._executeTile;
    await expect(runTiles(unet, { color: null }, 'w.tza')).resolves.toBe(out);
    expect(unet._executeTile).toBe(step);
  });

  it('rejects once, cancels the execution, and swallows the loop\'s rejection when a tile fails', async () => {
    let cancelled = 0;
    let calls = 0;
    class Fake implements TileExecutor {
      async _executeTile(): Promise<unknown> {
        calls++;
        throw new Error(`tile ${calls} failed`);
      }
      tileExecute(): () => void {
        // like oidn-web: two loops whose promises are dropped
        void (async () => this._executeTile())();
        void (async () => this._executeTile())();
        return () => cancelled++;
      }
    }
    const unet = new Fake();
    await expect(runTiles(unet, { color: null }, 'w.tza')).rejects.toThrow(/^oidn \(w\.tza\): denoising failed: tile 1 failed$/);
    await new Promise((r) => setTimeout(r, 10));
    expect([calls, cancelled]).toEqual([2, 1]);
    expect(Object.prototype.hasOwnProperty.call(unet, '_executeTile')).toBe(false);
  });

  it('turns a synchronous throw into the same error', async () => {
    const unet: TileExecutor = {
      tileExecute() {
        throw new Error('Normal map and albedo map are both required');
      },
    };
    await expect(runTiles(unet, { color: null }, 'x.tza')).rejects.toThrow(/^oidn \(x\.tza\): denoising failed: Normal map and albedo map are both required$/);
  });
});
