/**
 * The loss on held-out data for the fused trainer: a workspace of its own over the
 * validation samples, given the training workspace's parameters before each measurement.
 * The loss is the kernel's, computed as the training loss is (terms summed in f64, the
 * mean rounded once to float32); the gradient it also computes is left unused.
 */
import type { Dataset, ModelSpec } from '../../data.ts';
import type { LossName } from '../options.ts';
import { Workspace } from './kernel.ts';

export class HeldOut {
  private readonly workspace: Workspace;

  constructor(spec: ModelSpec, data: Dataset, loss: LossName) {
    this.workspace = new Workspace(spec, data.X, { loss, y: data.y });
  }

  /** The mean loss on the held-out samples with `from`'s current parameters. */
  lossWith(from: Workspace): number {
    const { kernel, layout, memory } = this.workspace;
    const count = layout.paramBytes / 4;
    new Float32Array(memory.buffer, layout.params, count).set(new Float32Array(from.memory.buffer, from.layout.params, count));
    kernel.gradient(layout.scratch, layout.grad, layout.slots, 0, layout.n, layout.loss);
    return Math.fround(new Float64Array(memory.buffer, layout.loss, 1)[0] / layout.n);
  }
}
