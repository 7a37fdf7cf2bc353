// Learning-rate schedule of the Noise2Noise reference implementation: constant, then over the last `rampDown`
// fraction of the steps a smooth ramp to 0: lr * (0.5 + cos(pi t) / 2)^2 with t going 0 -> 1.
export function learningRate(step: number, totalSteps: number, maxRate: number, rampDown: number): number {
  const start = totalSteps * (1 - rampDown);
  if (rampDown <= 0 || step < start) return maxRate;
  const t = Math.min(1, (step - start) / (totalSteps * rampDown));
  const s = 0.5 + Math.cos(Math.PI * t) / 2;
  return maxRate * s * s;
}
