import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src/data.ts';
import { initBackend, tf } from '../../src/ml/backend.ts';
import { createNetwork, validateSpec } from '../../src/ml/model.ts';
import { predict } from '../../src/ml/predict.ts';
import { maxAbsDiff, smallNetwork } from '../helpers/ml-reference.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const spec = smallNetwork;

/** The forward pass in double precision, PyTorch layout (h = act(W·x + b)). */
function forward({ params, activation }: ModelSpec, x: number[]): number {
  const act = { sigmoid: (z: number) => 1 / (1 + Math.exp(-z)), relu: (z: number) => Math.max(z, 0), tanh: Math.tanh };
  let h = x;
  params.forEach(({ weight, bias }, l) => {
    const f = l === params.length - 1 ? act.sigmoid : act[activation];
    h = weight.map((row, o) => f(row.reduce((s, w, i) => s + w * h[i], bias[o])));
  });
  return h[0];
}

describe('createNetwork', () => {
  it('reads params back in PyTorch layout as the float32 values of the input', () => {
    const s = spec('relu');
    const net = createNetwork(s);
    const round = (p: ModelSpec['params']) => p.map(({ weight, bias }) => ({ weight: weight.map((r) => r.map(Math.fround)), bias: bias.map(Math.fround) }));
    expect(net.readParams()).toEqual(round(s.params));
    // tfjs keeps kernels in × out.
    expect(net.variables[0].shape).toEqual([2, 3]);
    net.dispose();
  });

  for (const activation of ['sigmoid', 'relu', 'tanh'] as const) {
    it(`computes the ${activation} hidden layer as PyTorch does`, () => {
      const points = [
        [1, -1],
        [-0.5, 2],
        [0.25, 0.75],
      ];
      const expected = points.map((x) => forward(spec(activation), x));
      expect(maxAbsDiff(predict(spec(activation), points), expected)).toBeLessThan(1e-6);
    });
  }

  it('frees its variables on dispose', () => {
    const before = tf.memory().numTensors;
    createNetwork(spec('tanh')).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('validateSpec', () => {
  it('names the mismatch', () => {
    expect(() => validateSpec({ ...spec('relu'), layers: [2, 4, 1] })).toThrow('layer 0 needs weight 4×2 and bias 4');
    expect(() => validateSpec({ ...spec('relu'), layers: [2, 3, 1, 1] })).toThrow('need 3 parameter sets, got 2');
    expect(() => validateSpec({ ...spec('relu'), layers: [2] })).toThrow(/at least two/);
  });
});
