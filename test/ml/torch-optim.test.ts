import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/ml/backend.ts';
import { predict } from '../../src/ml/predict.ts';
import { train } from '../../src/ml/train.ts';
import { reference } from '../helpers/ml-reference.ts';
import { diffs, runName, startOf, torchOptim } from '../helpers/torch-optim.ts';

// The TensorFlow.js fallback against the same PyTorch references as the fused trainer
// (test/ml/fused/parity.test.ts): every optimizer setting means what it means in torch.optim.
beforeAll(async () => {
  await initBackend('cpu');
});

const tfjs = { train, predict };

describe('the TensorFlow.js trainer against PyTorch references', () => {
  const P = torchOptim.perceptron;
  it.each(P.runs.map((run) => [runName(run), run] as const))('perceptron, %s: within 1e-6', async (_, run) => {
    const d = await diffs(tfjs, run, startOf(P.layers, P.init), reference.dataset, P.points);
    expect(d.losses).toBeLessThan(1e-6);
    expect(d.params).toBeLessThan(1e-6);
    expect(d.probs).toBeLessThan(1e-6);
  });

  // BCE's general formula (soft labels take both logarithms and log1p's correction).
  it.each(torchOptim.soft.runs.map((run) => [runName(run), run] as const))('perceptron with soft labels, %s: within 1e-6', async (_, run) => {
    const d = await diffs(tfjs, run, startOf(P.layers, P.init), { X: reference.dataset.X, y: torchOptim.soft.y });
    expect(d.losses).toBeLessThan(1e-6);
    expect(d.params).toBeLessThan(1e-6);
  });

  const M = torchOptim.mlp;
  it.each(M.runs.map((run) => [runName(run), run] as const))('2-5-4-1 network, %s: within 1e-4', async (_, run) => {
    const d = await diffs(tfjs, run, startOf(M.layers, M.init, run.activation), M.dataset);
    expect(d.losses).toBeLessThan(1e-4);
    expect(d.params).toBeLessThan(1e-4);
  });
});
