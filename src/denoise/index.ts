// Public surface of the denoiser stage.
export { Denoiser, DenoisedImage, DEFAULT_MAX_TENSOR_BYTES, type DenoiseCallOptions, type DenoiseInput, type DenoiserOptions, type Precision } from './denoiser.ts';
export {
  denoiseEnsemble, ENSEMBLE_SIZES, ENSEMBLE_SYMMETRIES, isEnsembleSize, transformedSize, transformImages, transformPixels, untransformPixels,
  type EnsembleSize, type Symmetry,
} from './dihedral.ts';
export { DenoiseInputError, toDenoiseImages, type DenoiseImages, type ImageInput } from './images.ts';
export { referenceDenoise, forward, preprocess, postprocess, conv3x3, maxPool2, upsampleConcat, type Tensor, type Storage } from './reference.ts';
export {
  convLayers, macsPerPixel, parameterCount, parseSpec, parseSpecText, sizeMultiple, specHash, SpecError,
  type ConvLayer, type InputKind, type NetworkSpec,
} from './spec.ts';
export { BUILTIN_SPECS, builtinSpec, type BuiltinSpecName } from './specs.ts';
export { planTiles, receptiveRadius, type Tile } from './tiles.ts';
export { outputToLinear, prepAlbedo, prepColor, prepNormal } from './transform.ts';
export {
  checkWeights, decodeWeights, encodeWeights, expectedTensors, initWeights, WeightsError,
  type LayerWeights, type NetworkWeights, type WeightDType,
} from './weights.ts';
export { createDenoiserBackend, type DenoiserBackend, type DenoiserBackendOptions } from './backend.ts';
