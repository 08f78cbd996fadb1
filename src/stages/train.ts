/**
 * `uses: train` — PyTorch's training loop: one state per epoch on a live stream (the
 * progress bar, live charts and early stopping consume it while it runs), optionally the
 * parameters every N epochs on a second one (checkpoints), then the loss history, the
 * final parameters and the trained model. Given a `validation` dataset, it also measures
 * the loss on it after every epoch, with the weights that epoch ended with (PyTorch's
 * usual evaluation pass after each epoch): `validationLoss` on the live stream, `val_loss`
 * in history.json and as a metric.
 */
import { Observable, concat, defer, from, of, throwError } from 'rxjs';
import { catchError, concatMap, map } from 'rxjs/operators';
import type { EpochState, History, ModelSpec } from '../data.ts';
import { defineStage, jsonArtifact, message, type StageEvent } from '../contract/stage.ts';
import type { TrainState } from '../ml/train.ts';
import type { OptimizerSpec } from '../ml/optimizers.ts';
import { ML_PACKAGES, backendParam, backendProblems, computeWith, describeBackend, modelArtifacts } from './ml.ts';
import { featuresProblem, modelBytes, parameterCount, showLabels } from './preflight.ts';

/** Memory per live epoch state kept for the run (the stream replays its history to late consumers), and in history.json. */
const EPOCH_BYTES = 200;

const positive = { type: 'number', exclusiveMinimum: 0 } as const;
const lr = { ...positive, description: 'learning rate' } as const;
const weightDecay = { type: 'number', minimum: 0, default: 0, description: 'L2 penalty added to the gradient (weight_decay · p)' } as const;

/** `torch.optim.SGD` and `torch.optim.Adam`, with their parameter names and defaults; a param of the other one is refused. */
const optimizer = {
  type: 'object',
  description: 'torch.optim semantics: sgd (lr, momentum, dampening, nesterov, weight_decay) or adam (lr, betas, eps, weight_decay, amsgrad)',
  required: ['name', 'lr'],
  discriminator: { propertyName: 'name' },
  oneOf: [
    {
      type: 'object',
      description: 'torch.optim.SGD',
      properties: {
        name: { const: 'sgd' },
        lr,
        momentum: { type: 'number', minimum: 0, default: 0, description: 'momentum factor; 0 is plain SGD' },
        dampening: { type: 'number', minimum: 0, maximum: 1, default: 0, description: 'dampening for momentum' },
        nesterov: { type: 'boolean', default: false, description: 'Nesterov momentum (needs momentum > 0 and dampening 0)' },
        weight_decay: weightDecay,
      },
      additionalProperties: false,
    },
    {
      type: 'object',
      description: 'torch.optim.Adam',
      properties: {
        name: { const: 'adam' },
        lr,
        betas: {
          type: 'array',
          items: [
            { type: 'number', minimum: 0, exclusiveMaximum: 1 },
            { type: 'number', minimum: 0, exclusiveMaximum: 1 },
          ],
          minItems: 2,
          maxItems: 2,
          default: [0.9, 0.999],
          description: 'coefficients of the running averages of the gradient and its square',
        },
        eps: { ...positive, default: 1e-8, description: 'added to the denominator' },
        weight_decay: weightDecay,
        amsgrad: { type: 'boolean', default: false, description: 'keep the maximum of the squared-gradient averages (AMSGrad)' },
      },
      additionalProperties: false,
    },
  ],
} as const;

