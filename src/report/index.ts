/**
 * Reports a browser opens from the file system (one self-contained `report.html`, no network)
 * and the live view of a running pipeline, served on localhost.
 */
export { renderRunReport } from './run.ts';
export { renderSweepReport } from './sweep.ts';
export { renderCompareReport } from './compare.ts';
export { startLiveView, type LiveView, type LiveViewOptions } from './live.ts';
export type * from './live-events.ts';
export { LIVE_EVENT_TYPES } from './live-events.ts';
export type * from './types.ts';
