// The reference the view is compared with: rendered in the background to a high spp with an independent seed, or
// loaded from a file. It belongs to one view: any camera or scene change discards it.
import type { ImageF32 } from '../image/image.ts';
import type { TimedTracer } from './budget.ts';

export interface ReferenceImage {
  image: ImageF32;
  /** Samples per pixel, 0 for a loaded file. */
  spp: number;
  source: 'render' | 'file';
  name: string;
}

/** Seed offset of the reference render, so its noise is independent of the view's. */
export const REFERENCE_SEED_OFFSET = 0x9e3779b9;

export class Reference {
  result: ReferenceImage | null = null;
  /** spp the background render aims for (0: none asked). */
  target = 0;
  private tracer: TimedTracer | null = null;

  get spp(): number {
    return this.tracer?.samples ?? this.result?.spp ?? 0;
  }

  get state(): 'none' | 'rendering' | 'ready' {
    return this.result ? 'ready' : this.target > 0 ? 'rendering' : 'none';
  }

  /** True while the background render has samples to add. */
  get pending(): boolean {
    return this.tracer !== null && this.tracer.samples < this.target;
  }

  /** Forgets the reference; true if there was one (done or under way). */
  discard(): boolean {
    const had = this.result !== null || this.target > 0;
    this.tracer?.destroy();
    this.tracer = null;
    this.result = null;
    this.target = 0;
    return had;
  }

  /** Starts over with `tracer` (fresh film, its own seed) rendering to `spp`. */
  render(tracer: TimedTracer, spp: number): void {
    this.discard();
    this.tracer = tracer;
    this.target = spp;
  }

  setFile(name: string, image: ImageF32, width: number, height: number): void {
    if (image.width !== width || image.height !== height) {
      throw new Error(`${name}: the reference is ${image.width}x${image.height} but the render is ${width}x${height}`);
    }
    // PSNR refuses a non-finite reference: taken, it would fail every later frame's PSNR and stop the render
    const bad = image.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      const p = Math.floor(bad / image.channels);
      throw new Error(`${name}: the reference has a non-finite value (${image.data[bad]}) at pixel (${p % width}, ${Math.floor(p / width)}); a reference must be finite`);
    }
    this.discard();
    this.result = { image, spp: 0, source: 'file', name };
  }

  /** One budgeted submission of the background render; true when that finished it. */
  async step(): Promise<boolean> {
    const t = this.tracer;
    if (!t) return false;
    await t.step(this.target - t.samples);
    if (t.samples < this.target) return false;
    const frame = await t.tracer.readFrame();
    t.destroy();
    this.tracer = null;
    const image: ImageF32 = { width: frame.width, height: frame.height, channels: 3, data: frame.color };
    this.result = { image, spp: frame.spp, source: 'render', name: `rendered, ${frame.spp} spp` };
    return true;
  }
}
