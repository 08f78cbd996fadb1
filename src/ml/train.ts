/**
 * The training loop: PyTorch's `for epoch: loss = f(model(X), y); zero_grad; backward;
 * step` on TensorFlow.js, as a cold Observable of per-epoch states.
 */
import type { Observable } from 'rxjs';
import type { Dataset, ModelSpec } from '../data.ts';
import { tf } from './backend.ts';
import { createLoss, type BoundLoss } from './loss.ts';
import { createNetwork, type Network } from './model.ts';
import { createOptimizer, type Optimizer } from './optimizers.ts';
import { epochStream } from './epochs.ts';
import { validateOptions, type TrainOptions, type TrainState } from './options.ts';

export type { TrainOptions, TrainState };

/**
 * Trains a copy of `spec` on `data`. Nothing runs until subscription; then one state is
 * emitted per epoch (`epoch` counts from 1, `loss` is the loss before that epoch's
 * step(s), `validationLoss` the loss on `opts.validation` after them, `elapsedMs` is wall
 * time since training started) and the last state carries
 * the final `params` (PyTorch layout, float32 values). Unsubscribing stops training
 * and frees every tensor. A loss that becomes NaN or infinite ends the stream with an
 * error naming the epoch.
 */
export function train(spec: ModelSpec, data: Dataset, opts: TrainOptions): Observable<TrainState> {
  return epochStream(opts, () => {
    validateOptions(data, spec, opts);
    const disposables: { dispose(): void }[] = [];
    const own = <T extends { dispose(): void }>(d: T): T => (disposables.push(d), d);

    let net: Network;
    let optimizer: Optimizer;
    let batches: { x: tf.Tensor2D; loss: BoundLoss }[];
    let heldOut: { x: tf.Tensor2D; loss: BoundLoss } | undefined;
    try {
      net = own(createNetwork(spec));
      optimizer = own(createOptimizer(opts.optimizer, net.variables));
      const bound = ({ x, y }: { x: tf.Tensor2D; y: tf.Tensor2D }) => {
        own(x);
        own(y);
        return { x, loss: own(createLoss(opts.loss, y)) };
      };
      batches = makeBatches(data, opts.batchSize ?? data.X.length).map(bound);
      if (opts.validation) heldOut = bound(makeBatches(opts.validation, opts.validation.X.length)[0]);
    } catch (err) {
      disposables.forEach((d) => d.dispose());
      throw err;
    }

    // One step: forward, loss, backward, update; returns the loss before the update. The
    // backward pass is explicit (model.ts) rather than tfjs's autodiff: the same numbers
    // with a third fewer kernels and no gradient tape, which matters for small models
    // (measured in BENCHMARKS.md).
    const step = ({ x, loss }: { x: tf.Tensor2D; loss: BoundLoss }): tf.Scalar =>
      tf.tidy(() => {
        const trace = net.trace(x);
        const value = loss.value(trace.output);
        optimizer.step(net.backward(trace, loss.grad(trace.output)));
        return value;
      });

    // The only read back per epoch: the loss scalar(s).
    const runEpoch = (): number => {
      if (batches.length === 1) {
        const value = step(batches[0]);
        const loss = value.dataSync()[0];
        value.dispose();
        return loss;
      }
      const losses = batches.map(step);
      const stacked = tf.stack(losses);
      const values = stacked.dataSync();
      [stacked, ...losses].forEach((t) => t.dispose());
      let sum = 0;
      for (const v of values) sum += v;
      return sum / values.length;
    };

    // The held-out loss with the weights as they are now: forward and loss only.
    const validationLoss = (held: { x: tf.Tensor2D; loss: BoundLoss }) => (): number => {
      const value = tf.tidy(() => held.loss.value(net.forward(held.x)));
      const loss = value.dataSync()[0];
      value.dispose();
      return loss;
    };

    return {
      epoch: runEpoch,
      params: () => net.readParams(),
      close: () => disposables.forEach((d) => d.dispose()),
      ...(heldOut ? { validationLoss: validationLoss(heldOut) } : {}),
    };
  });
}

/** X and y (as an n × 1 column) cut into consecutive batches, built once per run. */
function makeBatches(data: Dataset, size: number): { x: tf.Tensor2D; y: tf.Tensor2D }[] {
  const batches: { x: tf.Tensor2D; y: tf.Tensor2D }[] = [];
  for (let i = 0; i < data.X.length; i += size) {
    const rows = data.X.slice(i, i + size);
    const labels = data.y.slice(i, i + size);
    batches.push({ x: tf.tensor2d(rows, undefined, 'float32'), y: tf.tensor2d(labels, [labels.length, 1], 'float32') });
  }
  return batches;
}
