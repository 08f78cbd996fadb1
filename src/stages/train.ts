/**
 * `uses: train` — PyTorch's training loop on TensorFlow.js: one state per epoch on a live
 * stream (the progress bar, live charts and early stopping consume it while it runs),
 * optionally the parameters every N epochs on a second one (checkpoints), then the loss
 * history, the final parameters and the trained model.
 */
import { Observable, concat, defer, from, of, throwError } from 'rxjs';
import { catchError, concatMap, map } from 'rxjs/operators';
import type { Dataset, DenseParams, EpochState, ModelSpec } from '../data.ts';
import { defineStage, message, output, type StageEvent } from '../engine/stage.ts';
import type { TrainState } from '../ml/train.ts';
import { resolveOptimizer, type OptimizerParams } from '../ml/options.ts';
import { jsonArtifact } from './artifacts.ts';
import { loadMl, mlSetup, modelFiles } from './ml.ts';

export interface TrainParams {
  loss: 'bce' | 'mse';
  optimizer: OptimizerParams;
  epochs: number;
  batch_size?: number;
  checkpoint_every?: number;
}

/** What the `checkpoints` stream carries: the parameters after an epoch's step. */
export interface Checkpoint {
  epoch: number;
  params: DenseParams[];
}

/** What `history.json` holds: one loss per epoch (before that epoch's step), and why it ended early if it did. */
export interface History {
  loss: number[];
  stopped_early?: { epoch: number; reason: string };
}

const positive = { type: 'number', exclusiveMinimum: 0 };

export const trainStage = defineStage<TrainParams, { dataset: Dataset; model: ModelSpec }>({
  name: 'train',
  description: "Trains a model on a dataset, full batch by default, with PyTorch's losses and optimizers in float32.",
  params: {
    type: 'object',
    properties: {
      loss: { enum: ['bce', 'mse'], default: 'bce', description: "bce is PyTorch's BCELoss (mean, log clamped at -100)" },
      optimizer: {
        type: 'object',
        description: 'torch.optim semantics: sgd, momentum (SGD with momentum) or adam',
        properties: {
          name: { enum: ['sgd', 'momentum', 'adam'], default: 'sgd' },
          lr: { ...positive, description: 'learning rate' },
          momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1, description: 'momentum only; default 0.9' },
          beta1: { type: 'number', minimum: 0, exclusiveMaximum: 1, description: 'adam only; default 0.9' },
          beta2: { type: 'number', minimum: 0, exclusiveMaximum: 1, description: 'adam only; default 0.999' },
          eps: { ...positive, description: 'adam only; default 1e-8' },
        },
        required: ['lr'],
        additionalProperties: false,
      },
      epochs: { type: 'integer', minimum: 1, description: 'passes over the dataset' },
      batch_size: { type: 'integer', minimum: 1, description: 'samples per step; full batch when absent, as in the seed' },
      checkpoint_every: {
        type: 'integer',
        minimum: 1,
        description: 'emit the parameters on the checkpoints stream every N epochs and at the last one; none when absent',
      },
    },
    required: ['optimizer', 'epochs'],
    additionalProperties: false,
  },
  inputs: {
    dataset: { kind: 'dataset', description: 'the training data' },
    model: { kind: 'model', description: 'the architecture and initial parameters' },
  },
  outputs: {
    model: { kind: 'model', description: 'the trained model' },
    history: { kind: 'history', description: 'the loss of every epoch' },
    epochs: { kind: 'epoch-state', stream: true, description: 'one state per epoch, live while training runs' },
    checkpoints: { kind: 'checkpoint', stream: true, optional: true, description: 'the parameters every checkpoint_every epochs and at the last' },
  },
  setup: mlSetup,
  run: (ctx, { dataset, model }) => {
    const { params } = ctx;
    const features = dataset.X[0]?.length ?? 0;
    if (features !== model.layers[0]) {
      throw new Error(
        `the model takes ${model.layers[0]} features but the dataset has ${features}; set the model's layers to start with ${features}`,
      );
    }
    const optimizer = resolveOptimizer(params.optimizer);
    const losses: number[] = [];
    let stopReason: string | undefined;
    const stop = ctx.stopRequested.pipe(map((reason) => (stopReason = reason)));
    const states = defer(() => from(loadMl())).pipe(
      concatMap(({ train }) =>
        train(model, dataset, {
          loss: params.loss,
          optimizer,
          epochs: params.epochs,
          batchSize: params.batch_size,
          stop,
          // Parameters are read back (a device sync) only at checkpoint epochs.
          paramsEvery: params.checkpoint_every,
        }),
      ),
    );
    let last: TrainState | undefined;
    // Only progress and outputs while training, never an artifact: the engine handles a
    // stage's events in order, so a pending write would hold back the live streams and a
    // consumer's stop would land at an epoch that depends on timing.
    const perEpoch = states.pipe(
      concatMap((state): StageEvent[] => {
        losses.push(state.loss);
        last = state;
        const live: EpochState = { epoch: state.epoch, loss: state.loss, elapsedMs: state.elapsedMs };
        const events: StageEvent[] = [
          { type: 'progress', current: state.epoch, total: params.epochs, state: { loss: state.loss } },
          output('epochs', live),
        ];
        if (params.checkpoint_every && state.params) events.push(output('checkpoints', { epoch: state.epoch, params: state.params } satisfies Checkpoint));
        return events;
      }),
      // A failed run keeps what it learned so far, under a name that says it is incomplete
      // (never history.json, which the lock and the cache would take as a finished one).
      catchError((err: unknown) => {
        const error = err instanceof Error ? err.message : String(err);
        const kept = `the losses so far (${losses.length} epoch${losses.length === 1 ? '' : 's'}) are in ${ctx.id}/history.incomplete.json`;
        return concat(
          of(jsonArtifact('history.incomplete.json', { loss: losses, error }, false)),
          throwError(() => new Error(`${error}; ${kept}`, { cause: err })),
        );
      }),
    );
    return concat(perEpoch, defer(() => finish()));

    function finish(): Observable<StageEvent> {
      const trained: ModelSpec = { ...model, params: last!.params! };
      const history: History = { loss: losses };
      if (last!.epoch < params.epochs) history.stopped_early = { epoch: last!.epoch, reason: stopReason ?? 'stop requested' };
      return from(modelFiles(trained)).pipe(
        concatMap((files): StageEvent[] => [
          jsonArtifact('history.json', history, false),
          jsonArtifact('params.json', trained.params),
          ...files,
          message(`final loss ${losses[losses.length - 1]} after ${last!.epoch} epochs`),
          output('history', history),
          output('model', trained),
        ]),
      );
    }
  },
});
