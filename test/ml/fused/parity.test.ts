import { describe, expect, it } from 'vitest';
import { accuracy, predict, sgdSpec, train } from '../../../src/ml/fused/index.ts';
import { linearStackInit } from '../../../src/numerics/linear-init.ts';
import { reference, seedSpec, toParams } from '../../helpers/ml-reference.ts';
import { diffs, runName, startOf, torchOptim, type TorchRun } from '../../helpers/torch-optim.ts';

const fused = { train, predict };

describe('the fused trainer against PyTorch', () => {
  it('reproduces the seed run: every loss, the final params and the test probabilities within 1e-6', async () => {
    const ref = reference.train;
    const run: TorchRun = {
      label: 'seed',
      optimizer: sgdSpec(ref.lr),
      batch_size: null,
      epochs: ref.epochs,
      losses: ref.losses,
      final: toParams(ref.final),
      probs: ref.probs,
    };
    const d = await diffs(fused, run, seedSpec, reference.dataset, ref.points);
    console.log('seed perceptron, max |fused − torch|:', d);
    expect(d.losses).toBeLessThan(1e-6);
    expect(d.params).toBeLessThan(1e-6);
    expect(d.probs).toBeLessThan(1e-6);
    // Accuracy against the trained model's classes computed in double precision.
    const [[w0, w1], [b]] = ref.final;
    const hits = reference.dataset.X.filter(([x0, x1], i) => (w0 * x0 + w1 * x1 + b >= 0 ? 1 : 0) === reference.dataset.y[i]).length;
    expect(accuracy({ ...seedSpec, params: toParams(ref.final) }, reference.dataset)).toBe(hits / reference.dataset.y.length);
  });

  const P = torchOptim.perceptron;
  it('starts from the same initial parameters as torch.manual_seed + nn.Linear', () => {
    expect(linearStackInit(P.seed, P.layers)).toEqual(P.init);
    expect(linearStackInit(torchOptim.mlp.seed, torchOptim.mlp.layers)).toEqual(torchOptim.mlp.init);
    expect(linearStackInit(torchOptim.xor.seed, torchOptim.xor.layers)).toEqual(torchOptim.xor.init);
  });

  it.each(P.runs.map((run) => [runName(run), run] as const))('perceptron, %s: within 1e-6', async (_, run) => {
    const d = await diffs(fused, run, startOf(P.layers, P.init), reference.dataset, P.points);
    expect(d.losses).toBeLessThan(1e-6);
    expect(d.params).toBeLessThan(1e-6);
    expect(d.probs).toBeLessThan(1e-6);
  });

  // BCE's general formula (soft labels take both logarithms and log1p's correction).
  it.each(torchOptim.soft.runs.map((run) => [runName(run), run] as const))('perceptron with soft labels, %s: within 1e-6', async (_, run) => {
    const d = await diffs(fused, run, startOf(P.layers, P.init), { X: reference.dataset.X, y: torchOptim.soft.y });
    expect(d.losses).toBeLessThan(1e-6);
    expect(d.params).toBeLessThan(1e-6);
  });

  // Float32 rounding differences (BLAS's sums against the kernels' lanes) grow over the
  // epochs of a non-linear network; tanh with momentum on minibatches grows them most.
  const M = torchOptim.mlp;
  it.each(M.runs.map((run) => [runName(run), run] as const))('2-5-4-1 network, %s: within 1e-4', async (_, run) => {
    const d = await diffs(fused, run, startOf(M.layers, M.init, run.activation), M.dataset);
    expect(d.losses).toBeLessThan(1e-4);
    expect(d.params).toBeLessThan(1e-4);
  });

  it('reproduces the xor MLP (2-4-1 sigmoid, SGD lr 1.0, 3000 epochs) within 1e-4', async () => {
    const X = torchOptim.xor;
    const run: TorchRun = { ...X, label: 'xor', batch_size: null };
    const d = await diffs(fused, run, startOf(X.layers, X.init), X.dataset, X.dataset.X);
    console.log('xor MLP, max |fused − torch|:', d);
    expect(d.losses).toBeLessThan(1e-4);
    expect(d.params).toBeLessThan(1e-4);
    expect(d.probs).toBeLessThan(1e-4);
  });
});
