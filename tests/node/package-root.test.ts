import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPackageRoot, packageRoot } from '../../src/node/package-root.ts';

describe('package root', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tracelab-root-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is this repository for the sources', () => {
    expect(resolve(packageRoot())).toBe(resolve(__dirname, '../..'));
  });

  it('is found from any depth below it (a bundle in a subdirectory), not only two levels up', () => {
    const root = join(tmp, 'pkg');
    mkdirSync(join(root, '.devkit'), { recursive: true });
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'tracelab' }));
    expect(findPackageRoot(join(root, '.devkit'))).toBe(root);
    expect(findPackageRoot(join(root, 'src', 'cli'))).toBe(root);
    expect(findPackageRoot(root)).toBe(root);
  });

  it('skips other packages and unreadable package.json files on the way up', () => {
    const root = join(tmp, 'outer');
    const inner = join(root, 'node_modules', 'other');
    const broken = join(inner, 'lib');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'tracelab' }));
    writeFileSync(join(inner, 'package.json'), JSON.stringify({ name: 'other' }));
    writeFileSync(join(broken, 'package.json'), '{ not json');
    expect(findPackageRoot(broken)).toBe(root);
  });

  it('is null when no tracelab package is above', () => {
    const lone = join(tmp, 'lone', 'dir');
    mkdirSync(lone, { recursive: true });
    expect(findPackageRoot(lone)).toBeNull();
  });
});
