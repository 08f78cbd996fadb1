import { lastValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, DenseParams, ModelSpec } from '../../src/data.ts';
import { initBackend, tf } from '../../src/ml/backend.ts';
import { accuracy, predict } from '../../src/ml/predict.ts';
import { adamSpec, sgdSpec } from '../../src/ml/options.ts';
import { train, type TrainOptions, type TrainState } from '../../src/ml/train.ts';
import { flatParams, maxAbsDiff, overflow, reference, seedSpec, toParams } from '../helpers/ml-reference.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const run = (spec: ModelSpec, data: Dataset, opts: TrainOptions): Promise<TrainState[]> =>
  lastValueFrom(train(spec, data, opts).pipe(toArray()));

describe('parity with the PyTorch seed run', () => {
  const ref = reference.train;
  afterEach(async () => {
    await initBackend('cpu');
  });

  // wasm is not the default backend, but initBackend('wasm') must give the same numbers.
  it.each(['cpu', 'wasm'] as const)('on %s: matches every loss, the final params and the test probabilities within 1e-6', async (backend) => {
    expect(await initBackend(backend)).toBe(backend);
    const states = await run(seedSpec, reference.dataset, {
      loss: 'bce',
      optimizer: sgdSpec(ref.lr),
      epochs: ref.epochs,
    });
    const final = states.at(-1)?.params;
    if (!final) throw new Error('the last state carries no params');
    const diffs = {
      losses: maxAbsDiff(
        states.map((s) => s.loss),
        ref.losses,
      ),
      params: maxAbsDiff(flatParams(final), flatParams(toParams(ref.final))),
      probs: maxAbsDiff(predict({ ...seedSpec, params: final }, ref.points), ref.probs),
    };
    console.log(`max |tfjs − torch| on ${backend}:`, diffs);
    expect(states.map((s) => s.epoch)).toEqual(ref.losses.map((_, i) => i + 1));
    expect(diffs.losses).toBeLessThan(1e-6);
    expect(diffs.params).toBeLessThan(1e-6);
    expect(diffs.probs).toBeLessThan(1e-6);
    expect(accuracy({ ...seedSpec, params: final }, reference.dataset)).toBeGreaterThan(0.9);
  });
});

/**
 * A plain double-precision reference for a 2→1 sigmoid model with BCE: PyTorch's
 * formulas written out, independent of the code under test.
 */
