/**
 * Vega spec in, SVG out, on the calling thread, one render at a time. Used by the chart
 * thread (render-worker.ts), and directly by processes that draw on their own thread
 * (render.ts's `renderOnThisThread`).
 *
 * Vega's SVG output is a pure function of the spec except for two kinds of thread-wide
 * state, both pinned here: the counters behind `clip…`/`gradient_…` ids (reset before
 * every render, and renders never interleave) and text measurement, which uses the
 * `canvas` package when it is installed and a length-based estimate otherwise (the
 * estimate is forced).
 */
import { parse, resetSVGDefIds, textMetrics, View, type Spec } from 'vega';

declare module 'vega' {
  /** Vega's text measurer; exported at runtime by `vega` (from vega-scenegraph) but missing from its types. */
  export const textMetrics: {
    width: (item: unknown, text: unknown) => number;
    estimateWidth: (item: unknown, text: unknown) => number;
  };
}

textMetrics.width = textMetrics.estimateWidth;

async function render(spec: Spec): Promise<string> {
  resetSVGDefIds();
  // Vega ingests inline data by tagging those objects; parse a copy so the caller's spec stays as written.
  const view = new View(parse(structuredClone(spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

let queue: Promise<unknown> = Promise.resolve();

/** The SVG of `spec`, after every render asked for before it. */
export function renderHere(spec: Spec): Promise<string> {
  const svg = queue.then(() => render(spec));
  queue = svg.catch(() => undefined);
  return svg;
}
