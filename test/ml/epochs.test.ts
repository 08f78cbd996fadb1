import { Subject, lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { DenseParams } from '../../src/data.ts';
import { epochStream, type EpochRunner } from '../../src/ml/epochs.ts';
import { sgdSpec, type TrainOptions, type TrainState } from '../../src/ml/options.ts';

/** A runner whose epoch k has loss `losses(k)` and whose params name the epochs run; it counts its closes. */
function fakeRunner(losses: (epoch: number) => number = (k) => 1 / k, msPerEpoch = 0) {
  const runner = {
    epochs: 0,
    closes: 0,
    epoch() {
      runner.epochs++;
      const until = performance.now() + msPerEpoch;
      while (performance.now() < until);
      return losses(runner.epochs);
    },
    params: (): DenseParams[] => [{ weight: [[runner.epochs]], bias: [0] }],
    close() {
      runner.closes++;
    },
  };
  return runner satisfies EpochRunner;
}

const opts: TrainOptions = { loss: 'bce', optimizer: sgdSpec(0.5), epochs: 10 };

describe('the epoch loop both trainers share', () => {
  it('emits each epoch once with its loss and elapsed time, params at the last and every paramsEvery, then closes the run', async () => {
    const runner = fakeRunner();
    const states = await lastValueFrom(epochStream({ ...opts, paramsEvery: 4 }, () => runner).pipe(toArray()));
    expect(states.map((s) => s.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(states.map((s) => s.loss)).toEqual(states.map((_, i) => 1 / (i + 1)));
    expect(states.map((s) => s.params?.[0].weight[0][0])).toEqual([undefined, undefined, undefined, 4, undefined, undefined, undefined, 8, undefined, 10]);
    expect(states.every((s, i) => s.elapsedMs >= (states[i - 1]?.elapsedMs ?? 0))).toBe(true);
    expect(runner.closes).toBe(1);
  });

  it('is cold: the run starts on subscription', () => {
    let started = 0;
    const stream = epochStream(opts, () => (started++, fakeRunner()));
    expect(started).toBe(0);
    stream.subscribe().unsubscribe();
    expect(started).toBe(1);
  });

  it('stops at once when unsubscribed from inside a handler, and closes the run', async () => {
    const runner = fakeRunner();
    const seen = await lastValueFrom(epochStream({ ...opts, epochs: 100_000 }, () => runner).pipe(take(5), toArray()));
    expect(seen.map((s) => s.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(runner.epochs).toBe(5);
    expect(runner.closes).toBe(1);
  });

  it('yields to the event loop about every 10 ms, and stops between chunks when unsubscribed from outside', async () => {
    const runner = fakeRunner(undefined, 1);
    const subscription = epochStream({ ...opts, epochs: 1_000_000 }, () => runner).subscribe();
    const ticks: number[] = [];
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const tick = () => (ticks.push(performance.now() - started), ticks.length < 5 ? setTimeout(tick, 0) : resolve());
      setTimeout(tick, 0);
    });
    subscription.unsubscribe();
    const stoppedAt = runner.epochs;
    // Timers fire between chunks, each chunk about 10 epochs of 1 ms.
    expect(stoppedAt).toBeGreaterThan(4);
    expect(Math.max(...ticks.map((t, i) => t - (ticks[i - 1] ?? 0)))).toBeLessThan(100);
    expect(runner.closes).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runner.epochs).toBe(stoppedAt);
  });

  it('finishes with the next epoch on `stop`, with params on that last state', async () => {
    const stop = new Subject<void>();
    const states: TrainState[] = [];
    await new Promise<void>((resolve, reject) =>
      epochStream({ ...opts, epochs: 1_000_000, stop }, () => fakeRunner()).subscribe({
        next: (s) => {
          states.push(s);
          if (s.epoch === 10) stop.next();
        },
        error: reject,
        complete: resolve,
      }),
    );
    expect(states.map((s) => s.epoch)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(states.slice(0, -1).every((s) => s.params === undefined)).toBe(true);
    expect(states.at(-1)?.params?.[0].weight[0][0]).toBe(11);
    expect(stop.observed).toBe(false);
  });

  it.each([NaN, Infinity])('fails naming the epoch and the learning rate when the loss becomes %s, after the states before it', async (bad) => {
    const runner = fakeRunner((k) => (k === 3 ? bad : 0.5));
    const states: TrainState[] = [];
    const error = await new Promise<Error>((resolve) => epochStream(opts, () => runner).subscribe({ next: (s) => states.push(s), error: resolve }));
    expect(error.message).toBe(`loss became ${bad} at epoch 3; lower the learning rate (optimizer.lr = 0.5)`);
    expect(states.map((s) => s.epoch)).toEqual([1, 2]);
    expect(runner.closes).toBe(1);
  });
});
