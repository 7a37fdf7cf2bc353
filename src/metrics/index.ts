// Public surface of the metrics stage: CPU reference implementations of the image-quality metrics.
//
// HDR-FLIP (Andersson et al. 2021) is deliberately left out: no JavaScript implementation exists, and a port of
// NVIDIA's reference (with checks against their published example images) is a separate job. GPU versions of
// these metrics are also not written yet; these CPU versions are the references they will be tested against.
export { checkPair, displayPair, METRIC_TONEMAP, MetricError, type DisplayPair, type PairShape } from './common.ts';
export { displayMse, psnr, psnrDisplay, psnrFromMse, psnrOfPair } from './psnr.ts';
export { ssim, ssimDisplay, ssimOfPair, ssimWeights, SSIM_K1, SSIM_K2, SSIM_L, SSIM_SIGMA, SSIM_WINDOW } from './ssim.ts';
export { relMSE, relMseMap, relMseSample, RELMSE_EPSILON, smape, smapeSample, SMAPE_EPSILON } from './hdr.ts';
export { computeMetrics, type MetricSet } from './compute.ts';
export { mseAgainstConverged, referenceNoiseMse } from './reference-noise.ts';
