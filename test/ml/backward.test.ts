import { beforeAll, describe, expect, it } from 'vitest';
import type { Activation, ModelSpec } from '../../src/data.ts';
import { initBackend, tf } from '../../src/ml/backend.ts';
import { createLoss, type LossName } from '../../src/ml/loss.ts';
import { createNetwork } from '../../src/ml/model.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

/** A deterministic 2→4→3→1 network and 7 points, spread enough that relu units are both on and off. */
function problem(activation: Activation): { spec: ModelSpec; X: number[][]; y: number[] } {
  const v = (k: number) => Math.sin(k * 12.9898) * 0.9;
  const matrix = (rows: number, cols: number, seed: number) => Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => v(seed + r * cols + c)));
  const spec: ModelSpec = {
    layers: [2, 4, 3, 1],
    activation,
    params: [
      { weight: matrix(4, 2, 1), bias: matrix(1, 4, 20)[0] },
      { weight: matrix(3, 4, 40), bias: matrix(1, 3, 60)[0] },
      { weight: matrix(1, 3, 80), bias: [0.05] },
    ],
  };
  return { spec, X: matrix(7, 2, 100).map((row) => row.map((x) => 3 * x)), y: [0, 1, 1, 0, 1, 0, 0] };
}

describe('Network.backward', () => {
  for (const activation of ['sigmoid', 'relu', 'tanh'] as const) {
    for (const lossName of ['bce', 'mse'] as LossName[]) {
      it(`gives tfjs autodiff's gradients bit for bit (${activation}, ${lossName})`, () => {
        const { spec, X, y } = problem(activation);
        const net = createNetwork(spec);
        const x = tf.tensor2d(X, undefined, 'float32');
        const target = tf.tensor2d(y, [y.length, 1], 'float32');
        const loss = createLoss(lossName, target);
        const explicit = tf.tidy(() => {
          const trace = net.trace(x);
          return net.backward(trace, loss.grad(trace.output)).map((g) => Array.from(g.dataSync()));
        });
        // The reference: autodiff through the forward pass, with the loss's own gradient
        // at the output (its clamped logs have no usable autodiff, see loss.ts).
        const lossOnOutput = tf.customGrad((...args) => {
          const [p, save] = args as [tf.Tensor, tf.GradSaveFunc];
          save([p]);
          return { value: loss.value(p), gradFunc: (_dy, [saved]) => loss.grad(saved) };
        }) as (p: tf.Tensor) => tf.Scalar;
        const autodiff = tf.tidy(() => {
          const { grads } = tf.variableGrads(() => lossOnOutput(net.forward(x)), net.variables);
          return net.variables.map((v) => Array.from(grads[v.name].dataSync()));
        });
        expect(explicit).toEqual(autodiff);
        expect(explicit.flat().some((g) => g !== 0)).toBe(true);
        [x, target, loss, net].forEach((t) => t.dispose());
      });
    }
  }

  it('leaves no tensors behind inside tf.tidy', () => {
    const { spec, X, y } = problem('relu');
    const net = createNetwork(spec);
    const x = tf.tensor2d(X, undefined, 'float32');
    const loss = createLoss('bce', tf.tensor2d(y, [y.length, 1], 'float32'));
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const trace = net.trace(x);
      net.backward(trace, loss.grad(trace.output));
    });
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });
});
