/**
 * Deterministic SVG from a Vega spec, with Vega's headless view and no canvas package.
 *
 * Vega's SVG output is a pure function of the spec except for two kinds of process-wide state, both
 * pinned here: the counters behind `clip…`/`gradient_…` ids (reset before every render, and renders
 * are queued so two never interleave) and text measurement, which uses the `canvas` package when it
 * is installed and a length-based estimate otherwise (the estimate is forced while rendering).
 */
import { parse, resetSVGDefIds, textMetrics, View, type Spec } from 'vega';

declare module 'vega' {
  /** Vega's text measurer; exported at runtime by `vega` (from vega-scenegraph) but missing from its types. */
  export const textMetrics: {
    width: (item: unknown, text: unknown) => number;
    estimateWidth: (item: unknown, text: unknown) => number;
  };
}

let queue: Promise<unknown> = Promise.resolve();

async function renderNow(spec: Spec): Promise<string> {
  const measure = textMetrics.width;
  textMetrics.width = textMetrics.estimateWidth;
  resetSVGDefIds();
  // Vega ingests inline data by tagging those objects; parse a copy so the caller's spec stays as written.
  const view = new View(parse(structuredClone(spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
    textMetrics.width = measure;
  }
}

/** The chart of `spec` as an SVG document, byte-identical for the same spec in any process. */
export function renderSvg(spec: Spec): Promise<string> {
  const svg = queue.then(() => renderNow(spec));
  queue = svg.catch(() => undefined);
  return svg;
}

/** `spec` as the JSON saved beside its SVG (`<name>.vg.json`): 2-space indent, final newline. */
export function specJson(spec: Spec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}
