/**
 * Long synchronous computations (millions of points generated or parsed) written as
 * generators that yield between steps, so the process answers Ctrl-C while they run:
 * `runSteps` drives one, giving the event loop a turn every few tens of milliseconds,
 * and stops once its signal aborts; `fromSteps` is the same as an Observable, which stops
 * once its subscriber unsubscribes (the run was interrupted).
 * `complete` drives one to its end at once, for callers that want a plain function.
 */
import { Observable } from 'rxjs';

/** At most this long between two turns of the event loop. */
const TURN_MS = 25;

/** Runs `steps` to its end synchronously and returns its result. */
export function complete<T>(steps: Iterator<unknown, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** `runSteps` as an Observable: emits the result; unsubscribing stops driving the steps. */
export function fromSteps<T>(steps: () => Iterator<unknown, T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let iterator: Iterator<unknown, T>;
    try {
      iterator = steps();
    } catch (err) {
      subscriber.error(err);
      return undefined;
    }
    const stopped = new AbortController();
    // The first turn runs now, as runSteps runs up to its first wait.
    runSteps(iterator, stopped.signal).then(
      (value) => {
        subscriber.next(value);
        subscriber.complete();
      },
      (err: unknown) => {
        if (!stopped.signal.aborted) subscriber.error(err);
      },
    );
    return () => stopped.abort();
  });
}

/** Runs `steps` to its end, yielding to the event loop every TURN_MS; rejects (`interrupted`) once `signal` aborts. */
export async function runSteps<T>(steps: Iterator<unknown, T>, signal?: AbortSignal): Promise<T> {
  for (let until = performance.now() + TURN_MS; ; ) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() < until) continue;
    await new Promise((resolve) => setImmediate(resolve));
    stopIfAborted(signal);
    until = performance.now() + TURN_MS;
  }
}

/**
 * Throws once `signal` has aborted: an Error whose message is `interrupted` (not the
 * signal's reason, such as 'SIGINT'), which the engine recognises as a stage ending on
 * the interruption rather than failing.
 */
export function stopIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error('interrupted', { cause: signal.reason });
}
