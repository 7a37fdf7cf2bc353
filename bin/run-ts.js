#!/usr/bin/env node
// Runs a TypeScript entry point with the project's loaders: tsx for TypeScript, wgsl-hooks for `?raw` shaders.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./wgsl-hooks.js', import.meta.url);
const entry = process.argv[2];
if (!entry) {
  console.error('usage: run-ts.js <file.ts> [args...]');
  process.exit(2);
}
process.argv.splice(1, 1); // the entry sees its own args as it would under `node entry.ts`
await import(pathToFileURL(entry).href);
