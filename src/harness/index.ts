// Public surface of the harness stage (browser-safe; the file-backed reference store is in src/node).
export { Hash64 } from './hash.ts';
export {
  convergence, CONVERGENCE_EPSILON, dataChecksum, ensureReference, mergeMeanVariance, MomentAccumulator, REFERENCE_FORMAT,
  REFERENCE_FORMAT_VERSION, REFERENCE_SEED, ReferenceCacheError, referenceKey, sceneContentHash,
  type Convergence, type EnsureReferenceOptions, type ReferenceMeta, type ReferenceResult, type ReferenceSettings,
  type ReferenceStatus, type ReferenceStore,
} from './reference-cache.ts';
export * from './denoisers/index.ts';
export { zTest, type MeanVariance, type ZTestResult } from './ztest.ts';
export {
  compareTiming, runCompare, type CompareDenoiser, type CompareOptions, type CompareOutput, type CompareProgress, type SceneImages,
} from './compare.ts';
export {
  checkResults, RESULTS_FORMAT, RESULTS_VERSION, ResultsError,
  type CompareResults, type CompareSettings, type ReferenceInfo, type ResultRow,
} from './compare-schema.ts';
export {
  renderOnlyTime, timeToQuality, timeToReach, TTQ_FORMULA,
  type QualityMethod, type QualityPoint, type RenderOnlyTime, type TimeToQuality, type TtqEntry, type TtqScene,
} from './compare-ttq.ts';
export { buildReport, type ReportAssets, type ReportOptions } from './report.ts';
