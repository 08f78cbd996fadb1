/**
 * `rxlab run --json`: one JSON object per line, each with `"v": 1` (the version of this
 * format; a change that could break a reader gets a new number) and a `type`. The format
 * is `schemas/events.schema.json`, tested against real runs. In order:
 *
 *   started       the run is planned: pipeline, file, output folder, its stage ids
 *   environment   facts about where it runs (the tfjs backend)
 *   stage-started a stage runs (with why, when the run has a cache); stage-cached: reused
 *   progress      a stage's progress, with its data (train: the epoch's loss)
 *   artifact      a file written (name, path, sha256, bytes)
 *   message       a stage's words;  metric: a metric it reported
 *   result        a stage finished: its duration and metrics
 *   finished      the run completed: counts, time, the output folder, the lock, every metric
 *   failed        the run failed, was interrupted or was refused: the error (and, for a
 *                 refused file, every diagnostic with its place)
 *
 * A stage handing a value to another (an engine `output` event) is not an event here:
 * nothing for a reader to see.
 */
import type { Diagnostic, EngineEvent } from '../engine/index.ts';

export const EVENTS_VERSION = 1;

export type RunEvent =
  | { type: 'started'; pipeline: string; file: string; out: string; stages: string[] }
  | { type: 'environment'; facts: Record<string, string> }
  | { type: 'stage-started'; stage: string; reason?: string }
  | { type: 'stage-cached'; stage: string; metrics: Record<string, number> }
  | { type: 'progress'; stage: string; current: number; total: number; data?: Record<string, unknown> }
  | { type: 'artifact'; stage: string; name: string; path: string; sha256: string; bytes: number }
  | { type: 'message'; stage: string; text: string }
  | { type: 'metric'; stage: string; name: string; value: number }
  | { type: 'result'; stage: string; durationMs: number; metrics: Record<string, number> }
  | {
      type: 'finished';
      durationMs: number;
      ran: number;
      cached: number;
      out: string;
      lock: { file: string; update: 'unchanged' | 'updated' | 'written' };
      metrics: Record<string, number>;
    }
  | {
      type: 'failed';
      status: 'failed' | 'interrupted' | 'refused' | 'invalid';
      durationMs?: number;
      out?: string;
      error: { message: string; stage?: string; diagnostics?: Diagnostic[] };
    };

/** The --json event for an engine event, or undefined for those it leaves out. */
export function runEvent(event: EngineEvent, metricsOf: (stage: string) => Record<string, number>): RunEvent | undefined {
  switch (event.type) {
    case 'environment':
      return { type: 'environment', facts: event.facts };
    case 'stage-start':
      return { type: 'stage-started', stage: event.stage, ...(event.reason ? { reason: event.reason } : {}) };
    case 'stage-cached':
      return { type: 'stage-cached', stage: event.stage, metrics: event.metrics };
    case 'progress':
      return { type: 'progress', stage: event.stage, current: event.current, total: event.total, ...(event.state ? { data: event.state } : {}) };
    case 'artifact':
      return { type: 'artifact', stage: event.stage, name: event.name, path: event.path, sha256: event.sha256, bytes: event.bytes };
    case 'message':
      return { type: 'message', stage: event.stage, text: event.text };
    case 'metric':
      return { type: 'metric', stage: event.stage, name: event.name, value: event.value };
    case 'stage-done':
      return { type: 'result', stage: event.stage, durationMs: event.durationMs, metrics: metricsOf(event.stage) };
    case 'output':
      return undefined;
  }
}

/** One event as its line. */
export const eventLine = (event: RunEvent): string => `${JSON.stringify({ v: EVENTS_VERSION, ...event })}\n`;
