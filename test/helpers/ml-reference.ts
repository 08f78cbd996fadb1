/** The PyTorch reference run (test/fixtures/train-reference.json) as rxlab types. */
import { readFileSync } from 'node:fs';
import type { Activation, Dataset, DenseParams, ModelSpec } from '../../src/data.ts';

interface Reference {
  dataset: Dataset;
  train: {
    layers: number[];
    lr: number;
    epochs: number;
    /** [weight row, bias] of the single Linear layer. */
    init: [number[], number[]];
    losses: number[];
    final: [number[], number[]];
    points: number[][];
    probs: number[];
  };
}

export const reference = JSON.parse(
  readFileSync(new URL('../fixtures/train-reference.json', import.meta.url), 'utf8'),
) as Reference;

/** A single-layer reference entry ([weight row, bias]) as DenseParams. */
export const toParams = ([row, bias]: [number[], number[]]): DenseParams[] => [{ weight: [row], bias }];

/** The seed model from the reference's init params. */
export const seedSpec: ModelSpec = {
  layers: reference.train.layers,
  activation: 'sigmoid',
  params: toParams(reference.train.init),
};

/** Largest absolute difference between two equally long lists. */
export function maxAbsDiff(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new Error(`comparing ${a.length} values with ${b.length}`);
  return a.reduce((m, ai, i) => Math.max(m, Math.abs(ai - b[i])), 0);
}

/** Every number of a network's params, flattened in layer order (weights row by row, then bias). */
export const flatParams = (params: DenseParams[]): number[] => params.flatMap((p) => [...p.weight.flat(), ...p.bias]);

/** A small 2-3-1 network with fixed weights, for model and save tests. */
export const smallNetwork = (activation: Activation): ModelSpec => ({
  layers: [2, 3, 1],
  activation,
  params: [
    {
      weight: [
        [0.5, -0.4],
        [-0.3, 0.6],
        [0.7, 0.2],
      ],
      bias: [0.1, -0.2, 0.3],
    },
    { weight: [[0.3, -0.2, 0.4]], bias: [-0.1] },
  ],
});

/**
 * A run whose loss becomes NaN at epoch 2 with SGD at lr 1e30: with a sigmoid output and
 * the clamped BCE only float32 overflow can do that, and huge features with an absurd
 * learning rate push the weights to ±Infinity.
 */
export const overflow: { data: Dataset; spec: ModelSpec } = {
  data: {
    X: [
      [0, 0],
      [0, 1e10],
      [1e10, 0],
      [1e10, 1e10],
      [-1e10, 2e10],
    ],
    y: [0, 1, 1, 0, 1],
  },
  spec: { layers: [2, 1], activation: 'sigmoid', params: [{ weight: [[0.1, -0.1]], bias: [0] }] },
};
