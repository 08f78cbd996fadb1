/**
 * Data-parallel gradients on worker threads over the workspace's shared memory. A batch's
 * blocks (BLOCK samples each, counted from the batch's start) are dealt round-robin to
 * the threads; each block's gradient lands in its own slot and its loss in its own cell;
 * then this thread folds them in block order, exactly as the single-thread `gradient`
 * kernel does. So the bits do not depend on the thread count.
 */
import { Worker } from 'node:worker_threads';
import type { Workspace } from './kernel.ts';

/** Control words in a SharedArrayBuffer: the round (bumped to start one), finished workers, the batch. */
const ROUND = 0;
const DONE = 1;
const START = 2;
const COUNT = 3;
const STOP = 4;

/**
 * A worker's whole program (CommonJS, run with `eval`, so it needs no file of its own in
 * the sources or the bundle): instantiate the kernels on the shared memory, then for each
 * round compute blocks tid, tid + threads, … of the batch.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, tid, threads, configure, layout } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
k.configure(...configure);
const ctrl = new Int32Array(control);
const block = k.blockSize();
const scratch = layout.scratch + tid * layout.scratchBytes;
const losses = new Float64Array(memory.buffer, layout.losses, layout.slotCount);
let round = 0;
for (;;) {
  Atomics.wait(ctrl, ${ROUND}, round);
  round = Atomics.load(ctrl, ${ROUND});
  if (Atomics.load(ctrl, ${STOP})) break;
  const start = ctrl[${START}], count = ctrl[${COUNT}];
  for (let b = tid; b * block < count; b += threads) {
    losses[b] = k.block(scratch, layout.slots + b * layout.paramBytes, start + b * block, Math.min(block, count - b * block), count);
  }
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
`;

/** Threads − 1 workers sharing `ws`'s batches with the calling thread. */
export class ThreadPool {
  private readonly workers: Worker[];
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(4 * 8));
  private readonly losses: Float64Array;
  private readonly lossCell: Float64Array;
  private readonly block: number;

  constructor(
    private readonly ws: Workspace,
    private readonly threads: number,
  ) {
    const { layout } = ws;
    this.block = ws.kernel.blockSize();
    this.losses = new Float64Array(ws.memory.buffer, layout.losses, layout.slotCount);
    this.lossCell = new Float64Array(ws.memory.buffer, layout.loss, 1);
    this.workers = Array.from({ length: threads - 1 }, (_, i) => {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: ws.module, memory: ws.memory, control: this.ctrl.buffer, tid: i + 1, threads, configure: ws.configureArgs, layout },
      });
      // Training ends them; they must never keep the process alive on their own.
      worker.unref();
      return worker;
    });
  }

  /**
   * The gradient of the mean loss over samples [start, start + count) into `grad`, the
   * summed loss terms into the `loss` cell: the same bits as the kernel's single-thread
   * `gradient`.
   */
  gradient(start: number, count: number): void {
    const { kernel, layout } = this.ws;
    const nBlocks = Math.ceil(count / this.block);
    if (nBlocks < 2) {
      kernel.gradient(layout.scratch, layout.grad, layout.slots, start, count, layout.loss);
      return;
    }
    const ctrl = this.ctrl;
    ctrl[START] = start;
    ctrl[COUNT] = count;
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, ROUND, 1);
    Atomics.notify(ctrl, ROUND);
    // This thread's share, block 0 straight into grad (the fold starts from it).
    const losses = this.losses;
    for (let b = 0; b < nBlocks; b += this.threads) {
      const slot = b === 0 ? layout.grad : layout.slots + b * layout.paramBytes;
      losses[b] = kernel.block(layout.scratch, slot, start + b * this.block, Math.min(this.block, count - b * this.block), count);
    }
    for (let done = Atomics.load(ctrl, DONE); done < this.workers.length; done = Atomics.load(ctrl, DONE)) {
      Atomics.wait(ctrl, DONE, done);
    }
    let loss = losses[0];
    for (let b = 1; b < nBlocks; b++) {
      loss += losses[b];
      kernel.accumulate(layout.grad, layout.slots + b * layout.paramBytes);
    }
    this.lossCell[0] = loss;
  }

  /** Ends the workers. */
  close(): void {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, ROUND, 1);
    Atomics.notify(this.ctrl, ROUND);
    for (const w of this.workers) void w.terminate();
  }
}
