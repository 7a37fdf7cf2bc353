// Node-only entry points: Dawn-backed GPU context, file helpers.
export { createNodeGpuContext, nodeGpu } from './gpu.ts';
export { readImageFile, writeImageFile, writeFormatForPath } from './image-files.ts';
export { loadScene, loadEnvironment, type LoadedScene } from './load-scene.ts';
export { FileReferenceStore } from './reference-store.ts';
export { DirectoryRunStore } from './train-files.ts';
