/**
 * The plain-data kinds that flow between built-in stages. They are JSON-serialisable,
 * so an output can be written as an artifact and read back from the cache unchanged.
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
  elapsedMs: number;
}
