// The float64 training reference: its forward pass matches the runtime's reference network, and its gradients
// match central finite differences (float64, so the only error is the O(eps^2) truncation).
import { describe, expect, it } from 'vitest';
import { forward as forward32 } from '../../src/denoise/reference.ts';
import { convLayers } from '../../src/denoise/spec.ts';
import { elementLoss, outputLinearAndSlope, T_GRAD_MAX, T_GRAD_MIN } from '../../src/train/loss.ts';
import { forward64, lossAndGrads64, type Grads } from '../../src/train/reference.ts';
import { randomT64, TINY_SPEC, tinyWeights } from './support.ts';

const spec = TINY_SPEC;

function toGrads(w: ReturnType<typeof tinyWeights>): Grads {
  const g: Grads = {};
  for (const [k, v] of Object.entries(w)) g[k] = { weight: Float64Array.from(v.weight), bias: Float64Array.from(v.bias) };
  return g;
}

describe('training reference', () => {
  it('forward matches the runtime reference network', () => {
    const w = tinyWeights(3);
    const x = randomT64(9, 8, 12, 5, -0.5, 0.5);
    const ref = forward32(spec, w, { channels: 9, width: 8, height: 12, data: Float32Array.from(x.d) });
    const out = forward64(spec, w, x).output;
    let err = 0;
    for (let i = 0; i < out.d.length; i++) err = Math.max(err, Math.abs(out.d[i] - ref.data[i]));
    expect(err).toBeLessThan(1e-5);
  });

  it('output transform slope matches its finite difference', () => {
    for (const o of [-0.45, -0.2, 0, 0.2, 0.4, 0.48]) {
      const h = 1e-7;
      const fd = (outputLinearAndSlope(o + h).lin - outputLinearAndSlope(o - h).lin) / (2 * h);
      expect(outputLinearAndSlope(o).slope).toBeCloseTo(fd, 3);
    }
    // Straight-through below the clamp: a black output still gets a gradient.
    expect(outputLinearAndSlope(-0.7).lin).toBe(0);
    expect(outputLinearAndSlope(-0.7).slope).toBeCloseTo(2.2 * T_GRAD_MIN ** 1.2 / (1 - T_GRAD_MIN ** 2.2) ** 2, 12);
    // ... and an output past the clamp to the maximum is pulled back (the derivative at T_GRAD_MAX).
    expect(outputLinearAndSlope(0.7).lin).toBeGreaterThan(1e5);
    expect(outputLinearAndSlope(0.7).slope).toBeCloseTo(2.2 * T_GRAD_MAX ** 1.2 / (1 - T_GRAD_MAX ** 2.2) ** 2, 6);
  });

  it('losses: hand values, and the HDR gradient holds the denominator constant', () => {
    expect(elementLoss('l2', 3, 1)).toEqual({ loss: 4, dLdf: 4 });
    expect(elementLoss('l1', 1, 3)).toEqual({ loss: 2, dLdf: -1 });
    const h = elementLoss('hdr', 0.99, 0.49);
    expect(h.loss).toBeCloseTo(0.25, 12); // 0.5^2 / 1^2
    expect(h.dLdf).toBeCloseTo(1.0, 12); // 2 * 0.5 / 1, not the derivative of the quotient
  });

  for (const kind of ['l2', 'l1'] as const) {
    it(`${kind}: parameter gradients match central finite differences`, () => {
      const params = toGrads(tinyWeights(7));
      const inputs = [randomT64(9, 8, 8, 11, -0.5, 0.5), randomT64(9, 8, 8, 12, -0.5, 0.5)];
      const targets = [randomT64(3, 8, 8, 13, 0, 2), randomT64(3, 8, 8, 14, 0, 2)];
      const out = forward64(spec, params, inputs[0]).output.d;
      expect(Math.max(...out.map(Math.abs))).toBeLessThan(0.45); // the smooth range of the output transform
      const { grads } = lossAndGrads64(spec, params, kind, inputs, targets);
      const eps = 1e-6;
      let checked = 0;
      for (const layer of convLayers(spec)) {
        for (const which of ['weight', 'bias'] as const) {
          const arr = params[layer.name][which];
          for (const idx of [0, Math.floor(arr.length / 2), arr.length - 1]) {
            const v = arr[idx];
            arr[idx] = v + eps;
            const lp = lossAndGrads64(spec, params, kind, inputs, targets).loss;
            arr[idx] = v - eps;
            const lm = lossAndGrads64(spec, params, kind, inputs, targets).loss;
            arr[idx] = v;
            const fd = (lp - lm) / (2 * eps);
            const g = grads[layer.name][which][idx];
            expect(Math.abs(g - fd), `${layer.name}.${which}[${idx}] ${g} vs ${fd}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)) + 1e-9);
            checked++;
          }
        }
      }
      expect(checked).toBe(convLayers(spec).length * 6);
    });
  }
});
