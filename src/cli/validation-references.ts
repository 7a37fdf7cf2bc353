// The validation set's references through the harness's reference cache (as `tracelab reference` stores them), for
// `tracelab validate` and `tracelab train`: rendered once, continued if interrupted, then read back, so a resumed
// or repeated run does not render its references again (about 10 minutes a scene at the model cards' settings on
// a software adapter). The cache's continued renders take the very samples one render would.
import type { GpuContext } from '../gpu/context.ts';
import { ensureReference } from '../harness/reference-cache.ts';
import { FileReferenceStore } from '../node/reference-store.ts';
import type { ValidationReferenceSource } from '../train/validation.ts';
import { formatSeconds, ProgressBar } from './progress.ts';

export function cachedValidationReferences(gpu: GpuContext, cacheDir: string): ValidationReferenceSource {
  const store = new FileReferenceStore(cacheDir);
  return async (scene, settings, spp) => {
    const bar = new ProgressBar(`reference ${scene.name}`, settings.width * settings.height);
    const r = await ensureReference(gpu, { scene, settings, spp, store, onProgress: (p) => bar.update(p.done, p.total, p.elapsedMs) });
    process.stderr.write(`reference ${scene.name}: ${r.status === 'cached' ? 'cached' : `${r.status} (${formatSeconds(r.seconds)})`}, ${r.meta.spp} spp\n`);
    return r.data;
  };
}
