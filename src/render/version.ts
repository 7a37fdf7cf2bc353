// The renderer's version for cached results (references): bump it whenever a change alters what a render with
// given settings and seed produces: the expected radiance (integrator, BSDFs, lights, camera) or the random
// number streams (sample indexing, rng). Cached references made by another version are never reused.
export const RENDERER_VERSION = 1;
