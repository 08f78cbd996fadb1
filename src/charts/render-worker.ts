/**
 * The chart renderer's thread (started by render.ts): Vega spec in, SVG out, one render at
 * a time.
 *
 * Vega's SVG output is a pure function of the spec except for two kinds of thread-wide
 * state, both pinned here: the counters behind `clip…`/`gradient_…` ids (reset before
 * every render, and renders never interleave) and text measurement, which uses the
 * `canvas` package when it is installed and a length-based estimate otherwise (the
 * estimate is forced).
 */
import { parentPort } from 'node:worker_threads';
import { parse, resetSVGDefIds, textMetrics, View, type Spec } from 'vega';

declare module 'vega' {
  /** Vega's text measurer; exported at runtime by `vega` (from vega-scenegraph) but missing from its types. */
  export const textMetrics: {
    width: (item: unknown, text: unknown) => number;
    estimateWidth: (item: unknown, text: unknown) => number;
  };
}

/** A request from render.ts. */
export interface RenderRequest {
  id: number;
  spec: Spec;
}

/** The answer to request `id`: the SVG, or why there is none. */
export type RenderReply = { id: number; svg: string } | { id: number; error: string };

textMetrics.width = textMetrics.estimateWidth;

async function render(spec: Spec): Promise<string> {
  resetSVGDefIds();
  const view = new View(parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

let queue: Promise<unknown> = Promise.resolve();

parentPort!.on('message', ({ id, spec }: RenderRequest) => {
  queue = queue.then(async () => {
    let reply: RenderReply;
    try {
      reply = { id, svg: await render(spec) };
    } catch (err) {
      reply = { id, error: err instanceof Error ? err.message : String(err) };
    }
    parentPort!.postMessage(reply);
  });
});
