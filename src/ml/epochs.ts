/**
 * The training loop both trainers share, as a cold Observable of per-epoch states: the
 * epochs run in chunks of about YIELD_EVERY_MS between yields to the event loop, with
 * `stop`, `paramsEvery`, the NaN check and the teardown handled once.
 */
import { Observable } from 'rxjs';
import type { DenseParams } from '../data.ts';
import type { TrainOptions, TrainState } from './options.ts';

/**
 * Training keeps the event loop responsive by yielding (with `setImmediate`) once it
 * has run this long, rather than after every epoch: a yield per epoch would dominate
 * the cost of small models.
 */
const YIELD_EVERY_MS = 10;

/** One training run as the loop drives it. */
export interface EpochRunner {
  /** Runs one epoch and returns its loss (before its steps). */
  epoch(): number;
  /** The current parameters. */
  params(): DenseParams[];
  /** The loss on the validation data with the current parameters; given when the options have `validation`. */
  validationLoss?(): number;
  /** Frees what the run holds; called once, on completion, error or unsubscription. */
  close(): void;
}

/**
 * Runs `start()`'s epochs on subscription: one state per epoch (`epoch` from 1, `loss`,
 * `validationLoss` when the run measures one, `elapsedMs` since training started), `params` on the last one and every `paramsEvery`-th;
 * a non-finite loss ends the stream with an error naming the epoch and the learning rate.
 */
export function epochStream(opts: TrainOptions, start: () => EpochRunner): Observable<TrainState> {
  return new Observable<TrainState>((subscriber) => {
    const run = start();
    let stopRequested = false;
    const stopSubscription = opts.stop?.subscribe(() => (stopRequested = true));
    let timer: NodeJS.Immediate | undefined;
    let epoch = 0;
    let startedAt = 0;

    const runChunk = (): void => {
      const chunkEnd = performance.now() + YIELD_EVERY_MS;
      while (!subscriber.closed) {
        epoch++;
        const loss = run.epoch();
        if (!Number.isFinite(loss)) {
          subscriber.error(
            new Error(`loss became ${loss} at epoch ${epoch}; lower the learning rate (optimizer.lr = ${opts.optimizer.lr})`),
          );
          return;
        }
        const last = epoch === opts.epochs || stopRequested;
        // After the epoch's steps: the weights it ended with.
        const held = run.validationLoss?.();
        const state: TrainState = { epoch, loss, ...(held !== undefined ? { validationLoss: held } : {}), elapsedMs: performance.now() - startedAt };
        if (last || (opts.paramsEvery && epoch % opts.paramsEvery === 0)) state.params = run.params();
        subscriber.next(state);
        if (last) subscriber.complete();
        else if (performance.now() >= chunkEnd) {
          timer = setImmediate(runChunk);
          return;
        }
      }
    };
    timer = setImmediate(() => {
      startedAt = performance.now();
      runChunk();
    });

    // Runs on complete, error and unsubscribe alike. The loop checks `subscriber.closed`
    // after every emission, so it never touches what `close` freed.
    return () => {
      clearImmediate(timer);
      stopSubscription?.unsubscribe();
      run.close();
    };
  });
}
