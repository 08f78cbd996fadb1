/**
 * Deterministic SVG from a Vega spec, with Vega's headless view and no canvas package.
 *
 * Rendering runs on a worker thread of its own (render-worker.ts), started on the first
 * chart: importing Vega and laying out a chart take a few hundred milliseconds of CPU that
 * would otherwise hold up training on the main thread. The worker does not keep the
 * process alive while it has nothing to do. After `renderOnThisThread()` rendering runs on
 * the calling thread instead; both give the same bytes (render-here.ts does the work).
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Spec } from 'vega';
import { rxlabRoot } from '../version.ts';
import type { RenderReply, RenderRequest } from './render-worker.ts';

interface Pending {
  resolve: (svg: string) => void;
  reject: (err: Error) => void;
}

let worker: Worker | undefined;
const pending = new Map<number, Pending>();
let lastId = 0;

/**
 * From the bundle the worker is dist/render-worker.mjs. From the sources (tsx, vitest) it
 * is the TypeScript module beside this one, loaded through tsx; Vega is imported before
 * tsx is registered, because loading its hundred modules through tsx's hooks in a worker
 * takes seconds instead of a fraction of one.
 */
function startWorker(): Worker {
  const url = (specifier: string): string => JSON.stringify(import.meta.resolve(specifier));
  // None of the process's own flags: they may not apply to a worker (`node --input-type=module
  // -e …` makes a worker thread refuse to start), and drawing needs none.
  const options = { execArgv: [] };
  const w = import.meta.url.endsWith('.ts')
    ? new Worker(
        `import(${url('vega')})` +
          `.then(() => import(${url('tsx/esm/api')}))` +
          `.then(({ register }) => (register(), import(${JSON.stringify(new URL('./render-worker.ts', import.meta.url).href)})))`,
        { ...options, eval: true },
      )
    : new Worker(join(rxlabRoot(), 'dist', 'render-worker.mjs'), options);
  const failAll = (err: Error): void => {
    worker = undefined;
    for (const { reject } of pending.values()) reject(err);
    pending.clear();
  };
  w.on('message', (reply: RenderReply) => {
    const request = pending.get(reply.id)!;
    pending.delete(reply.id);
    if ('svg' in reply) request.resolve(reply.svg);
    else request.reject(new Error(`Vega could not render the chart: ${reply.error}`));
    if (pending.size === 0) w.unref();
  });
  w.on('error', failAll);
  w.on('exit', (code) => failAll(new Error(`the chart renderer stopped (exit code ${code})`)));
  return w;
}

let onThisThread = false;

/**
 * From now on, draws charts on the calling thread instead of a chart thread: for a
 * process that is one of several running side by side (a sweep's trial worker), where
 * one more thread per process would only compete for the same cores.
 */
export function renderOnThisThread(): void {
  onThisThread = true;
}

/** The chart of `spec` as an SVG document, byte-identical for the same spec in any process. */
export function renderSvg(spec: Spec): Promise<string> {
  if (onThisThread) return import('./render-here.ts').then(({ renderHere }) => renderHere(spec));
  worker ??= startWorker();
  worker.ref();
  const request: RenderRequest = { id: ++lastId, spec };
  const svg = new Promise<string>((resolve, reject) => pending.set(request.id, { resolve, reject }));
  worker.postMessage(request);
  return svg;
}

/** `spec` as the JSON saved beside its SVG (`<name>.vg.json`): 2-space indent, final newline. */
export function specJson(spec: Spec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}
