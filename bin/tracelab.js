#!/usr/bin/env node
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./wgsl-hooks.js', import.meta.url);
await import('../src/cli/main.ts');