export const trainStage = defineStage({
  name: 'train',
  description: "Trains a model on a dataset, full batch by default, with PyTorch's losses and optimizers in float32.",
  params: {
    type: 'object',
    properties: {
      loss: { enum: ['bce', 'mse'], default: 'bce', description: "bce is PyTorch's BCELoss (mean, log clamped at -100); mse is MSELoss" },
      optimizer,
      epochs: { type: 'integer', minimum: 1, description: 'passes over the dataset' },
      batch_size: { type: 'integer', minimum: 1, description: 'samples per step; full batch when absent, as in the seed' },
      checkpoint_every: {
        type: 'integer',
        minimum: 1,
        description: 'emit the parameters on the checkpoints stream every N epochs and at the last one; none when absent',
      },
      backend: backendParam,
    },
    required: ['optimizer', 'epochs'],
    additionalProperties: false,
  },
  inputs: {
    dataset: { kind: 'dataset', description: 'the training data' },
    model: { kind: 'model', description: 'the architecture and initial parameters' },
    validation: {
      kind: 'dataset',
      optional: true,
      description: 'held-out data (e.g. split.test): its loss is measured after every epoch, with the weights the epoch ended with',
    },
  },
  outputs: {
    model: { kind: 'model', description: 'the trained model' },
    history: { kind: 'history', description: 'the loss of every epoch' },
    epochs: { kind: 'epoch-state', stream: true, description: 'one state per epoch, live while training runs' },
    checkpoints: { kind: 'checkpoint', stream: true, optional: true, description: 'the parameters every checkpoint_every epochs and at the last' },
  },
  check: ({ optimizer: o, backend }) => [
    ...(o.name === 'sgd' && o.nesterov && (o.momentum <= 0 || o.dampening !== 0)
      ? [{ path: ['optimizer', 'nesterov'], message: `Nesterov momentum needs momentum > 0 and dampening 0 (as in torch.optim.SGD); found momentum ${o.momentum}, dampening ${o.dampening}` }]
      : []),
    ...backendProblems(backend),
  ],
  metrics: {
    loss: { direction: 'minimize', description: 'the training loss of the last epoch' },
    val_loss: { direction: 'minimize', description: 'the loss on the validation data after the last epoch', input: 'validation' },
  },
  preflight: (params, { dataset, model, validation }) => {
    const given = [['dataset', dataset], ['validation', validation]] as const;
    const problems = model?.layers
      ? given.flatMap(([port, data]) => featuresProblem(data, model.layers![0], ['inputs', port], `the model (${model.from}) takes`, `make the model's layers start with ${data?.features}`))
      : [];
    // BCELoss takes targets in [0, 1]: labels 2, 3, … give a negative loss and a meaningless model.
    for (const [, data] of given) {
      const labels = data?.labels;
      if (params.loss === 'bce' && labels && labels.some((l) => l !== 0 && l !== 1)) {
        problems.push({
          path: ['with', 'loss'],
          message: `bce needs labels 0 and 1, but ${data.from} has labels ${showLabels(labels)}; give it two classes (blobs: centers: 2), or labels of 0 and 1`,
        });
      }
    }
    if (!model?.layers) return { problems, outputs: { checkpoints: { emits: params.checkpoint_every !== undefined }, history: { epochs: params.epochs } } };
    const samples = dataset?.samples ?? 0;
    const held = validation?.samples ?? 0;
    const batch = Math.min(params.batch_size ?? samples, samples);
    const widths = model.layers.reduce((a, b) => a + b, 0);
    const parameters = parameterCount(model.layers);
    // Parameters: their tensors, gradients, optimizer state and temporaries (float32), plus the model files written at the end.
    const bytes = modelBytes(model.layers) + parameters * 4 * 6 + batch * widths * 4 * 4 + (samples + held) * ((dataset?.features ?? 0) + 1) * 4 * 2 + params.epochs * EPOCH_BYTES;
    const heavier = params.epochs * EPOCH_BYTES > modelBytes(model.layers) ? ['with', 'epochs'] : ['inputs', 'model'];
    return {
      problems,
      outputs: { model: { layers: model.layers }, checkpoints: { emits: params.checkpoint_every !== undefined }, history: { epochs: params.epochs } },
      memory: { bytes, path: heavier, what: `training ${parameters} parameters for ${params.epochs} epochs on ${samples} samples` },
    };
  },
  packages: ML_PACKAGES,
  run: (ctx, { dataset, model, validation }) => {
    const { params } = ctx;
    for (const [what, data] of [['dataset', dataset], ['validation dataset', validation]] as const) {
      if (!data) continue;
      const features = data.X[0]?.length ?? 0;
      if (features !== model.layers[0]) {
        throw new Error(`the model takes ${model.layers[0]} features but the ${what} has ${features}; set the model's layers to start with ${features}`);
      }
    }
    const optimizer: OptimizerSpec = params.optimizer;
    const losses: number[] = [];
    const validationLosses: number[] = [];
    let stopReason: string | undefined;
    let threads = 1;
    const stop = ctx.stopRequested.pipe(map((reason) => (stopReason = reason)));
    const states = defer(() => from(computeWith(params.backend))).pipe(
      concatMap(({ train, threadsFor }) =>
        train(model, dataset, {
          threads: (threads = threadsFor(dataset.X.length)),
          loss: params.loss,
          optimizer,
          epochs: params.epochs,
          batchSize: params.batch_size,
          stop,
          // Parameters are read back (a device sync) only at checkpoint epochs.
          paramsEvery: params.checkpoint_every,
          ...(validation ? { validation } : {}),
        }),
      ),
    );
    let last: TrainState | undefined;
    // Interrupted (Ctrl-C): training ends with an error, so that what it learned is kept below.
    const { signal } = ctx;
    const watched = signal
      ? new Observable<TrainState>((subscriber) => {
          const interrupt = (): void => subscriber.error(new Error('interrupted'));
          signal.addEventListener('abort', interrupt, { once: true });
          const training = states.subscribe(subscriber);
          return () => {
            signal.removeEventListener('abort', interrupt);
            training.unsubscribe();
          };
        })
      : states;
    // Only progress and outputs while training, never an artifact: the engine handles a
    // stage's events in order, so a pending write would hold back the live streams and a
    // consumer's stop would land at an epoch that depends on timing.
    const perEpoch = watched.pipe(
      concatMap((state): StageEvent[] => {
        losses.push(state.loss);
        if (state.validationLoss !== undefined) validationLosses.push(state.validationLoss);
        last = state;
        const held = state.validationLoss !== undefined ? { validationLoss: state.validationLoss } : {};
        const live: EpochState = { epoch: state.epoch, loss: state.loss, ...held, elapsedMs: state.elapsedMs };
        const events: StageEvent[] = [
          { type: 'progress', current: state.epoch, total: params.epochs, state: { loss: state.loss, ...held } },
          ctx.output('epochs', live),
        ];
        if (params.checkpoint_every && state.params) events.push(ctx.output('checkpoints', { epoch: state.epoch, params: state.params }));
        return events;
      }),
      // A failed or interrupted run keeps what it learned so far, under a name that says it
      // is incomplete (never history.json, which the lock and the cache would take as a finished one).
      catchError((err: unknown) => {
        const error = err instanceof Error ? err.message : String(err);
        const kept = `the losses so far (${losses.length} epoch${losses.length === 1 ? '' : 's'}) are in ${ctx.id}/history.incomplete.json`;
        const sofar = validation ? { loss: losses, val_loss: validationLosses, error } : { loss: losses, error };
        return concat(
          of(jsonArtifact('history.incomplete.json', sofar, false)),
          throwError(() => new Error(`${error}; ${kept}`, { cause: err })),
        );
      }),
    );
    return concat(perEpoch, defer(() => finish()));

    function finish(): Observable<StageEvent> {
      const trained: ModelSpec = { ...model, params: last!.params! };
      const history: History = validation ? { loss: losses, val_loss: validationLosses } : { loss: losses };
      if (last!.epoch < params.epochs) history.stopped_early = { epoch: last!.epoch, reason: stopReason ?? 'stop requested' };
      const finalLoss = losses[losses.length - 1];
      const finalValidation = validation ? [ctx.metric('val_loss', validationLosses[validationLosses.length - 1])] : [];
      return of(
        jsonArtifact('history.json', history, false),
        jsonArtifact('params.json', trained.params),
        ...modelArtifacts(trained),
        message(`backend ${describeBackend(params.backend, threads)}`),
        message(`final loss ${finalLoss}${validation ? `, validation loss ${validationLosses[validationLosses.length - 1]}` : ''} after ${last!.epoch} epochs`),
        ctx.metric('loss', finalLoss),
        ...finalValidation,
        ctx.output('history', history),
        ctx.output('model', trained),
      );
    }
  },
});
