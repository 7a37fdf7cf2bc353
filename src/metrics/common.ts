// Shared input checks and the one display transform used by every display-referred metric.
//
// Conventions for every metric here:
// - Arguments are (test, reference); both are ImageF32-like, linear HDR unless the name says "display".
// - Only colour channels are compared: 1-channel images as grey, 3 and 4 channels as RGB (alpha is ignored).
// - The reference must be finite everywhere (it is ground truth; a NaN there is a bug upstream): MetricError.
// - A non-finite test sample (NaN, +-Inf) counts as the largest error the metric can give that sample; it is never
//   skipped. Display metrics replace it by the value in [0,1] farthest from the reference sample; relMSE gives
//   Infinity; SMAPE gives 1.
import { assertImage, ImageError, type ImageF32 } from '../image/image.ts';
import { tonemap, type ToneOperator } from '../image/tonemap.ts';

export class MetricError extends Error {
  constructor(metric: string, reason: string, options?: { cause?: unknown }) {
    super(`${metric}: ${reason}`, options);
    this.name = 'MetricError';
  }
}

/**
 * The tone mapping applied to both images before PSNR and SSIM: Reinhard v/(1+v), exposure 0, then the sRGB
 * transfer function. Reinhard rather than clamp because clamp maps everything above 1 to 1, so errors on light
 * sources, bright walls and fireflies (exactly where Monte Carlo noise lives) would not count; Reinhard is
 * monotonic over the whole HDR range and bounded, so every finite error counts but none can dominate. It is also
 * the compression the Noise2Noise input transform uses. Exposure 0: radiance is compared as rendered.
 */
export const METRIC_TONEMAP: Readonly<{ operator: ToneOperator; exposure: number }> = Object.freeze({
  operator: 'reinhard',
  exposure: 0,
});

/** Size of a checked pair: `channels` colour channels compared, read with stride `testStride`/`referenceStride`. */
export interface PairShape {
  width: number;
  height: number;
  channels: 1 | 3;
  testStride: number;
  referenceStride: number;
}

/** Colour channels of an image: 4 (RGBA) compares as 3. */
function colourChannels(image: ImageF32): 1 | 3 {
  return image.channels === 1 ? 1 : 3;
}

function describeSize(image: ImageF32): string {
  return `${image.width}x${image.height} with ${image.channels} channel${image.channels === 1 ? '' : 's'}`;
}

/** Validates both images, checks they match, and that the reference is finite. */
export function checkPair(metric: string, test: ImageF32, reference: ImageF32): PairShape {
  for (const [image, role] of [[test, 'test image'], [reference, 'reference']] as const) {
    try {
      assertImage(image, role);
    } catch (e) {
      if (e instanceof ImageError) throw new MetricError(metric, e.message, { cause: e });
      throw e;
    }
  }
  if (test.width !== reference.width || test.height !== reference.height ||
      colourChannels(test) !== colourChannels(reference)) {
    throw new MetricError(metric, `test image is ${describeSize(test)} but the reference is ${describeSize(reference)}`);
  }
  const shape: PairShape = {
    width: test.width,
    height: test.height,
    channels: colourChannels(test),
    testStride: test.channels,
    referenceStride: reference.channels,
  };
  assertFiniteReference(metric, reference, shape);
  return shape;
}

function assertFiniteReference(metric: string, reference: ImageF32, shape: PairShape): void {
  const { data } = reference;
  const pixels = shape.width * shape.height;
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < shape.channels; c++) {
      const v = data[p * shape.referenceStride + c];
      if (!Number.isFinite(v)) {
        const x = p % shape.width;
        const y = Math.floor(p / shape.width);
        throw new MetricError(metric, `reference has a non-finite value (${v}) at pixel (${x}, ${y}) channel ${c}; references must be finite`);
      }
    }
  }
}

/** Colour samples of both images packed as [pixel][channel], ready for display-referred metrics. */
export interface DisplayPair {
  width: number;
  height: number;
  channels: 1 | 3;
  test: Float64Array;
  reference: Float64Array;
}

/**
 * Packs the colour channels of two images. `toneMap` applies METRIC_TONEMAP to both (linear HDR input);
 * otherwise the inputs are taken as already display-encoded. Non-finite test samples are replaced by the value
 * in [0,1] farthest from the reference sample (maximal error), decided on the raw input, before tone mapping.
 */
export function displayPair(metric: string, test: ImageF32, reference: ImageF32, toneMap: boolean): DisplayPair {
  const shape = checkPair(metric, test, reference);
  const t = toneMap ? tonemap(test, METRIC_TONEMAP) : test;
  const r = toneMap ? tonemap(reference, METRIC_TONEMAP) : reference;
  const n = shape.width * shape.height;
  const cc = shape.channels;
  const outT = new Float64Array(n * cc);
  const outR = new Float64Array(n * cc);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < cc; c++) {
      const ref = r.data[p * shape.referenceStride + c];
      const raw = test.data[p * shape.testStride + c];
      outR[p * cc + c] = ref;
      outT[p * cc + c] = Number.isFinite(raw) ? t.data[p * shape.testStride + c] : ref < 0.5 ? 1 : 0;
    }
  }
  return { width: shape.width, height: shape.height, channels: cc, test: outT, reference: outR };
}
