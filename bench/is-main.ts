// Whether a bench module is the script being run. Each bench module may be imported by another (bench/index.ts
// imports them all) or bundled with others (the training kit's bench-NAME.mjs, scripts/pack-train-kit.sh), where
// every module of the bundle has the bundle's import.meta.url; so the script's file name decides too.
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** True when `url` (the module's import.meta.url) is the script run, as bench/NAME.ts or as the bundle bench-NAME.mjs. */
export function isBenchMain(url: string, name: string): boolean {
  const script = process.argv[1];
  if (!script || url !== pathToFileURL(resolve(script)).href) return false;
  const stem = basename(script).replace(/\.(ts|mjs|js)$/, '');
  return stem === name || stem === `bench-${name}`;
}
