/**
 * The held-out loss of both trainers (`validation`: src/ml/train.ts on TensorFlow.js, and
 * src/ml/fused): measured after each epoch's step(s), with the weights the epoch ended
 * with, and without touching training itself.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, DenseParams } from '../../src/data.ts';
import { initBackend } from '../../src/ml/backend.ts';
import { train as fusedTrain } from '../../src/ml/fused/train.ts';
import { sgdSpec, type TrainOptions, type TrainState } from '../../src/ml/options.ts';
import { train as tfjsTrain } from '../../src/ml/train.ts';
import { reference, seedSpec } from '../helpers/ml-reference.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const sgd: TrainOptions = { loss: 'bce', optimizer: sgdSpec(0.5), epochs: 40 };

/** BCE of a 2→1 sigmoid model on `data`, in double precision from the float32 params. */
function bce([{ weight, bias }]: DenseParams[], data: Dataset): number {
  let sum = 0;
  data.X.forEach((x, i) => {
    const p = 1 / (1 + Math.exp(-(weight[0][0] * x[0] + weight[0][1] * x[1] + bias[0])));
    sum -= data.y[i] * Math.max(Math.log(p), -100) + (1 - data.y[i]) * Math.max(Math.log1p(-p), -100);
  });
  return sum / data.X.length;
}

describe.each([
  ['TensorFlow.js', tfjsTrain],
  ['fused', fusedTrain],
])('the validation loss (%s)', (_, train) => {
  const run = (data: Dataset, opts: TrainOptions): Promise<TrainState[]> => lastValueFrom(train(seedSpec, data, opts).pipe(toArray()));
  const data = reference.dataset;
  const heldOut: Dataset = { X: data.X.slice(0, 30).map(([a, b]) => [a + 0.3, b - 0.2]), y: data.y.slice(0, 30) };

  it('is the loss with the weights each epoch ended with, and leaves training as it was, bit for bit', async () => {
    const plain = await run(data, { ...sgd, paramsEvery: 1 });
    const watched = await run(data, { ...sgd, paramsEvery: 1, validation: heldOut });
    expect(watched.map((s) => s.loss)).toEqual(plain.map((s) => s.loss));
    expect(watched.map((s) => s.params)).toEqual(plain.map((s) => s.params));
    expect(plain.every((s) => s.validationLoss === undefined)).toBe(true);
    // float32 on the device against float64 by hand.
    for (const s of watched) expect(Math.abs(s.validationLoss! - bce(s.params!, heldOut))).toBeLessThan(1e-6);
  });

  it('on the training data itself, is the next epoch’s training loss (taken before its step), to the bit', async () => {
    const states = await run(data, { ...sgd, validation: data });
    expect(states.slice(0, -1).map((s) => s.validationLoss)).toEqual(states.slice(1).map((s) => s.loss));
    // Minibatches: the epoch's loss is the mean over its batches, the validation loss still one pass with the final weights.
    const batched = await run(data, { ...sgd, batchSize: 16, paramsEvery: 1, validation: heldOut });
    for (const s of batched) expect(Math.abs(s.validationLoss! - bce(s.params!, heldOut))).toBeLessThan(1e-6);
  });

  it('refuses validation data that does not fit the model', async () => {
    await expect(run(data, { ...sgd, validation: { X: [[1, 2, 3]], y: [1] } })).rejects.toThrow('every validation sample needs 2 features');
    await expect(run(data, { ...sgd, validation: { X: [], y: [] } })).rejects.toThrow('the validation data needs as many labels as samples, and at least one (X 0, y 0)');
  });
});
