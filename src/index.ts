// tracelab library API (browser-safe: nothing here imports Node-only modules; see ./node/index.ts for those).
export { GpuContext, GpuError, NO_ADAPTER_HELP, type AdapterSummary, type GpuContextOptions } from './gpu/context.ts';
export { createBrowserGpuContext } from './gpu/browser.ts';
export { compileScene, type CompiledScene, type CompileOptions, type CompiledCamera } from './scene/compile.ts';
export { SceneError, type BuiltScene } from './scene/built-scene.ts';
export { loadGltf } from './scene/gltf.ts';
export { compileEnvironment, type EnvironmentInput, type CompiledEnvironment } from './scene/environment.ts';
export { buildBvh, type Bvh } from './scene/bvh.ts';
export { PathTracer, type Frame, type FrameData, type PathTracerOptions, type ProgressInfo } from './render/path-tracer.ts';
export { EstimatorMode, MaterialKind } from './render/layout.ts';
export * from './harness/index.ts';
export * from './metrics/index.ts';
export * from './image/index.ts';
export { builtinScenes, findScene, DEFAULT_SCENE, type SceneEntry } from '../scenes/index.ts';
export * from './denoise/index.ts';
export * from './train/index.ts';
