/** Ctrl-C and SIGTERM during a command that runs a pipeline: the run stops cleanly and the command reports it. */

/** Calls `work` with a signal that aborts on SIGINT or SIGTERM, listening only while it runs. */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
