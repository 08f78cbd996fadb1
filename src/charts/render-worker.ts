/** The chart thread started by render.ts: Vega spec in, SVG out (render-here.ts). */
import { parentPort } from 'node:worker_threads';
import type { Spec } from 'vega';
import { renderHere } from './render-here.ts';

/** A request from render.ts. */
export interface RenderRequest {
  id: number;
  spec: Spec;
}

/** The answer to request `id`: the SVG, or why there is none. */
export type RenderReply = { id: number; svg: string } | { id: number; error: string };

parentPort!.on('message', ({ id, spec }: RenderRequest) => {
  renderHere(spec).then(
    (svg) => parentPort!.postMessage({ id, svg } satisfies RenderReply),
    (err: unknown) => parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies RenderReply),
  );
});
