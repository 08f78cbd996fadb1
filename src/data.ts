/**
 * The plain data that flows between stages (the kinds of src/contract/kinds.ts). They are
 * JSON-serialisable, so an output can be written as an artifact and read back from the cache unchanged.
 */

/** Features row by row (`X[i]` is one sample) and integer class labels. */
export interface Dataset {
  X: number[][];
  y: number[];
}

/** One dense layer in PyTorch's layout: `weight` is out × in, row-major. */
export interface DenseParams {
  weight: number[][];
  bias: number[];
}

export type Activation = 'sigmoid' | 'relu' | 'tanh';

/** A stack of dense layers: `layers` are sizes, input first; hidden layers use `activation`, the output sigmoid. */
export interface ModelSpec {
  layers: number[];
  activation: Activation;
  params: DenseParams[];
}

/** What the train stage emits once per epoch on its live stream. */
export interface EpochState {
  epoch: number;
  /** The loss before this epoch's step, as the seed prints it. */
  loss: number;
  /** The loss on the held-out data with the weights this epoch ended with, when training has some. */
  validationLoss?: number;
  elapsedMs: number;
}

/** The parameters after an epoch's step, on train's `checkpoints` stream. */
export interface Checkpoint {
  epoch: number;
  params: DenseParams[];
}

/**
 * What `history.json` holds: one loss per epoch (before that epoch's step), the held-out loss
 * per epoch (after its step) when training had validation data, and why it ended early if it did.
 */
export interface History {
  loss: number[];
  val_loss?: number[];
  stopped_early?: { epoch: number; reason: string };
}

/** One evaluated point. */
export interface Prediction {
  name: string;
  point: number[];
  probability: number;
  class: 0 | 1;
}

/** What evaluate outputs: one entry per point, and accuracy when it was given a dataset. */
export interface Predictions {
  points: Prediction[];
  accuracy?: number;
}

/**
 * What early-stop decided. `decided_at` is the epoch at which patience ran out, `stopped_at`
 * the last epoch trained (the next one, or the same when it was the last planned epoch anyway).
 */
export type EarlyStopDecision =
  | { stopped: true; decided_at: number; stopped_at: number; best_epoch: number; best_loss: number; reason: string }
  | { stopped: false; epochs: number; best_epoch: number; best_loss: number };
