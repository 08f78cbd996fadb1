/** Small but complete records to build reports from: charts from the real chart builders, losses shaped like training's. */
import { decisionRegionSpec } from '../../src/charts/region.ts';
import { lossCurveSpec } from '../../src/charts/loss.ts';
import { scatterSpec } from '../../src/charts/scatter.ts';
import type { RunRecord, SweepRecord, TrialRecord } from '../../src/report/types.ts';

/** A loss curve falling from about 0.69 towards `floor` at `rate` per epoch. */
export function decay(epochs: number, rate: number, floor = 0.01): number[] {
  return Array.from({ length: epochs }, (_, i) => (0.69 - floor) * Math.exp(-rate * i) + floor);
}

const xor = { X: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] };

function regionGrid(n: number) {
  const axis = Array.from({ length: n }, (_, i) => -0.1 + (1.2 * (i + 0.5)) / n);
  return { x1: axis, x2: axis, probability: axis.map((b) => axis.map((a) => 1 / (1 + Math.exp(-12 * (Math.abs(a - b) - 0.35))))) };
}

/** A completed run of a small XOR pipeline: three recorded charts (scatter, loss, region), one training stage with validation. */
export function xorRun(overrides: Partial<RunRecord> = {}): RunRecord {
  const train = decay(300, 0.02, 0.002);
  const validation = train.map((l) => l * 1.15);
  const points = xor.X.map((p, i) => ({ name: `(${p.join(', ')})`, point: p as [number, number], probability: [0.02, 0.97, 0.96, 0.03][i] }));
  return {
    name: 'base',
    pipeline: { name: 'xor-mlp', file: 'pipelines/xor-mlp.yaml' },
    status: 'completed',
    startedAt: '2026-12-03T08:31:27.623Z',
    durationMs: 1149.25,
    git: { commit: 'eb61bb0a1c2d3e4f5a6b7c8d9e0f11223344', dirty: false },
    params: {
      data: { repeat: 1, jitter: 0 },
      model: { layers: [2, 4, 1], init: { scheme: 'torch', seed: 5 } },
      train: { optimizer: { name: 'sgd', lr: 1 }, epochs: 300 },
    },
    overrides: [],
    metrics: { 'evaluate.accuracy': 1, 'train.loss': train[train.length - 1] },
    metricDirections: { 'evaluate.accuracy': 'maximize', 'train.loss': 'minimize' },
    stages: {
      data: { uses: 'xor', status: 'cached', durationMs: 3 },
      model: { uses: 'model', status: 'cached', durationMs: 2 },
      train: { uses: 'train', status: 'completed', durationMs: 670, reason: 'params changed: optimizer.lr 0.5 → 1' },
      evaluate: { uses: 'evaluate', status: 'completed', durationMs: 10 },
    },
    check: {
      ok: false,
      rows: [
        { stage: 'train', artifact: 'history.json', result: 'changed', detail: 'loss[41] differs by 3.1e-7' },
        { stage: 'train', artifact: 'weights.bin', result: 'same', detail: '' },
      ],
    },
    charts: [
      { stage: 'data-chart', title: 'XOR', spec: scatterSpec(xor, { title: 'XOR' }) },
      { stage: 'loss-chart', title: 'Training loss', spec: lossCurveSpec(train, { title: 'Training loss' }) },
      { stage: 'region', title: 'Decision region', spec: decisionRegionSpec(xor, regionGrid(40), { title: 'Decision region', points }) },
    ],
    losses: { train: { train, validation } },
    ...overrides,
  };
}

/** A 3 × 2 sweep of lr and seed with accuracy as its objective: one trial failed, the best is lr=1,seed=2. */
export function lrSweep(): SweepRecord {
  const lrs = [0.01, 0.1, 1];
  const seeds = [1, 2];
  const trials: TrialRecord[] = lrs.flatMap((lr, i) =>
    seeds.map((seed, j): TrialRecord => {
      const id = `trial-00${2 * i + j + 1}`;
      const name = `lr=${lr},seed=${seed}`;
      const values = { 'train.optimizer.lr': lr, 'model.init.seed': seed };
      if (lr === 0.1 && seed === 2) return { id, name, values, status: 'failed', metrics: {}, error: 'loss became NaN at epoch 2' };
      const train = decay(200, lr / 10 + 0.002 * seed, 0.0005);
      return { id, name, values, status: 'completed', durationMs: 900 + 100 * j, metrics: { 'evaluate.accuracy': 0.7 + 0.1 * i + 0.02 * seed }, losses: { train, validation: train.map((l) => l * 1.2) } };
    }),
  );
  return {
    pipeline: { name: 'xor-mlp', file: 'pipelines/xor-mlp.yaml' },
    grid: { 'train.optimizer.lr': lrs, 'model.init.seed': seeds },
    objective: { metric: 'evaluate.accuracy', direction: 'maximize' },
    best: 'trial-006',
    trials,
    startedAt: '2026-12-03T09:00:00.000Z',
    durationMs: 5400,
  };
}
