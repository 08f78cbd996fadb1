/**
 * rxlab's own version and folder. Found by walking up from this module to rxlab's package.json,
 * because this code runs both from `src/` (tsx) and bundled in `dist/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackage(): { root: string; version: string } {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string };
      if (pkg.name === 'rxlab') return { root: dir, version: pkg.version };
    }
    if (dirname(dir) === dir) throw new Error("rxlab's package.json not found above its code");
  }
}

export const rxlabVersion = (): string => findPackage().version;

/** The folder rxlab is installed in (holds package.json and bin/). */
export const rxlabRoot = (): string => findPackage().root;
