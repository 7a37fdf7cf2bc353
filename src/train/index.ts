// Public surface of the training stage (browser-safe; the run directory store is in src/node/train-files.ts).
export { CheckpointError, decodeCheckpoint, encodeCheckpoint, type CheckpointHeader } from './checkpoint.ts';
export { configHash, ConfigError, parseTrainConfig, type TrainConfig } from './config.ts';
export { makePair, renderPair, sampleBatch, transformBatch, type TrainingPair } from './data.ts';
export { TrainGraph, type GraphSize } from './graph.ts';
export { TrainKernels } from './kernels.ts';
export { elementLoss, LOSS_KINDS, outputLinearAndSlope, type LossKind } from './loss.ts';
export { OnlineTrainer, type OnlineFrame, type OnlineFrameResult, type OnlineTrainingOptions } from './online.ts';
export { packParams, paramLayout, unpackParams } from './params.ts';
export { runTraining, type RunEvent, type RunLog, type RunOptions, type RunStore } from './run.ts';
export { learningRate } from './schedule.ts';
export { N2N_ADAM, NetworkTrainer, type Batch, type TrainerOptions, type TrainerState } from './trainer.ts';
export {
  buildValidationSet, scoreValidation, validate, VALIDATION_REFERENCE_SEED, VALIDATION_SEED,
  type ValidationImage, type ValidationImageScore, type ValidationReference, type ValidationReferenceSource, type ValidationScore,
} from './validation.ts';
export { decodeInitWeights, type InitWeights } from './init.ts';
