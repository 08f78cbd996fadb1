/**
 * The fused trainer as the same cold Observable of per-epoch states as the TensorFlow.js
 * loop (../train.ts): a drop-in with the same options and the same emissions.
 */
import { Observable } from 'rxjs';
import type { Dataset, ModelSpec } from '../../data.ts';
import { validateOptions, YIELD_EVERY_MS, type TrainOptions, type TrainState } from '../options.ts';
import { Trainer } from './trainer.ts';

/** How the fused trainer runs, beyond the shared options. */
export interface FusedOptions extends TrainOptions {
  /**
   * Threads that share each batch's blocks (this one included); 1 by default. The result
   * is the same, bit for bit, for any count.
   */
  threads?: number;
}

/**
 * Trains a copy of `spec` on `data`. Nothing runs until subscription; then one state is
 * emitted per epoch (`epoch` counts from 1, `loss` is the loss before that epoch's
 * step(s), `elapsedMs` is wall time since training started) and the last state carries
 * the final `params` (PyTorch layout, float32 values). Unsubscribing stops training. A
 * loss that becomes NaN or infinite ends the stream with an error naming the epoch.
 */
export function train(spec: ModelSpec, data: Dataset, opts: FusedOptions): Observable<TrainState> {
  return new Observable<TrainState>((subscriber) => {
    validateOptions(data, spec, opts);
    const trainer = new Trainer(spec, data, opts);

    let stopRequested = false;
    const stopSubscription = opts.stop?.subscribe(() => (stopRequested = true));
    let timer: NodeJS.Immediate | undefined;
    let epoch = 0;
    let start = 0;

    const runChunk = (): void => {
      const chunkEnd = performance.now() + YIELD_EVERY_MS;
      while (!subscriber.closed) {
        epoch++;
        const loss = trainer.epoch();
        if (!Number.isFinite(loss)) {
          subscriber.error(
            new Error(`loss became ${loss} at epoch ${epoch}; lower the learning rate (optimizer.lr = ${opts.optimizer.lr})`),
          );
          return;
        }
        const last = epoch === opts.epochs || stopRequested;
        const state: TrainState = { epoch, loss, elapsedMs: performance.now() - start };
        if (last || (opts.paramsEvery && epoch % opts.paramsEvery === 0)) state.params = trainer.params();
        subscriber.next(state);
        if (last) subscriber.complete();
        else if (performance.now() >= chunkEnd) {
          timer = setImmediate(runChunk);
          return;
        }
      }
    };
    timer = setImmediate(() => {
      start = performance.now();
      runChunk();
    });

    return () => {
      clearImmediate(timer);
      trainer.close();
      stopSubscription?.unsubscribe();
    };
  });
}
