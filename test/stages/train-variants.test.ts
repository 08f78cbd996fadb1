/**
 * The train stage on cases no PyTorch fixture covers: other seeds, learning rates, epochs
 * and layer stacks, through the pipeline with --set, against a float64 reference.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset, DenseParams } from '../../src/data.ts';
import type { Prediction } from '../../src/data.ts';
import type { History } from '../../src/data.ts';
import { referenceTrain } from './reference-mlp.ts';
import { runPipeline } from '../helpers/run.ts';

const PIPELINES = join(import.meta.dirname, '..', '..', 'pipelines');

describe('train stage against a float64 reference', () => {
  it.each([
    { name: 'perceptron, seed 7, lr 0.1, 150 epochs', sets: ['model.init.seed=7', 'train.optimizer.lr=0.1', 'train.epochs=150'], activation: 'sigmoid' as const },
    {
      name: '2-3-1 tanh MLP, seed 11, lr 0.5, 100 epochs',
      sets: ['model.layers=[2,3,1]', 'model.activation=tanh', 'model.init.seed=11', 'train.optimizer.lr=0.5', 'train.epochs=100'],
      activation: 'tanh' as const,
    },
  ])('$name', async ({ sets, activation }) => {
    const ran = await runPipeline(join(PIPELINES, 'perceptron.yaml'), sets);
    expect(ran.manifest.error).toBeUndefined();
    const data = ran.json<Dataset>('data/dataset.json');
    const init = ran.json<DenseParams[]>('model/params.json');
    const { loss } = ran.json<History>('train/history.json');
    const epochs = Number(sets.find((s) => s.startsWith('train.epochs='))!.split('=')[1]);
    const lr = Number(sets.find((s) => s.startsWith('train.optimizer.lr='))!.split('=')[1]);
    const expected = referenceTrain(init, activation, data.X, data.y, lr, epochs);
    expect(loss).toHaveLength(epochs);
    // float32 training against float64: rounding differences only.
    const worst = Math.max(...loss.map((v, i) => Math.abs(v - expected[i])));
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('pipelines/xor-mlp.yaml', () => {
  it('learns XOR: all four points classified correctly', async () => {
    const ran = await runPipeline(join(PIPELINES, 'xor-mlp.yaml'));
    expect(ran.manifest.error).toBeUndefined();
    const predictions = ran.json<Prediction[]>('evaluate/predictions.json');
    expect(predictions.map((p) => p.class)).toEqual([0, 1, 1, 0]);
    expect(ran.json<{ accuracy: number }>('evaluate/metrics.json').accuracy).toBe(1);
    const { loss } = ran.json<History>('train/history.json');
    expect(loss).toHaveLength(3000);
    expect(loss[loss.length - 1]).toBeLessThan(0.05);
  });
});
