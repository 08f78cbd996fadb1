#!/usr/bin/env node
// Entry point. Runs the bundle that `npm install` builds (dist/rxlab.mjs) when it is newer
// than every source file; otherwise the TypeScript sources through tsx, so an edited
// checkout never runs stale code. An installed package has no sources: it runs the bundle.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const mtime = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sources = existsSync(new URL('src/', root)) ? readdirSync(new URL('src/', root), { recursive: true }) : [];
const newestSource = sources.length ? Math.max(...sources.map((f) => mtime(new URL(`src/${f}`, root))), mtime(new URL('package.json', root))) : 0;
let main;
if (mtime(new URL('dist/rxlab.mjs', root)) > newestSource) {
  ({ main } = await import('../dist/rxlab.mjs'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  globalThis[Symbol.for('rxlab.tsx-registered')] = true; // see src/typescript.ts
  ({ main } = await import('../src/cli.ts'));
}
// tfjs may keep handles open; the exit code is decided, so leave now.
process.exit(await main(process.argv.slice(2)));
