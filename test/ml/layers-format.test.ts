import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src/data.ts';
import { initBackend, tf } from '../../src/ml/backend.ts';
import { modelFiles } from '../../src/ml/layers-format.ts';
import { loadModelFiles, saveModel } from '../../src/ml/save.ts';
import { linearStackInit } from '../../src/numerics/linear-init.ts';

const spec = (layers: number[], activation: ModelSpec['activation'], seed: number): ModelSpec => ({ layers, activation, params: linearStackInit(seed, layers) });

describe('model.json + weights.bin without TensorFlow.js', () => {
  const cases = [spec([2, 1], 'sigmoid', 2), spec([2, 4, 1], 'sigmoid', 5), spec([3, 8, 5, 1], 'relu', 1), spec([2, 8, 1], 'tanh', 0)];

  it("are the bytes tfjs-layers' own model.save writes for the same network", async () => {
    await initBackend('cpu');
    for (const s of cases) {
      const ours = modelFiles(s);
      const theirs = await saveModel(s);
      expect(ours['model.json']).toBe(theirs['model.json']);
      expect(Buffer.from(ours['weights.bin']).equals(Buffer.from(theirs['weights.bin']))).toBe(true);
    }
  });

  it('load with tf.loadLayersModel and predict what the parameters say', async () => {
    await initBackend('cpu');
    const s = cases[2];
    const model = await tf.loadLayersModel(loadModelFiles(modelFiles(s)));
    const x = [[0.5, -1, 2]];
    const predicted = (model.predict(tf.tensor2d(x)) as tf.Tensor).dataSync()[0];
    // By hand: relu, relu, sigmoid over PyTorch-layout weights.
    let h = x[0];
    s.params.forEach(({ weight, bias }, l) => {
      const z = weight.map((row, o) => row.reduce((sum, w, i) => sum + w * h[i], bias[o]));
      h = z.map((v) => (l === s.params.length - 1 ? 1 / (1 + Math.exp(-v)) : Math.max(0, v)));
    });
    expect(predicted).toBeCloseTo(h[0], 6);
    model.dispose();
  });
});
