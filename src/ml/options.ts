/**
 * What both trainers (the fused one and the TensorFlow.js fallback) take and emit, and the
 * checks they share. Free of TensorFlow.js, so the fused trainer loads without it.
 */
import type { Observable } from 'rxjs';
import type { Dataset, DenseParams, EpochState, ModelSpec } from '../data.ts';

/** `bce` is `nn.BCELoss()`, `mse` is `nn.MSELoss()`, both with mean reduction. */
export type LossName = 'bce' | 'mse';

/** How to train. */
export interface TrainOptions {
  loss: LossName;
  optimizer: OptimizerSpec;
  epochs: number;
  /**
   * Minibatch size. Absent: full batch. Present: consecutive slices in data order (no
   * shuffling), one step each; the epoch's loss is the plain mean of its batch losses,
   * each taken before that batch's step (PyTorch's usual `running_loss / len(loader)`).
   */
  batchSize?: number;
  /**
   * Asks training to finish early: the next epoch to complete becomes the last one
   * (its state carries `params`) and the stream completes.
   */
  stop?: Observable<unknown>;
  /**
   * Also read the parameters back at every epoch that is a multiple of this (for
   * checkpoints). Absent or 0: only the last epoch's, keeping one read back per epoch.
   */
  paramsEvery?: number;
  /**
   * Held-out data: after each epoch's step(s), the loss on it with the weights the epoch
   * ended with (PyTorch's usual evaluation pass after each epoch), as `validationLoss`.
   * One forward pass and loss per epoch; training itself is unchanged, bit for bit.
   */
  validation?: Dataset;
}

/** A per-epoch state; the last one (and every `paramsEvery`-th) also carries the parameters after its step. */
export interface TrainState extends EpochState {
  params?: DenseParams[];
}

const ACTIVATIONS = ['sigmoid', 'relu', 'tanh'];

/** Throws a descriptive error unless `spec.params` fits `spec.layers`. */
export function validateSpec(spec: ModelSpec): void {
  const { layers, params } = spec;
  if (layers.length < 2 || !layers.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`layers must list at least two positive sizes, got [${layers.join(', ')}]`);
  }
  if (!ACTIVATIONS.includes(spec.activation)) throw new Error(`unknown activation '${spec.activation}'`);
  if (params.length !== layers.length - 1) {
    throw new Error(`layers [${layers.join(', ')}] need ${layers.length - 1} parameter sets, got ${params.length}`);
  }
  params.forEach(({ weight, bias }, l) => {
    const [nIn, nOut] = [layers[l], layers[l + 1]];
    if (weight.length !== nOut || weight.some((row) => row.length !== nIn) || bias.length !== nOut) {
      throw new Error(`layer ${l} needs weight ${nOut}×${nIn} and bias ${nOut}`);
    }
  });
}

/**
 * `torch.optim.SGD` or `torch.optim.Adam` with every setting given (the train stage's
 * schema fills in PyTorch's defaults: SGD momentum 0, dampening 0, nesterov false,
 * weight_decay 0; Adam betas [0.9, 0.999], eps 1e-8, weight_decay 0, amsgrad false).
 */
export type OptimizerSpec =
  | { name: 'sgd'; lr: number; momentum: number; dampening: number; nesterov: boolean; weight_decay: number }
  | { name: 'adam'; lr: number; betas: [number, number]; eps: number; weight_decay: number; amsgrad: boolean };

/** SGD with PyTorch's defaults for everything but the learning rate and the given settings. */
export const sgdSpec = (lr: number, settings: Partial<Omit<Extract<OptimizerSpec, { name: 'sgd' }>, 'name' | 'lr'>> = {}): OptimizerSpec => ({
  name: 'sgd',
  lr,
  momentum: 0,
  dampening: 0,
  nesterov: false,
  weight_decay: 0,
  ...settings,
});

/** Adam with PyTorch's defaults for everything but the learning rate and the given settings. */
export const adamSpec = (lr: number, settings: Partial<Omit<Extract<OptimizerSpec, { name: 'adam' }>, 'name' | 'lr'>> = {}): OptimizerSpec => ({
  name: 'adam',
  lr,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weight_decay: 0,
  amsgrad: false,
  ...settings,
});

/** Throws a descriptive error unless the optimizer's settings are usable. */
export function validateOptimizer(spec: OptimizerSpec): void {
  if (!(spec.lr > 0)) throw new Error(`optimizer.lr must be a positive number, got ${spec.lr}`);
  if (!(spec.weight_decay >= 0)) throw new Error(`optimizer.weight_decay must be ≥ 0, got ${spec.weight_decay}`);
  if (spec.name === 'sgd') {
    if (!(spec.momentum >= 0)) throw new Error(`optimizer.momentum must be ≥ 0, got ${spec.momentum}`);
    // torch.optim.SGD's own check.
    if (spec.nesterov && (spec.momentum <= 0 || spec.dampening !== 0)) {
      throw new Error('optimizer.nesterov needs a momentum > 0 and dampening 0');
    }
  } else {
    const [b1, b2] = spec.betas;
    for (const [i, b] of [b1, b2].entries()) {
      if (!(b >= 0 && b < 1)) throw new Error(`optimizer.betas[${i}] must be in [0, 1), got ${b}`);
    }
    if (!(spec.eps >= 0)) throw new Error(`optimizer.eps must be ≥ 0, got ${spec.eps}`);
  }
}

/** Throws a descriptive error unless `data`, `spec` and `opts` fit together. */
export function validateOptions(data: Dataset, spec: ModelSpec, opts: TrainOptions): void {
  validateSpec(spec);
  const n = data.X.length;
  if (n === 0 || data.y.length !== n) throw new Error(`dataset needs as many labels as samples (X ${n}, y ${data.y.length})`);
  if (data.X.some((row) => row.length !== spec.layers[0])) throw new Error(`every sample needs ${spec.layers[0]} features`);
  if (spec.layers[spec.layers.length - 1] !== 1) throw new Error('the output layer must have one unit (one label per sample)');
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1) throw new Error(`epochs must be a positive integer, got ${opts.epochs}`);
  const b = opts.batchSize;
  if (b !== undefined && (!Number.isInteger(b) || b < 1)) throw new Error(`batchSize must be a positive integer, got ${b}`);
  const every = opts.paramsEvery;
  if (every !== undefined && (!Number.isInteger(every) || every < 0)) throw new Error(`paramsEvery must be a non-negative integer, got ${every}`);
  const v = opts.validation;
  if (v) {
    if (v.X.length === 0 || v.y.length !== v.X.length) throw new Error(`the validation data needs as many labels as samples, and at least one (X ${v.X.length}, y ${v.y.length})`);
    if (v.X.some((row) => row.length !== spec.layers[0])) throw new Error(`every validation sample needs ${spec.layers[0]} features`);
  }
  validateOptimizer(opts.optimizer);
}
