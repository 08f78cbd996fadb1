/**
 * How a run looks while it runs:
 *
 * - on a terminal, one live region at the bottom (the running stages with their progress,
 *   and a line of counts) redrawn in place, with every result line printed above it and
 *   kept: stage results, messages, cached stages, the environment;
 * - piped or in a log, the same result lines, plain, with progress at most every 10%;
 * - with --json, one event per line (src/cli/events.ts).
 *
 * Result lines are the same words either way (`resultLines`); `-v` adds one per file written.
 */
import type { EngineEvent } from '../engine/index.ts';
import { forPeople, roundNumbersIn } from '../util/numbers.ts';

export interface Display {
  event(event: EngineEvent): void;
  /** Ends the display: the live region is erased, what was printed above it stays. */
  close(): void;
}

export interface DisplayOptions {
  /** One line per artifact written (`-v`). */
  verbose?: boolean;
  /** The live region only, no result lines (check's runs: the table is what it reports). */
  quiet?: boolean;
}

/** Why a stage runs, worded for someone reading along: a first run is not a problem. */
export function startReason(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  if (reason === 'never run') return 'first run';
  // A lock without its outputs (a fresh clone, a new output folder) is no damage.
  const artifact = /^artifact (.+) missing$/.exec(reason);
  if (artifact) return `no ${artifact[1]} in the output folder`;
  if (reason === 'recorded outputs missing') return 'no recorded outputs in the output folder';
  return reason;
}

const seconds = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${forPeople(ms / 1000, 3)} s`);

const describeState = (state: Record<string, unknown> | undefined): string =>
  state
    ? Object.entries(state)
        .filter(([k]) => k !== 'epoch' && k !== 'elapsedMs')
        .map(([k, v]) => `${k} ${typeof v === 'number' ? forPeople(v) : String(v)}`)
        .join(', ')
    : '';

const bytes = (n: number): string => (n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${forPeople(n / 1024, 3)} kB` : `${forPeople(n / 1024 ** 2, 3)} MB`);

/**
 * The lines events leave in the output, or undefined for those that leave none (progress,
 * outputs, metrics: a stage's metrics are shown on its `done` line). One per display: it
 * keeps each stage's metrics until the stage is done.
 */
export function resultLines(options: DisplayOptions = {}): (event: EngineEvent) => string | undefined {
  const metrics = new Map<string, string[]>();
  return (event) => {
    switch (event.type) {
      case 'environment':
        return `environment: ${Object.entries(event.facts).map(([k, v]) => `${k} ${v}`).join(', ')}`;
      case 'stage-start': {
        const why = startReason(event.reason);
        return `${event.stage}: started${why ? ` (${why})` : ''}`;
      }
      case 'stage-cached':
        return `${event.stage}: cached`;
      case 'artifact':
        return options.verbose ? `${event.stage}: wrote ${event.name} (${bytes(event.bytes)}, sha256 ${event.sha256.slice(0, 12)})` : undefined;
      case 'message':
        return `${event.stage}: ${roundNumbersIn(event.text)}`;
      case 'metric':
        metrics.set(event.stage, [...(metrics.get(event.stage) ?? []), `${event.name} ${forPeople(event.value)}`]);
        return undefined;
      case 'stage-done': {
        const reported = metrics.get(event.stage);
        return `${event.stage}: done in ${seconds(event.durationMs)}${reported ? ` (${reported.join(', ')})` : ''}`;
      }
      case 'progress':
      case 'output':
        return undefined;
    }
  };
}

/** Plain lines for logs and CI: the result lines, and progress at most every 10% of a stage. */
export function plainDisplay(write: (text: string) => void, options: DisplayOptions = {}): Display {
  const lastDecile = new Map<string, number>();
  const line = (text: string): void => write(`${text}\n`);
  const resultLine = resultLines(options);
  return {
    close: () => undefined,
    event(event) {
      if (event.type === 'progress') {
        const decile = Math.floor((10 * event.current) / Math.max(1, event.total));
        if (decile === lastDecile.get(event.stage)) return;
        lastDecile.set(event.stage, decile);
        const state = describeState(event.state);
        line(`${event.stage}: ${event.current}/${event.total}${state ? ` ${state}` : ''}`);
        return;
      }
      const text = resultLine(event);
      if (text !== undefined) line(text);
    },
  };
}

/** A stage on the live region. */
interface Running {
  started: number;
  current?: number;
  total?: number;
  state?: Record<string, unknown>;
}

const BAR = 20;

/** `███████░░░░` for current/total. */
const bar = (current: number, total: number): string => {
  const filled = Math.round((BAR * Math.min(current, total)) / Math.max(1, total));
  return `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}`;
};

