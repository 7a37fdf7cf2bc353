// Renders the stored Cornell box reference (mean and per-sample variance, 64x64) used by
// tests/render/reference.test.ts. Run: node bin/run-ts.js scripts/make-cornell-reference.ts [spp]
import { writeFile } from 'node:fs/promises';
import { findScene } from '../scenes/index.ts';
import { compileScene } from '../src/scene/compile.ts';
import { PathTracer } from '../src/render/path-tracer.ts';
import { createNodeGpuContext } from '../src/node/gpu.ts';
import { writeImageFile } from '../src/node/image-files.ts';
import { CORNELL_REFERENCE } from '../tests/render/reference-config.ts';

const spp = Number(process.argv[2] ?? CORNELL_REFERENCE.spp);
const gpu = await createNodeGpuContext();
const entry = findScene('cornell-box')!;
const scene = compileScene(await entry.build(), { name: 'cornell-box' });
const { size, maxDepth, seed } = CORNELL_REFERENCE;
const pt = await PathTracer.create(gpu, scene, { width: size, height: size, maxDepth });
const t0 = performance.now();
await pt.render({ spp, seed, onProgress: (p) => process.stderr.write(`\r${p.done}/${p.total} spp`) });
const f = await pt.readFrame();
process.stderr.write(`\nrendered in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${gpu.adapter.name}\n`);
const dir = new URL('../tests/fixtures/', import.meta.url).pathname;
await writeImageFile(`${dir}cornell-64-mean.exr`, { width: size, height: size, channels: 3, data: f.color });
await writeImageFile(`${dir}cornell-64-variance.exr`, { width: size, height: size, channels: 3, data: f.variance });
await writeFile(`${dir}cornell-64.json`, JSON.stringify({ spp, seed, size, maxDepth, adapter: gpu.adapter.name }, null, 2) + '\n');
pt.destroy();
gpu.destroy();
