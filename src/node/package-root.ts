// The tracelab package's root directory in Node: where denoiser/weights/ and the other shipped files live.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function isTracelabRoot(dir: string): boolean {
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) return false;
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'tracelab';
  } catch {
    return false;
  }
}

/**
 * The nearest directory at or above `from` (a file or directory) whose package.json names tracelab, or null. The
 * sources sit two levels below it (src/cli/), a bundle of them (scripts/bundle-node.mjs) anywhere in the tree, so the
 * root is searched for rather than assumed at a fixed depth.
 */
export function findPackageRoot(from: string): string | null {
  let dir = from;
  for (;;) {
    if (isTracelabRoot(dir)) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

let cached: string | undefined;

/** The root of the package this module was loaded from; two levels above src/node/ when none is found. */
export function packageRoot(): string {
  if (cached === undefined) {
    const here = fileURLToPath(new URL('.', import.meta.url));
    cached = findPackageRoot(here) ?? fileURLToPath(new URL('../../', import.meta.url));
  }
  return cached;
}
