/**
 * One training run on the fused kernels: a {@link Workspace} with the optimizer set up in
 * the kernel. `epoch()` runs one epoch (every batch: gradient, loss, update) and returns
 * its loss; it allocates nothing.
 */
import type { Dataset, DenseParams, ModelSpec } from '../../data.ts';
import type { LossName } from '../options.ts';
import type { OptimizerSpec } from '../optimizers.ts';
import { Workspace } from './kernel.ts';
import { ThreadPool } from './threads.ts';

export class Trainer {
  readonly workspace: Workspace;
  private readonly batch: number;
  /** Computes the gradient of a batch into the workspace's `grad`, its summed loss terms into `loss`. */
  private readonly gradientOf: (start: number, count: number) => void;
  private readonly loss: Float64Array;
  private readonly pool?: ThreadPool;

  /** `threads` > 1 shares each batch's blocks with worker threads; the bits stay the same. */
  constructor(spec: ModelSpec, data: Dataset, opts: { loss: LossName; optimizer: OptimizerSpec; batchSize?: number; threads?: number }) {
    const threads = Math.max(1, opts.threads ?? 1);
    this.batch = Math.min(opts.batchSize ?? data.X.length, data.X.length);
    const ws = new Workspace(spec, data.X, { loss: opts.loss, y: data.y, threads, sharedBatch: threads > 1 ? this.batch : undefined });
    this.workspace = ws;
    const { kernel, layout } = ws;
    const o = opts.optimizer;
    const p = layout.paramBytes;
    this.loss = new Float64Array(ws.memory.buffer, layout.loss, 1);
    if (o.name === 'sgd') kernel.setSgd(layout.grad, layout.state, o.lr, o.momentum, o.dampening, o.nesterov ? 1 : 0, o.weight_decay);
    else kernel.setAdam(layout.grad, layout.state, layout.state + p, layout.state + 2 * p, o.lr, o.betas[0], o.betas[1], o.eps, o.weight_decay, o.amsgrad ? 1 : 0);
    if (threads > 1 && this.batch > ws.kernel.blockSize()) {
      const pool = new ThreadPool(ws, threads);
      this.pool = pool;
      this.gradientOf = (start, count) => pool.gradient(start, count);
    } else {
      this.gradientOf = (start, count) => kernel.gradient(layout.scratch, layout.grad, layout.slots, start, count, layout.loss);
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
      this.gradientOf(start, count);
      sum += Math.fround(this.loss[0] / count);
      batches++;
      this.workspace.kernel.step();
    }
    return batches === 1 ? sum : sum / batches;
  }

  /** The current parameters, PyTorch layout. */
  params(): DenseParams[] {
    return this.workspace.readParams();
  }
}
