/**
 * An independent float64 reference of what the train stage computes: a dense network
 * (hidden activation, sigmoid output), PyTorch's BCELoss (mean, log clamped at -100),
 * full-batch SGD. Plain loops, no tfjs: a cross-check for seeds, rates and shapes that
 * no PyTorch fixture covers.
 */
import type { Activation, DenseParams } from '../../src/data.ts';

const act: Record<Activation, { f: (x: number) => number; df: (y: number) => number }> = {
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), df: (y) => y * (1 - y) },
  tanh: { f: Math.tanh, df: (y) => 1 - y * y },
  relu: { f: (x) => Math.max(0, x), df: (y) => (y > 0 ? 1 : 0) },
};

/** Trains a copy of `params` for `epochs` full-batch SGD steps; returns the loss before each step. */
export function referenceTrain(params: DenseParams[], activation: Activation, X: number[][], y: number[], lr: number, epochs: number): number[] {
  const layers = params.map((p) => ({ weight: p.weight.map((r) => [...r]), bias: [...p.bias] }));
  const n = X.length;
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const gradW = layers.map((l) => l.weight.map((r) => r.map(() => 0)));
    const gradB = layers.map((l) => l.bias.map(() => 0));
    let loss = 0;
    for (let s = 0; s < n; s++) {
      // Forward, keeping each layer's output.
      const outs: number[][] = [X[s]];
      layers.forEach((l, li) => {
        const last = li === layers.length - 1;
        const a = act[last ? 'sigmoid' : activation];
        outs.push(l.weight.map((row, o) => a.f(row.reduce((sum, w, i) => sum + w * outs[li][i], l.bias[o]))));
      });
      const p = outs[outs.length - 1][0];
      loss -= (y[s] * Math.max(Math.log(p), -100) + (1 - y[s]) * Math.max(Math.log(1 - p), -100)) / n;
      // Backward: dL/dp, then through each layer.
      let delta = [((p - y[s]) / Math.max(p * (1 - p), 1e-12) / n) * p * (1 - p)];
      for (let li = layers.length - 1; li >= 0; li--) {
        const input = outs[li];
        delta.forEach((d, o) => {
          gradB[li][o] += d;
          input.forEach((v, i) => (gradW[li][o][i] += d * v));
        });
        if (li > 0) {
          delta = input.map((v, i) => delta.reduce((sum, d, o) => sum + d * layers[li].weight[o][i], 0) * act[activation].df(v));
        }
      }
    }
    losses.push(loss);
    layers.forEach((l, li) => {
      l.weight.forEach((row, o) => row.forEach((_, i) => (row[i] -= lr * gradW[li][o][i])));
      l.bias.forEach((_, o) => (l.bias[o] -= lr * gradB[li][o]));
    });
  }
  return losses;
}
