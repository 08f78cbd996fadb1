/**
 * `uses: early-stop` — watches train's live epoch states and ends training once the loss
 * it monitors — the training loss, or the validation loss when train has a `validation`
 * input — has not improved by more than `min_delta` for `patience` epochs (Keras'
 * EarlyStopping rule, its `monitor` included). The decision depends on the losses alone; train delivers each state
 * synchronously and finishes with the epoch after the one that triggered the stop, so a
 * rerun stops at the same epoch. That holds when this stage is listening before training
 * starts (train first loads its backend, so it is); if the states came late instead, the
 * stage fails rather than record an epoch that depended on timing.
 */
import { concat, defer, of } from 'rxjs';
import { ignoreElements, tap } from 'rxjs/operators';
import type { EarlyStopDecision } from '../data.ts';
import { defineStage, jsonArtifact, message } from '../contract/stage.ts';

/** The stopping rule's params. */
export interface EarlyStopParams {
  patience: number;
  min_delta: number;
  /** Named in the reason when it is not the training loss. */
  monitor?: 'loss' | 'val_loss';
}

/** Where the watch stands after an epoch: the best loss so far and, once patience ran out, why to stop. */
export interface Watch {
  best_epoch: number;
  best_loss: number;
  /** Why to stop; set once patience has run out, and kept from then on. */
  stop?: string;
}

/**
 * The stopping rule as a pure function of the losses: feed it each epoch in order.
 * An epoch improves when its loss is below the best so far by more than `min_delta`;
 * only such an epoch becomes the new best.
 */
export function patienceWatch({ patience, min_delta, monitor }: EarlyStopParams): (epoch: number, loss: number) => Watch {
  const watched = monitor === 'val_loss' ? ' in val_loss' : '';
  const watch: Watch = { best_epoch: 0, best_loss: Infinity };
  return (epoch, loss) => {
    if (loss < watch.best_loss - min_delta) Object.assign(watch, { best_epoch: epoch, best_loss: loss });
    else if (watch.stop === undefined && epoch - watch.best_epoch >= patience) {
      const by = min_delta > 0 ? ` > ${min_delta}` : '';
      watch.stop = `no improvement${watched}${by} for ${patience} epochs (best ${Number(watch.best_loss.toPrecision(4))} at epoch ${watch.best_epoch})`;
    }
    return watch;
  };
}

export const earlyStopStage = defineStage({
  name: 'early-stop',
  description: 'Stops training when the training or validation loss has not improved by more than min_delta for patience epochs.',
  params: {
    type: 'object',
    properties: {
      patience: { type: 'integer', minimum: 1, description: 'epochs without improvement before training stops' },
      min_delta: { type: 'number', minimum: 0, default: 0, description: 'the smallest drop in loss that counts as an improvement' },
      monitor: {
        enum: ['loss', 'val_loss'],
        default: 'loss',
        description: "the loss to watch: the training loss, or val_loss, the loss on train's validation input",
      },
    },
    required: ['patience'],
    additionalProperties: false,
  },
  inputs: { epochs: { kind: 'epoch-state', stream: true, description: "train's live epoch states (train.epochs)" } },
  outputs: { decision: { kind: 'early-stop', description: 'whether and where training was stopped' } },
  run: (ctx, { epochs }) => {
    const observe = patienceWatch(ctx.params);
    let watch: Watch | undefined;
    let decidedAt: number | undefined;
    let lastEpoch = 0;
    const watching = epochs.values.pipe(
      tap((state) => {
        const { epoch } = state;
        const loss = ctx.params.monitor === 'val_loss' ? state.validationLoss : state.loss;
        if (loss === undefined) {
          throw new Error('monitor is val_loss, but train measures no validation loss; give train a validation input (e.g. inputs: { validation: split.test }), or monitor loss');
        }
        // Train ends with the epoch after the stop. Going further means the states reached
        // us late (replayed), and where training ended depended on timing: refuse it.
        if (decidedAt !== undefined && epoch > decidedAt + 1) {
          throw new Error(`training went on to epoch ${epoch} after the stop at epoch ${decidedAt}; the stop came too late to be reproducible`);
        }
        lastEpoch = epoch;
        // The record keeps the best as it was at the decision, which the reason quotes.
        if (decidedAt !== undefined) return;
        watch = observe(epoch, loss);
        if (watch.stop !== undefined) {
          decidedAt = epoch;
          epochs.stop(watch.stop);
        }
      }),
      ignoreElements(),
    );
    return concat(
      watching,
      defer(() => {
        if (!watch) throw new Error('training emitted no epoch');
        const { best_epoch, best_loss } = watch;
        const record: EarlyStopDecision =
          decidedAt === undefined
            ? { stopped: false, epochs: lastEpoch, best_epoch, best_loss }
            : { stopped: true, decided_at: decidedAt, stopped_at: lastEpoch, best_epoch, best_loss, reason: watch.stop! };
        const said = record.stopped ? `stopped training at epoch ${record.stopped_at}: ${record.reason}` : `training ran all ${lastEpoch} epochs`;
        return of(jsonArtifact('early-stop.json', record), message(said), ctx.output('decision', record));
      }),
    );
  },
});