/**
 * The live region's text for a terminal `columns` wide and `rows` high: one row per
 * running stage, then the counts. Every row fits the width (cut with …), so none wraps,
 * and the region never takes more than half the screen.
 */
export function liveRegion(stages: string[], running: ReadonlyMap<string, Running>, counts: { done: number; cached: number }, now: number, size: { columns: number; rows: number }): string {
  const width = Math.max(...stages.map((s) => s.length));
  const fit = (text: string): string => (text.length < size.columns ? text : `${text.slice(0, Math.max(0, size.columns - 2))}…`);
  const rows = [...running].map(([id, r]) => {
    const elapsed = seconds(now - r.started);
    if (r.total === undefined) return `${id.padEnd(width)}  running  ${elapsed}`;
    const state = describeState(r.state);
    return `${id.padEnd(width)}  ${bar(r.current ?? 0, r.total)}  ${r.current}/${r.total}${state ? `  ${state}` : ''}  ${elapsed}`;
  });
  const room = Math.max(1, Math.floor(size.rows / 2) - 1);
  const shown = rows.length > room ? [...rows.slice(0, room - 1), `… and ${rows.length - room + 1} more running`] : rows;
  const waiting = stages.length - counts.done - counts.cached - running.size;
  const footer = `${counts.done + counts.cached} of ${stages.length} stages finished (${counts.cached} cached), ${running.size} running, ${waiting} waiting`;
  return [...shown, footer].map(fit).join('\n');
}

/**
 * A terminal display: result lines above, the live region (`liveRegion`) below, redrawn
 * in place by log-update at most every 80 ms and at once when a line is printed. When the
 * terminal gets narrower, the rows it re-wrapped are erased too (`settle`), so none is left behind.
 */
export async function liveDisplay(stages: string[], stream: NodeJS.WriteStream, options: DisplayOptions = {}): Promise<Display> {
  // Loaded here: a run into a pipe or a log never needs it.
  const { createLogUpdate } = await import('log-update');
  const region = createLogUpdate(stream);
  const resultLine = resultLines(options);
  const running = new Map<string, Running>();
  const counts = { done: 0, cached: 0 };
  let drawn: string[] = [];
  let drawnColumns = stream.columns || 80;
  let closed = false;
  const size = () => ({ columns: stream.columns || 80, rows: stream.rows || 24 });
  /**
   * Before the region is erased: if the terminal got narrower since it was drawn, the
   * terminal (tmux, most emulators) re-wrapped each drawn row wider than the new width into
   * several, and log-update, counting rows as it drew them, would leave the extra ones:
   * erase those first. The size is read from the terminal itself (Node's cached one is
   * updated only when SIGWINCH is handled, which a draw on a busy loop can come before).
   */
  const settle = (): void => {
    (stream as { _refreshSize?: () => void })._refreshSize?.();
    const { columns } = size();
    if (columns === drawnColumns) return;
    const extra = drawn.reduce((n, row) => n + Math.max(0, Math.ceil(row.length / columns) - 1), 0);
    if (extra > 0) stream.write(`${'\x1b[2K\x1b[1A'.repeat(extra)}\x1b[2K\r`);
    drawnColumns = columns;
  };
  const draw = (): void => {
    if (closed) return;
    settle();
    const text = liveRegion(stages, running, counts, performance.now(), size());
    drawn = text.split('\n');
    region(text);
  };
  const timer = setInterval(draw, 80);
  timer.unref();
  stream.on('resize', draw);
  const print = (text: string): void => {
    if (closed) {
      stream.write(`${text}\n`);
      return;
    }
    settle();
    region.clear();
    stream.write(`${text}\n`);
    draw();
  };
  return {
    close() {
      if (closed) return;
      clearInterval(timer);
      stream.off('resize', draw);
      settle();
      region.clear();
      region.done();
      closed = true;
    },
    event(event) {
      if (event.type === 'stage-start') running.set(event.stage, { started: performance.now() });
      if (event.type === 'progress') Object.assign(running.get(event.stage) ?? {}, { current: event.current, total: event.total, state: event.state });
      if (event.type === 'stage-cached') counts.cached++;
      if (event.type === 'stage-done') {
        running.delete(event.stage);
        counts.done++;
      }
      const text = resultLine(event);
      // A first or forced run's "started" lines would only repeat the region; reasons worth reading are kept.
      const quiet = event.type === 'stage-start' && (event.reason === undefined || ['first run', 'forced'].includes(startReason(event.reason)!));
      if (text !== undefined && !quiet && !options.quiet) print(text);
    },
  };
}
