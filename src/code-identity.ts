/**
 * Which rxlab code is running, as one sha256: over the built bundle (every file under
 * `dist/`) when this module was loaded from it, else over the TypeScript sources (every
 * file under `src/`). Two checkouts hash alike exactly when they would run the same rxlab
 * code, whatever their folder, file times or the order the file system lists files in.
 *
 * A leaf: it imports nothing of rxlab, so anything (the queue, the cache key) can use it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RxlabCode {
  /** sha256 (hex) of every file's path, size and bytes, in path order. */
  hash: string;
  /** Which code was hashed: the bundle or the sources. */
  from: 'dist' | 'src';
  /** The folder hashed. */
  dir: string;
  files: number;
  bytes: number;
}

let computed: RxlabCode | undefined;

/** sha256 of the rxlab code this process runs; computed once per process. */
export const rxlabCodeHash = (): string => rxlabCode().hash;

/** The same, with what was hashed. */
export function rxlabCode(): RxlabCode {
  computed ??= hashCode(codeFolder(fileURLToPath(import.meta.url)));
  return computed;
}

/**
 * The folder of the code that contains `moduleFile`: the nearest `dist` folder above a
 * bundled chunk (`dist/rxlab.mjs`, `dist/chunks/…`), otherwise this module's own folder,
 * `src/`.
 */
export function codeFolder(moduleFile: string): { dir: string; from: 'dist' | 'src' } {
  for (let dir = dirname(moduleFile); dirname(dir) !== dir; dir = dirname(dir)) {
    if (basename(dir) === 'dist') return { dir, from: 'dist' };
  }
  return { dir: dirname(moduleFile), from: 'src' };
}

/** Hashes every regular file under `dir`: its path relative to `dir` (with `/`), its size, its bytes. */
export function hashCode({ dir, from }: { dir: string; from: 'dist' | 'src' }): RxlabCode {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1).split(sep).join('/'))
    // Code-unit order, not the locale's: the same on every machine.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  let bytes = 0;
  for (const file of files) {
    const content = readFileSync(join(dir, file));
    bytes += content.length;
    // Path and size delimit each file, so no two different trees give the same stream.
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return { hash: hash.digest('hex'), from, dir, files: files.length, bytes };
}

let sources: string | undefined;

/**
 * sha256 of rxlab's TypeScript sources (`src/`, beside this module or above the bundle),
 * computed once per process: what the stage cache keys rxlab's code on. A run from the
 * bundle and a run from the sources of the same checkout hash alike — the bundle is built
 * from them — so switching between `node bin/rxlab.js` and rxlab in process never makes a
 * stage look stale. Where there are no sources beside the code (a bundle shipped alone),
 * the running code's hash.
 */
export function rxlabSourceHash(): string {
  if (sources === undefined) {
    const { dir, from } = codeFolder(fileURLToPath(import.meta.url));
    const src = from === 'src' ? dir : join(dirname(dir), 'src');
    sources = from === 'src' || existsSync(src) ? hashCode({ dir: src, from: 'src' }).hash : rxlabCodeHash();
  }
  return sources;
}
