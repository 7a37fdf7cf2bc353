// The path tracer's WGSL modules, composed in dependency order (WGSL has no includes).
import common from '../../shaders/pathtrace/common.wgsl?raw';
import structs from '../../shaders/pathtrace/structs.wgsl?raw';
import params from '../../shaders/pathtrace/params.wgsl?raw';
import sceneBindings from '../../shaders/pathtrace/scene_bindings.wgsl?raw';
import bvh from '../../shaders/pathtrace/bvh.wgsl?raw';
import sampling from '../../shaders/pathtrace/sampling.wgsl?raw';
import microfacet from '../../shaders/pathtrace/microfacet.wgsl?raw';
import bsdf from '../../shaders/pathtrace/bsdf.wgsl?raw';
import lights from '../../shaders/pathtrace/lights.wgsl?raw';
import path from '../../shaders/pathtrace/path.wgsl?raw';
import integrator from '../../shaders/pathtrace/integrator.wgsl?raw';

export const pathtraceModules = { common, structs, params, sceneBindings, bvh, sampling, microfacet, bsdf, lights, path, integrator } as const;

export function integratorSource(): string {
  return [common, structs, params, sceneBindings, bvh, sampling, microfacet, bsdf, lights, path, integrator].join('\n');
}
