/** The PyTorch references of test/fixtures/torch-optim.json (see scripts/torch-fixtures.py) as rxlab types. */
import { readFileSync } from 'node:fs';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import { expect } from 'vitest';
import type { Activation, Dataset, DenseParams, ModelSpec } from '../../src/data.ts';
import type { LossName, TrainOptions, TrainState } from '../../src/ml/options.ts';
import type { OptimizerSpec } from '../../src/ml/optimizers.ts';
import { flatParams, maxAbsDiff } from './ml-reference.ts';

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
  soft: { y: number[]; runs: TorchRun[] };
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

/** A trainer and its forward pass: the fused one's or TensorFlow.js's. */
export interface Backend {
  train(spec: ModelSpec, data: Dataset, opts: TrainOptions): Observable<TrainState>;
  predict(spec: ModelSpec, points: number[][]): number[];
}

/**
 * Trains `spec` on `data` as `run` says and returns the largest differences from
 * PyTorch's losses, final parameters and (given `points`) probabilities.
 */
export async function diffs(backend: Backend, run: TorchRun, spec: ModelSpec, data: Dataset, points?: number[][]) {
  const opts = { loss: run.loss ?? 'bce', optimizer: run.optimizer, epochs: run.epochs, batchSize: run.batch_size ?? undefined };
  const states = await lastValueFrom(backend.train(spec, data, opts).pipe(toArray()));
  expect(states.map((s) => s.epoch)).toEqual(run.losses.map((_, i) => i + 1));
  const final = states.at(-1)?.params as DenseParams[];
  return {
    losses: maxAbsDiff(
      states.map((s) => s.loss),
      run.losses,
    ),
    params: maxAbsDiff(flatParams(final), flatParams(run.final)),
    probs: points && run.probs ? maxAbsDiff(backend.predict({ ...spec, params: final }, points), run.probs) : 0,
  };
}
