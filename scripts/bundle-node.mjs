// Bundles a TypeScript entry point (default: the CLI) into one ESM file for machines without the dev toolchain
// (npm, tsx): `node scripts/bundle-node.mjs [entry.ts] [out.mjs]`. WGSL `?raw` imports are inlined as text and
// the `webgpu` package (a native addon) stays external: copy node_modules/webgpu beside the bundle (and
// node_modules/uplot for `compare`'s report, which inlines uPlot's files at run time). gpu.js is
// replaced by a stub that says it is missing.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';

const entry = process.argv[2] ?? 'src/cli/main.ts';
const outfile = process.argv[3] ?? 'dist/node/tracelab.mjs';

const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: new URL(args.path.slice(0, -4), `file://${args.resolveDir}/`).pathname,
      namespace: 'raw-text',
    }));
    // gpu.js (the no-WebGPU fallback) pulls in optional native modules; the bundle targets WebGPU machines.
    b.onResolve({ filter: /^gpu\.js$/ }, () => ({ path: 'gpu.js', namespace: 'gpujs-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'gpujs-stub' }, () => ({
      contents: "const no = () => { throw new Error('gpu.js is not part of this bundle: use the npm install'); };\n" +
        'export class GPU { constructor() { no(); } }\nexport class Input { constructor() { no(); } }\n',
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['webgpu', 'playwright-core'],
  plugins: [rawText],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
console.log(`bundled ${entry} -> ${outfile}`);
