/**
 * Ctrl-C, SIGTERM and a closed stdout during a command that runs a pipeline: the run
 * stops cleanly and the command reports it.
 *
 * bin/rxlab.js listens for them first thing, before rxlab's code is even loaded: until a
 * command's work begins (here), a signal ends the process at once, as nothing has been
 * written; from here on it is an abort signal the run answers (run.json "interrupted").
 * Called in process without bin/rxlab.js (tests, a program), it listens only while `work` runs.
 */

const INTERRUPTION = Symbol.for('rxlab.interruption');

/** What bin/rxlab.js shares: the process's interruption, and whether a command has taken it over. */
interface Interruption {
  controller: AbortController;
  handedOver: boolean;
  stdoutClosed: boolean;
}

type Marked = typeof globalThis & { [INTERRUPTION]?: Interruption };

/** Calls `work` with a signal that aborts on SIGINT or SIGTERM (or, under bin/rxlab.js, when stdout is closed). */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const early = (globalThis as Marked)[INTERRUPTION];
  if (early) {
    early.handedOver = true;
    // stdout closed while rxlab was starting: nothing can be shown, so the run stops at once.
    if (early.stdoutClosed) early.controller.abort('EPIPE');
    return work(early.controller.signal);
  }
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals): void => controller.abort(signal);
  // `on`, not `once`: a listener must stay while the run stops, or a library's exit hook
  // (signal-exit, under log-update) finds itself alone and re-raises the signal.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
