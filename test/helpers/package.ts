/**
 * rxlab as a user installs it: packed with `npm pack` and installed into a project of
 * their own, without the network (the packages come from npm's cache, which `npm ci`
 * filled when rxlab itself was installed).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { tempDir } from './engine.ts';
const ROOT = join(import.meta.dirname, '..', '..');

interface LockEntry {
  version?: string;
  resolved?: string;
  dev?: boolean;
  [key: string]: unknown;
}

interface PackageLock {
  packages: Record<string, LockEntry>;
}

const rxlabPackage = (): { version: string; dependencies: Record<string, string>; optionalDependencies?: Record<string, string> } =>
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/**
 * `npm pack` of rxlab, built from the sources as they are: the files it ships are copied
 * to a folder of its own and built there, so the working tree's dist/ (which other tests
 * run) is never rebuilt under them. Returns the tarball's path.
 */
export function packRxlab(): string {
  const stage = tempDir();
  for (const entry of ['package.json', 'README.md', 'bin', 'schemas']) cpSync(join(ROOT, entry), join(stage, entry), { recursive: true });
  execFileSync(process.execPath, [join('scripts', 'build.mjs'), join(stage, 'dist')], { cwd: ROOT, stdio: 'pipe' });
  const dest = tempDir();
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dest], { cwd: stage, stdio: 'pipe' });
  return join(dest, readdirSync(dest).find((f) => f.endsWith('.tgz'))!);
}

/**
 * Installs `project`'s dependencies with rxlab from `tarball`, offline: the project's
 * lock is written from rxlab's own (the same versions `npm ci` put in npm's cache), and
 * `npm ci --offline` installs from it. The project's dependencies other than rxlab must be
 * among rxlab's own (rxjs, tsx, @types/node). Optional ones (tfjs-node, which downloads) are left out.
 */
export function installOffline(project: string, tarball: string): void {
  const copy = join(project, basename(tarball));
  cpSync(tarball, copy);
  const pkgFile = join(project, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const spec = `file:${relative(project, copy)}`;
  pkg.dependencies = { ...pkg.dependencies, rxlab: spec };
  writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);

  const own: PackageLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const rxlab = rxlabPackage();
  const packages: Record<string, LockEntry> = {
    '': { name: pkg.name, version: pkg.version, dependencies: pkg.dependencies, devDependencies: pkg.devDependencies },
    'node_modules/rxlab': {
      version: rxlab.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(copy)).digest('base64')}`,
      dependencies: rxlab.dependencies,
      optionalDependencies: rxlab.optionalDependencies,
      bin: { rxlab: 'bin/rxlab.js' },
    },
  };
  for (const [path, entry] of Object.entries(own.packages)) {
    // Dev entries too: a project may ask for one (@types/node); npm leaves out those nothing asks for.
    if (!path.startsWith('node_modules/')) continue;
    // rxlab's lock leaves out tarball addresses (npm's omit-lockfile-registry-resolved), and
    // without one npm asks the registry where the tarball is, which offline it cannot; the
    // tarball itself is found in the cache by its integrity.
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[path] = { resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`, ...entry };
  }
  writeFileSync(join(project, 'package-lock.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  execFileSync('npm', ['ci', '--offline', '--omit=optional', '--no-audit', '--no-fund'], { cwd: project, stdio: 'pipe' });
}
