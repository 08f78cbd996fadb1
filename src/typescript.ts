/**
 * Lets `import()` load a user's `.ts` stage module. The bundled CLI does not carry tsx,
 * so it is registered on first need; bin/rxlab.js marks the process when it already
 * registered tsx to run the sources.
 */
const REGISTERED = Symbol.for('rxlab.tsx-registered');

type Marked = typeof globalThis & { [REGISTERED]?: boolean };

export async function ensureTypeScript(): Promise<void> {
  const global = globalThis as Marked;
  if (global[REGISTERED]) return;
  const { register } = await import('tsx/esm/api');
  register();
  global[REGISTERED] = true;
}
