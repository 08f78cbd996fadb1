/**
 * Long synchronous computations (millions of points generated or parsed) written as
 * generators that yield between steps, so the process answers Ctrl-C while they run:
 * `fromSteps` drives one, giving the event loop a turn every few tens of milliseconds,
 * and stops driving it once its subscriber unsubscribes (the run was interrupted).
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

/** Runs `steps`, yielding to the event loop between steps every TURN_MS; emits its result. */
export function fromSteps<T>(steps: () => Iterator<unknown, T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let stopped = false;
    let timer: NodeJS.Immediate | undefined;
    const iterator = (() => {
      try {
        return steps();
      } catch (err) {
        subscriber.error(err);
        return undefined;
      }
    })();
    const run = (): void => {
      timer = undefined;
      const until = performance.now() + TURN_MS;
      try {
        while (!stopped) {
          const step = iterator!.next();
          if (step.done) {
            subscriber.next(step.value);
            subscriber.complete();
            return;
          }
          if (performance.now() >= until) {
            timer = setImmediate(run);
            return;
          }
        }
      } catch (err) {
        subscriber.error(err);
      }
    };
    if (iterator) run();
    return () => {
      stopped = true;
      if (timer) clearImmediate(timer);
    };
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