describe('optimizers against PyTorch formulas computed by hand', () => {
  const data: Dataset = {
    X: [
      [0.5, -1],
      [1.5, 0.25],
      [-0.7, 0.3],
    ],
    y: [1, 0, 1],
  };
  const init = { w: [0.2, -0.3], b: 0.1 };
  const spec: ModelSpec = { layers: [2, 1], activation: 'sigmoid', params: [{ weight: [init.w], bias: [init.b] }] };

  /** Loss and gradient [dw0, dw1, db] of mean BCE at params [w0, w1, b]. */
  function lossAndGrad([w0, w1, b]: number[]): { loss: number; grad: number[] } {
    const n = data.y.length;
    let loss = 0;
    const grad = [0, 0, 0];
    data.X.forEach(([x0, x1], i) => {
      const p = 1 / (1 + Math.exp(-(w0 * x0 + w1 * x1 + b)));
      const y = data.y[i];
      loss -= (y * Math.log(p) + (1 - y) * Math.log(1 - p)) / n;
      const dz = (p - y) / n;
      grad[0] += dz * x0;
      grad[1] += dz * x1;
      grad[2] += dz;
    });
    return { loss, grad };
  }

  /** Runs `steps` steps of `update` (which mutates params from grads) and records losses and params. */
  function simulate(steps: number, update: (params: number[], grad: number[], t: number) => void) {
    const params = [...init.w, init.b];
    const losses: number[] = [];
    const after: number[][] = [];
    for (let t = 1; t <= steps; t++) {
      const { loss, grad } = lossAndGrad(params);
      losses.push(loss);
      update(params, grad, t);
      after.push([...params]);
    }
    return { losses, after };
  }

  async function expectMatches(opts: TrainOptions['optimizer'], expected: ReturnType<typeof simulate>) {
    for (let epochs = 1; epochs <= expected.after.length; epochs++) {
      const states = await run(spec, data, { loss: 'bce', optimizer: opts, epochs });
      const final = states.at(-1)?.params as DenseParams[];
      expect(maxAbsDiff(flatParams(final), expected.after[epochs - 1])).toBeLessThan(1e-6);
      expect(
        maxAbsDiff(
          states.map((s) => s.loss),
          expected.losses.slice(0, epochs),
        ),
      ).toBeLessThan(1e-6);
    }
  }

  it('SGD with momentum: buf = μ·buf + g (buf starts at g), p −= lr·buf', async () => {
    const [lr, mu] = [0.1, 0.9];
    const buf = [0, 0, 0];
    const expected = simulate(3, (p, g, t) => {
      for (let j = 0; j < 3; j++) {
        buf[j] = t === 1 ? g[j] : mu * buf[j] + g[j];
        p[j] -= lr * buf[j];
      }
    });
    await expectMatches(sgdSpec(lr, { momentum: mu }), expected);
  });

  for (const [label, betas] of [
    ['defaults', { beta1: 0.9, beta2: 0.999, eps: 1e-8 }],
    ['custom betas and eps', { beta1: 0.8, beta2: 0.99, eps: 1e-3 }],
  ] as const) {
    it(`Adam (${label}): bias-corrected, eps added after the square root`, async () => {
      const lr = 0.1;
      const { beta1, beta2, eps } = betas;
      const m = [0, 0, 0];
      const v = [0, 0, 0];
      const expected = simulate(3, (p, g, t) => {
        for (let j = 0; j < 3; j++) {
          m[j] = beta1 * m[j] + (1 - beta1) * g[j];
          v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
          const mHat = m[j] / (1 - beta1 ** t);
          const vHat = v[j] / (1 - beta2 ** t);
          p[j] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
        }
      });
      const opts = label === 'defaults' ? adamSpec(lr) : adamSpec(lr, { betas: [beta1, beta2], eps });
      await expectMatches(opts, expected);
    });
  }

  it('minibatches: consecutive slices, one step each, epoch loss = mean of the batch losses', async () => {
    const lr = 0.5;
    // Batches of 2 over 3 samples: [0, 1] then [2], two epochs, by hand.
    const params = [...init.w, init.b];
    const losses: number[] = [];
    const batchLossAndGrad = (rows: number[], [w0, w1, b]: number[]) => {
      let loss = 0;
      const grad = [0, 0, 0];
      for (const i of rows) {
        const [x0, x1] = data.X[i];
        const p = 1 / (1 + Math.exp(-(w0 * x0 + w1 * x1 + b)));
        loss -= (data.y[i] * Math.log(p) + (1 - data.y[i]) * Math.log(1 - p)) / rows.length;
        const dz = (p - data.y[i]) / rows.length;
        [dz * x0, dz * x1, dz].forEach((d, j) => (grad[j] += d));
      }
      return { loss, grad };
    };
    for (let epoch = 0; epoch < 2; epoch++) {
      let sum = 0;
      for (const rows of [[0, 1], [2]]) {
        const { loss, grad } = batchLossAndGrad(rows, params);
        sum += loss;
        grad.forEach((g, j) => (params[j] -= lr * g));
      }
      losses.push(sum / 2);
    }
    const states = await run(spec, data, { loss: 'bce', optimizer: sgdSpec(lr), epochs: 2, batchSize: 2 });
    expect(
      maxAbsDiff(
        states.map((s) => s.loss),
        losses,
      ),
    ).toBeLessThan(1e-6);
    expect(maxAbsDiff(flatParams(states[1].params as DenseParams[]), params)).toBeLessThan(1e-6);
  });
});

