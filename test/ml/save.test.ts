import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/ml/backend.ts';
import { predict } from '../../src/ml/predict.ts';
import { loadModelFiles, saveModel } from '../../src/ml/save.ts';
import { maxAbsDiff, smallNetwork } from '../helpers/ml-reference.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const spec = smallNetwork('tanh');
const points = [
  [1, -1],
  [-0.5, 2],
  [0.25, 0.75],
];

describe('saveModel', () => {
  it('writes a LayersModel that tf.loadLayersModel loads with the same predictions', async () => {
    const files = await saveModel(spec);
    const json = JSON.parse(files['model.json']);
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest).toEqual([{ paths: ['weights.bin'], weights: expect.any(Array) }]);
    // 2·3 + 3 + 3·1 + 1 float32 values.
    expect(files['weights.bin'].byteLength).toBe(13 * 4);

    const model = await tf.loadLayersModel(loadModelFiles(files));
    const out = tf.tidy(() => model.predict(tf.tensor2d(points)) as tf.Tensor);
    const loaded = Array.from(out.dataSync());
    out.dispose();
    model.dispose();
    expect(maxAbsDiff(loaded, predict(spec, points))).toBeLessThan(1e-7);
  });

  it('is byte-identical across saves, whatever models the process made before', async () => {
    const first = await saveModel(spec);
    // Models created in between advance tfjs's global name counters.
    tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] }).dispose();
    const second = await saveModel(spec);
    expect(second['model.json']).toBe(first['model.json']);
    expect(Buffer.from(second['weights.bin']).equals(Buffer.from(first['weights.bin']))).toBe(true);
    expect(first['model.json']).not.toMatch(/dense_Dense\d|sequential_\d/);
  });

  it('leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    await saveModel(spec);
    expect(tf.memory().numTensors).toBe(before);
  });
});
