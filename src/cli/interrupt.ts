/** Ctrl-C and SIGTERM during a command that runs a pipeline: the run stops cleanly and the command reports it. */

/** Calls `work` with a signal that aborts on SIGINT or SIGTERM, listening only while it runs. */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
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
