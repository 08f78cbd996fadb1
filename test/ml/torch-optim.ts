/** The PyTorch references of test/fixtures/torch-optim.json (see scripts/torch-fixtures.py) as rxlab types. */
import { readFileSync } from 'node:fs';
import type { Activation, Dataset, DenseParams, ModelSpec } from '../../src/data.ts';
import type { LossName } from '../../src/ml/options.ts';
import type { OptimizerSpec } from '../../src/ml/optimizers.ts';

/** One training run: its settings and what PyTorch made of them. */
export interface TorchRun {
  label: string;
  activation?: Activation;
  loss?: LossName;
  optimizer: OptimizerSpec;
  batch_size: number | null;
  epochs: number;
  losses: number[];
  final: DenseParams[];
  probs?: number[];
}

interface Fixture {
  perceptron: { layers: number[]; seed: number; init: DenseParams[]; points: number[][]; runs: TorchRun[] };
  mlp: { dataset: Dataset; layers: number[]; seed: number; init: DenseParams[]; runs: TorchRun[] };
  xor: {
    dataset: Dataset;
    layers: number[];
    seed: number;
    optimizer: OptimizerSpec;
    epochs: number;
    init: DenseParams[];
    losses: number[];
    final: DenseParams[];
    probs: number[];
  };
}

export const torchOptim = JSON.parse(readFileSync(new URL('../fixtures/torch-optim.json', import.meta.url), 'utf8')) as Fixture;

/** A run's name for test titles. */
export const runName = (run: TorchRun): string =>
  [run.activation, run.loss, run.label, run.batch_size ? `batches of ${run.batch_size}` : 'full batch'].filter(Boolean).join(', ');

/** The model a run starts from. */
export const startOf = (layers: number[], init: DenseParams[], activation: Activation = 'sigmoid'): ModelSpec => ({ layers, activation, params: init });
