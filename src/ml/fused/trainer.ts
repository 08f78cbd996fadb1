/**
 * One training run on the fused kernels: a {@link Workspace} plus the optimizer's step
 * counter and constants. `epoch()` runs one epoch (every batch: gradient, loss, update)
 * and returns its loss; it allocates nothing.
 */
import type { Dataset, DenseParams, ModelSpec } from '../../data.ts';
import type { LossName } from '../options.ts';
import type { OptimizerSpec } from '../optimizers.ts';
import { Workspace } from './kernel.ts';
import { ThreadPool } from './threads.ts';

export class Trainer {
  readonly workspace: Workspace;
  private readonly optimizer: OptimizerSpec;
  private readonly batch: number;
  /** Computes the gradient of a batch into the workspace's `grad` and returns its summed loss terms. */
  private readonly gradientOf: (start: number, count: number) => number;
  private readonly pool?: ThreadPool;
  private t = 0;

  /** `threads` > 1 shares each batch's blocks with worker threads; the bits stay the same. */
  constructor(spec: ModelSpec, data: Dataset, opts: { loss: LossName; optimizer: OptimizerSpec; batchSize?: number; threads?: number }) {
    const threads = Math.max(1, opts.threads ?? 1);
    this.batch = Math.min(opts.batchSize ?? data.X.length, data.X.length);
    const ws = new Workspace(spec, data.X, { loss: opts.loss, y: data.y, threads, sharedBatch: threads > 1 ? this.batch : undefined });
    this.workspace = ws;
    this.optimizer = opts.optimizer;
    if (threads > 1 && this.batch > ws.kernel.blockSize()) {
      const pool = new ThreadPool(ws, threads);
      this.pool = pool;
      this.gradientOf = (start, count) => pool.gradient(start, count);
    } else {
      const { kernel, layout } = ws;
      this.gradientOf = (start, count) => kernel.gradient(layout.scratch, layout.grad, layout.slots, start, count);
    }
  }

  /** Ends the worker threads, if any. */
  close(): void {
    this.pool?.close();
  }

  /**
   * One epoch: for each batch (consecutive slices of `batchSize`), the gradient of its
   * mean loss and one optimizer step. Returns the loss before the steps: the batch's
   * (float32) for full batch, else the plain mean of the batch losses.
   */
  epoch(): number {
    const n = this.workspace.layout.n;
    let sum = 0;
    let batches = 0;
    for (let start = 0; start < n; start += this.batch) {
      const count = Math.min(this.batch, n - start);
      // PyTorch's mean: the float32 sum of the terms over the count; here the terms are
      // summed in f64 and the mean rounded once to float32.
      sum += Math.fround(this.gradientOf(start, count) / count);
      batches++;
      this.step();
    }
    return batches === 1 ? sum : sum / batches;
  }

  /** The current parameters, PyTorch layout. */
  params(): DenseParams[] {
    return this.workspace.readParams();
  }

  /** One optimizer step from the gradient in `grad`. */
  private step(): void {
    const { kernel, layout } = this.workspace;
    const o = this.optimizer;
    this.t++;
    if (o.name === 'sgd') {
      kernel.sgd(layout.grad, layout.state, this.t === 1 ? 1 : 0, o.weight_decay, o.momentum, 1 - o.dampening, o.nesterov ? 1 : 0, -o.lr);
    } else {
      const [beta1, beta2] = o.betas;
      // As torch.optim.Adam computes them, in Python floats (doubles).
      const stepSize = o.lr / (1 - beta1 ** this.t);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** this.t);
      const p = layout.paramBytes;
      kernel.adam(
        layout.grad,
        layout.state,
        layout.state + p,
        layout.state + 2 * p,
        o.weight_decay,
        beta1,
        1 - beta1,
        beta2,
        1 - beta2,
        -stepSize,
        bc2Sqrt,
        o.eps,
        o.amsgrad ? 1 : 0,
      );
    }
  }
}
