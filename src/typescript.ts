/**
 * What a user's stage module needs to load wherever rxlab is installed:
 *
 * - `ensureTypeScript()` lets `import()` load a `.ts` stage. The bundled CLI does not carry
 *   tsx, so it is registered on first need; bin/rxlab.js marks the process when it
 *   already registered tsx to run the sources.
 * - `shareRxlabPackages()` lets a stage import `rxlab` and `rxjs` even when its own project
 *   cannot resolve them: installed with `npm install ../rxlab`, rxlab is a link and its
 *   dependencies stay in its own folder, out of the project's reach. A bare `rxlab` or
 *   `rxjs` import the project cannot resolve is then resolved from rxlab's folder, so the
 *   stage gets the very packages the engine running it uses.
 */
import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';
import { rxlabRoot } from './version.ts';

const REGISTERED = Symbol.for('rxlab.tsx-registered');
const SHARING = Symbol.for('rxlab.shares-packages');

type Marked = typeof globalThis & { [REGISTERED]?: boolean; [SHARING]?: boolean };

export async function ensureTypeScript(): Promise<void> {
  const global = globalThis as Marked;
  if (global[REGISTERED]) return;
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  global[REGISTERED] = true;
}

/** A module resolution hook (it runs on Node's hooks thread, so it is source text). */
const FALLBACK_HOOK = `
let parentURL;
export function initialize(data) { parentURL = data.parentURL; }
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !/^(rxlab|rxjs)(\\/|$)/.test(specifier) || context.parentURL === parentURL) throw err;
    return next(specifier, { ...context, parentURL });
  }
}`;

export function shareRxlabPackages(): void {
  const global = globalThis as Marked;
  // module.register is Node 20.6's; before it, a stage's imports resolve as Node alone does.
  if (global[SHARING] || typeof nodeModule.register !== 'function') return;
  // Resolved as if imported by a file in rxlab's own folder: its dependencies, and rxlab itself through its `exports`.
  const parentURL = pathToFileURL(`${rxlabRoot()}/package.json`).href;
  nodeModule.register(`data:text/javascript,${encodeURIComponent(FALLBACK_HOOK)}`, { data: { parentURL } });
  global[SHARING] = true;
}
