/**
 * Ctrl-C, SIGTERM and a closed stdout during a command that runs a pipeline: the run
 * stops cleanly and the command reports it.
 *
 * bin/rxlab.js listens for them first thing, before rxlab's code is even loaded, and
 * hands them over as one process-wide abort signal (see there); a signal that came during
 * start-up is then already aborted, and the run ends at once as interrupted. Called in
 * process without bin/rxlab.js (tests, a program), it listens only while `work` runs.
 */

const INTERRUPTION = Symbol.for('rxlab.interruption');

type Marked = typeof globalThis & { [INTERRUPTION]?: AbortController };

/** Calls `work` with a signal that aborts on SIGINT or SIGTERM (or, under bin/rxlab.js, when stdout is closed). */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const early = (globalThis as Marked)[INTERRUPTION];
  if (early) return work(early.signal);
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals): void => controller.abort(signal);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
