/**
 * The training loop: PyTorch's `for epoch: loss = f(model(X), y); zero_grad; backward;
 * step` on TensorFlow.js, as a cold Observable of per-epoch states.
 */
import { Observable } from 'rxjs';
import type { Dataset, DenseParams, EpochState, ModelSpec } from '../data.ts';
import { tf } from './backend.ts';
import { createLoss, type BoundLoss, type LossName } from './loss.ts';
import { createNetwork, type Network } from './model.ts';
import { createOptimizer, type Optimizer, type OptimizerSpec } from './optimizers.ts';

/** How to train. */
export interface TrainOptions {
  loss: LossName;
  optimizer: OptimizerSpec;
  epochs: number;
  /**
   * Minibatch size. Absent: full batch. Present: consecutive slices in data order (no
   * shuffling), one step each; the epoch's loss is the plain mean of its batch losses,
   * each taken before that batch's step (PyTorch's usual `running_loss / len(loader)`).
   */
  batchSize?: number;
  /**
   * Asks training to finish early: the next epoch to complete becomes the last one
   * (its state carries `params`) and the stream completes.
   */
  stop?: Observable<unknown>;
  /**
   * Also read the parameters back at every epoch that is a multiple of this (for
   * checkpoints). Absent or 0: only the last epoch's, keeping one read back per epoch.
   */
  paramsEvery?: number;
  /**
   * Held-out data: after each epoch's step(s), the loss on it with the weights the epoch
   * ended with (PyTorch's usual `model.eval()` pass after the epoch), as `validationLoss`.
   * One forward pass per epoch, no gradient, read back with the training loss.
   */
  validation?: Dataset;
}

/** A per-epoch state; the last one (and every `paramsEvery`-th) also carries the parameters after its step. */
export interface TrainState extends EpochState {
  params?: DenseParams[];
}

/**
 * Training keeps the event loop responsive by yielding (with `setImmediate`) once it
 * has run this long, rather than after every epoch: a yield per epoch would dominate
 * the cost of small models.
 */
const YIELD_EVERY_MS = 10;

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
  return new Observable<TrainState>((subscriber) => {
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

    // The held-out loss with the weights as they are now: forward and loss only.
    const validationLoss = (): tf.Scalar | undefined => (heldOut ? tf.tidy(() => heldOut!.loss.value(net.forward(heldOut!.x))) : undefined);

    // The only read back per epoch: the loss scalar(s), and the held-out loss after the step(s).
    const runEpoch = (): { loss: number; validationLoss?: number } => {
      const losses = batches.map(step);
      const validation = validationLoss();
      const scalars = validation ? [...losses, validation] : losses;
      const stacked = scalars.length === 1 ? undefined : tf.stack(scalars);
      const values = (stacked ?? scalars[0]).dataSync();
      [...(stacked ? [stacked] : []), ...scalars].forEach((t) => t.dispose());
      let sum = 0;
      for (let i = 0; i < losses.length; i++) sum += values[i];
      // A full batch's loss is its one value: no division, so the seed's numbers stay the same bits.
      const loss = losses.length === 1 ? values[0] : sum / losses.length;
      return validation ? { loss, validationLoss: values[losses.length] } : { loss };
    };

    let stopRequested = false;
    const stopSubscription = opts.stop?.subscribe(() => (stopRequested = true));
    let timer: NodeJS.Immediate | undefined;
    let epoch = 0;
    let start = 0;

    const runChunk = (): void => {
      const chunkEnd = performance.now() + YIELD_EVERY_MS;
      while (!subscriber.closed) {
        epoch++;
        const { loss, validationLoss: held } = runEpoch();
        if (!Number.isFinite(loss)) {
          subscriber.error(
            new Error(`loss became ${loss} at epoch ${epoch}; lower the learning rate (optimizer.lr = ${opts.optimizer.lr})`),
          );
          return;
        }
        const last = epoch === opts.epochs || stopRequested;
        const state: TrainState = { epoch, loss, ...(held !== undefined ? { validationLoss: held } : {}), elapsedMs: performance.now() - start };
        if (last || (opts.paramsEvery && epoch % opts.paramsEvery === 0)) state.params = net.readParams();
        subscriber.next(state);
        if (last) subscriber.complete();
        else if (performance.now() >= chunkEnd) {
          timer = setImmediate(runChunk);
          return;
        }
      }
    };
    timer = setImmediate(() => {
      start = performance.now();
      runChunk();
    });

    // Runs on complete, error and unsubscribe alike. The loop checks `subscriber.closed`
    // after every emission, so it never touches a disposed tensor.
    return () => {
      clearImmediate(timer);
      stopSubscription?.unsubscribe();
      disposables.forEach((d) => d.dispose());
    };
  });
}

function validateOptions(data: Dataset, spec: ModelSpec, opts: TrainOptions): void {
  const n = data.X.length;
  if (n === 0 || data.y.length !== n) throw new Error(`dataset needs as many labels as samples (X ${n}, y ${data.y.length})`);
  if (data.X.some((row) => row.length !== spec.layers[0])) throw new Error(`every sample needs ${spec.layers[0]} features`);
  if (spec.layers[spec.layers.length - 1] !== 1) throw new Error('the output layer must have one unit (one label per sample)');
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1) throw new Error(`epochs must be a positive integer, got ${opts.epochs}`);
  const b = opts.batchSize;
  if (b !== undefined && (!Number.isInteger(b) || b < 1)) throw new Error(`batchSize must be a positive integer, got ${b}`);
  const every = opts.paramsEvery;
  if (every !== undefined && (!Number.isInteger(every) || every < 0)) throw new Error(`paramsEvery must be a non-negative integer, got ${every}`);
  const v = opts.validation;
  if (v) {
    if (v.X.length === 0 || v.y.length !== v.X.length) throw new Error(`the validation data needs as many labels as samples, and at least one (X ${v.X.length}, y ${v.y.length})`);
    if (v.X.some((row) => row.length !== spec.layers[0])) throw new Error(`every validation sample needs ${spec.layers[0]} features`);
  }
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
