/**
 * One training run on the fused kernels: a {@link Workspace} plus the optimizer's step
 * counter and constants. `epoch()` runs one epoch (every batch: gradient, loss, update)
 * and returns its loss; it allocates nothing.
 */
import type { Dataset, DenseParams, ModelSpec } from '../../data.ts';
import type { LossName } from '../options.ts';
import type { OptimizerSpec } from '../optimizers.ts';
import { Workspace } from './kernel.ts';

/** Computes the gradient of a batch into the workspace's `grad` and returns its summed loss terms. */
export type GradientFn = (start: number, count: number) => number;

export class Trainer {
  readonly workspace: Workspace;
  private readonly optimizer: OptimizerSpec;
  private readonly batch: number;
  private readonly gradientOf: GradientFn;
  private t = 0;

  /**
   * `gradient` replaces the single-thread gradient (for data-parallel threads); it must
   * give the same bits (blocks folded in order).
   */
  constructor(
    spec: ModelSpec,
    data: Dataset,
    opts: { loss: LossName; optimizer: OptimizerSpec; batchSize?: number; threads?: number; slots?: number },
    gradient?: (ws: Workspace) => GradientFn,
  ) {
    this.workspace = new Workspace(spec, data.X, { loss: opts.loss, y: data.y, threads: opts.threads, slots: opts.slots });
    this.optimizer = opts.optimizer;
    this.batch = Math.min(opts.batchSize ?? data.X.length, data.X.length);
    if (gradient) this.gradientOf = gradient(this.workspace);
    else {
      const { kernel, layout } = this.workspace;
      this.gradientOf = (start, count) => kernel.gradient(layout.scratch, layout.grad, layout.slots, start, count);
    }
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