describe('networks with hidden layers', () => {
  it('learns XOR with 2→4→1 (sigmoid, SGD lr 1.0, 3000 epochs)', async () => {
    const xor: Dataset = {
      X: [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      y: [0, 1, 1, 0],
    };
    // A fixed, asymmetric init (symmetric hidden units would learn the same feature).
    const spec: ModelSpec = {
      layers: [2, 4, 1],
      activation: 'sigmoid',
      params: [
        {
          weight: [
            [0.5, -0.4],
            [-0.3, 0.6],
            [0.7, 0.2],
            [-0.6, -0.5],
          ],
          bias: [0.1, -0.1, 0.2, -0.2],
        },
        { weight: [[0.3, -0.2, 0.4, -0.5]], bias: [0] },
      ],
    };
    const states = await run(spec, xor, { loss: 'bce', optimizer: sgdSpec(1.0), epochs: 3000 });
    const trained = { ...spec, params: states.at(-1)?.params as DenseParams[] };
    expect(predict(trained, xor.X).map((p) => (p >= 0.5 ? 1 : 0))).toEqual(xor.y);
    expect(accuracy(trained, xor)).toBe(1);
    expect(states.at(-1)?.loss).toBeLessThan(states[0].loss);
  });
});

describe('resources and control', () => {
  const opts: TrainOptions = { loss: 'bce', optimizer: sgdSpec(0.01), epochs: 200 };

  it.each([
    ['full batch, Adam', { optimizer: adamSpec(0.01) }],
    ['minibatches of 32, momentum', { optimizer: sgdSpec(0.01, { momentum: 0.9 }), batchSize: 32 }],
  ] as const)('keeps the tensor count constant across epochs and frees everything at the end (%s)', async (_, extra) => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await new Promise<void>((resolve, reject) =>
      train(seedSpec, reference.dataset, { ...opts, ...extra }).subscribe({
        next: () => counts.push(tf.memory().numTensors),
        error: reject,
        complete: resolve,
      }),
    );
    expect(counts).toHaveLength(opts.epochs);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops at once and frees its tensors when unsubscribed from inside a handler', async () => {
    const before = tf.memory().numTensors;
    const seen = await lastValueFrom(train(seedSpec, reference.dataset, { ...opts, epochs: 100_000 }).pipe(take(5), toArray()));
    expect(seen.map((s) => s.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops between chunks when unsubscribed from outside, and no state arrives afterwards', async () => {
    const before = tf.memory().numTensors;
    let last = 0;
    const subscription = train(seedSpec, reference.dataset, { ...opts, epochs: 1_000_000 }).subscribe((s) => (last = s.epoch));
    // This timer firing mid-training is itself the check that training yields to the event loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(last).toBeGreaterThan(0);
    subscription.unsubscribe();
    expect(tf.memory().numTensors).toBe(before);
    const stoppedAt = last;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(last).toBe(stoppedAt);
  });

  it('fails with the epoch and a hint when the loss becomes NaN, after emitting the states before it', async () => {
    const before = tf.memory().numTensors;
    const states: TrainState[] = [];
    const error = await new Promise<Error>((resolve) =>
      train(overflow.spec, overflow.data, { loss: 'bce', optimizer: sgdSpec(1e30), epochs: 10 }).subscribe({
        next: (s) => states.push(s),
        error: resolve,
      }),
    );
    expect(error.message).toBe('loss became NaN at epoch 2; lower the learning rate (optimizer.lr = 1e+30)');
    expect(states.map((s) => s.epoch)).toEqual([1]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is cold: nothing is allocated before subscription', () => {
    const before = tf.memory().numTensors;
    train(seedSpec, reference.dataset, opts);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports bad options as an error notification, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    await expect(run(seedSpec, reference.dataset, { ...opts, optimizer: sgdSpec(-1) })).rejects.toThrow(/lr/);
    await expect(run(seedSpec, reference.dataset, { ...opts, epochs: 0 })).rejects.toThrow(/epochs/);
    await expect(run(seedSpec, { X: [[1, 2, 3]], y: [1] }, opts)).rejects.toThrow(/2 features/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
