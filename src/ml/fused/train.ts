/**
 * The fused trainer as the same cold Observable of per-epoch states as the TensorFlow.js
 * loop (../train.ts): a drop-in with the same options and the same emissions.
 */
import type { Observable } from 'rxjs';
import type { Dataset, ModelSpec } from '../../data.ts';
import { epochStream } from '../epochs.ts';
import { validateOptions, type TrainOptions, type TrainState } from '../options.ts';
import { HeldOut } from './held-out.ts';
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
 * step(s), `validationLoss` the loss on `opts.validation` after them, `elapsedMs` is wall
 * time since training started) and the last state carries
 * the final `params` (PyTorch layout, float32 values). Unsubscribing stops training. A
 * loss that becomes NaN or infinite ends the stream with an error naming the epoch.
 */
export function train(spec: ModelSpec, data: Dataset, opts: FusedOptions): Observable<TrainState> {
  return epochStream(opts, () => {
    validateOptions(data, spec, opts);
    const trainer = new Trainer(spec, data, opts);
    const heldOut = opts.validation ? new HeldOut(spec, opts.validation, opts.loss) : undefined;
    return {
      epoch: () => trainer.epoch(),
      params: () => trainer.params(),
      close: () => trainer.close(),
      ...(heldOut ? { validationLoss: () => heldOut.lossWith(trainer.workspace) } : {}),
    };
  });
}
