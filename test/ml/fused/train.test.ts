import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Dataset, ModelSpec } from '../../../src/data.ts';
import { adamSpec, predict, sgdSpec, train, type FusedOptions, type TrainState } from '../../../src/ml/fused/index.ts';
import { linearStackInit } from '../../../src/numerics/linear-init.ts';
import { overflow, reference, seedSpec } from '../../helpers/ml-reference.ts';

const run = (spec: ModelSpec, data: Dataset, opts: FusedOptions): Promise<TrainState[]> => lastValueFrom(train(spec, data, opts).pipe(toArray()));

/** n points in the square, labelled by the sign of x0·x1 (a fixed LCG, so every run gets the same). */
function quadrants(n: number): Dataset {
  let s = 7;
  const r = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const X = Array.from({ length: n }, () => [r() * 2 - 1, r() * 2 - 1]);
  return { X, y: X.map(([a, b]) => (a * b > 0 ? 1 : 0)) };
}

describe('data-parallel threads', () => {
  const data = quadrants(1500); // 6 blocks: 5 full, 1 partial
  const spec: ModelSpec = { layers: [2, 16, 8, 1], activation: 'tanh', params: linearStackInit(3, [2, 16, 8, 1]) };

  it.each([
    ['full batch, Adam', { optimizer: adamSpec(0.01) }],
    ['batches of 700, SGD with Nesterov momentum', { optimizer: sgdSpec(0.1, { momentum: 0.9, nesterov: true }), batchSize: 700 }],
  ] as const)('give the same bits for 1, 2 and 3 threads (%s)', async (_, extra) => {
    const opts: FusedOptions = { loss: 'bce', epochs: 15, ...extra };
    const [one, two, three] = await Promise.all([1, 2, 3].map((threads) => run(spec, data, { ...opts, threads })));
    expect(one.map((s) => s.loss)).toHaveLength(15);
    for (const other of [two, three]) {
      expect(other.map((s) => s.loss)).toEqual(one.map((s) => s.loss));
      expect(other.at(-1)?.params).toEqual(one.at(-1)?.params);
    }
    // And training did something.
    expect(one.at(-1)!.loss).toBeLessThan(one[0].loss);
  });
});

describe('prediction', () => {
  it('gives the float32 probabilities of a 2-3-1 network, point by point, across blocks', () => {
    const spec: ModelSpec = {
      layers: [2, 3, 1],
      activation: 'relu',
      params: [
        { weight: [[0.5, -0.4], [-0.3, 0.6], [0.7, 0.2]], bias: [0.1, -0.2, 0.3] },
        { weight: [[0.3, -0.2, 0.4]], bias: [-0.1] },
      ],
    };
    const points = quadrants(600).X; // three blocks
    const expected = points.map(([a, b]) => {
      const h = spec.params[0].weight.map(([w0, w1], j) => Math.max(0, w0 * a + w1 * b + spec.params[0].bias[j]));
      const z = h.reduce((sum, hj, j) => sum + spec.params[1].weight[0][j] * hj, spec.params[1].bias[0]);
      return 1 / (1 + Math.exp(-z));
    });
    const p = predict(spec, points);
    expect(p).toHaveLength(600);
    p.forEach((pi, i) => {
      expect(Math.fround(pi)).toBe(pi);
      expect(Math.abs(pi - expected[i])).toBeLessThan(1e-6);
    });
    expect(predict(spec, [])).toEqual([]);
  });
});

// The epoch loop itself (stop, paramsEvery, yielding) is tested once, in test/ml/epochs.test.ts.
describe('resources and control', () => {
  const opts: FusedOptions = { loss: 'bce', optimizer: sgdSpec(0.01), epochs: 200 };

  it.each([1, 2])('yields to the event loop and stops between chunks when unsubscribed from outside (%i threads)', async (threads) => {
    let last = 0;
    const big = quadrants(2000);
    const spec: ModelSpec = { layers: [2, 32, 1], activation: 'relu', params: linearStackInit(1, [2, 32, 1]) };
    const subscription = train(spec, big, { ...opts, epochs: 1_000_000, threads }).subscribe((s) => (last = s.epoch));
    // This timer firing mid-training is itself the check that training yields to the event loop.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(last).toBeGreaterThan(0);
    subscription.unsubscribe();
    const stoppedAt = last;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(last).toBe(stoppedAt);
  });

  it('fails with the epoch and the learning rate when the loss becomes NaN, after emitting the states before it', async () => {
    const states: TrainState[] = [];
    const error = await new Promise<Error>((resolve) =>
      train(overflow.spec, overflow.data, { loss: 'bce', optimizer: sgdSpec(1e30), epochs: 10 }).subscribe({ next: (s) => states.push(s), error: resolve }),
    );
    expect(error.message).toBe('loss became NaN at epoch 2; lower the learning rate (optimizer.lr = 1e+30)');
    expect(states.map((s) => s.epoch)).toEqual([1]);
  });

  it('is cold, and reports bad options as an error notification', async () => {
    train(seedSpec, reference.dataset, { ...opts, epochs: 0 }); // nothing happens until subscription
    await expect(run(seedSpec, reference.dataset, { ...opts, optimizer: sgdSpec(-1) })).rejects.toThrow(/lr/);
    await expect(run(seedSpec, reference.dataset, { ...opts, optimizer: sgdSpec(0.1, { nesterov: true }) })).rejects.toThrow(/nesterov/);
    await expect(run(seedSpec, reference.dataset, { ...opts, optimizer: adamSpec(0.1, { betas: [1, 0.9] }) })).rejects.toThrow(/betas\[0\]/);
    await expect(run(seedSpec, reference.dataset, { ...opts, epochs: 0 })).rejects.toThrow(/epochs/);
    await expect(run(seedSpec, { X: [[1, 2, 3]], y: [1] }, opts)).rejects.toThrow(/2 features/);
  });
});
