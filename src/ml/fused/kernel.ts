/**
 * The fused kernels (wasm/fused.ts, built into kernel.wasm.ts) bound to one network and
 * one dataset: every buffer a run needs is laid out once, here, in one WebAssembly memory;
 * after that an epoch allocates nothing.
 */
import type { Activation, DenseParams, ModelSpec } from '../../data.ts';
import { FUSED_WASM } from './kernel.wasm.ts';

/** The kernel module's exports (see wasm/fused.ts for what each does). */
export interface KernelExports {
  configure(layers: number, act: number, loss: number, sizes: number, params: number, x: number, stride: number, y: number): void;
  blockSize(): number;
  parameterCount(): number;
  scratchBytes(): number;
  block(scratch: number, slot: number, s: number, count: number, n: number): number;
  accumulate(into: number, from: number): void;
  gradient(scratch: number, grad: number, slot: number, s: number, n: number, lossOut: number): void;
  predict(scratch: number, out: number, s: number, count: number): void;
  setSgd(grad: number, buf: number, lr: number, momentum: number, dampening: number, nesterov: number, wd: number): void;
  setAdam(grad: number, m: number, v: number, vmax: number, lr: number, beta1: number, beta2: number, eps: number, wd: number, amsgrad: number): void;
  step(): void;
}

const ACTIVATIONS: Record<Activation, number> = { sigmoid: 0, relu: 1, tanh: 2 };
const LOSSES = { bce: 0, mse: 1 } as const;
export type FusedLoss = keyof typeof LOSSES;

const PAGE = 65536;
/** The module declares its imported memory with at most this many pages (4 GiB). */
const MAX_PAGES = 65536;

let compiled: WebAssembly.Module | undefined;

/** The compiled kernel module, compiled once per process (or thread) on first use. */
export function kernelModule(): WebAssembly.Module {
  return (compiled ??= new WebAssembly.Module(Buffer.from(FUSED_WASM, 'base64')));
}

/** An instance of the kernels on `memory` (shared, so that worker threads can use it too). */
export function instantiate(memory: WebAssembly.Memory, module = kernelModule()): KernelExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
}

/** How many bytes each region needs, in allocation order. */
interface Regions {
  [name: string]: number;
}

/** Byte addresses of the regions of a {@link Workspace}. */
export interface Layout {
  sizes: number;
  params: number;
  grad: number;
  /** Optimizer state: three parameter vectors (SGD's buffer uses the first, Adam m, v and vmax). */
  state: number;
  /** Per-block gradient slots (the first doubles as the single-thread scratch slot). */
  slots: number;
  /** Per-block loss sums (f64), for threads. */
  losses: number;
  /** A batch's summed loss terms (f64). */
  loss: number;
  /** One scratch per thread, each `scratchBytes` long. */
  scratch: number;
  x: number;
  y: number;
  out: number;
  scratchBytes: number;
  paramBytes: number;
  /** Gradient slots (and loss cells). */
  slotCount: number;
  /** Samples of x and y (x's row stride is `stride`). */
  n: number;
  stride: number;
}

/** What a workspace holds beyond the network: how many threads, slots and outputs. */
export interface WorkspaceOptions {
  loss: FusedLoss;
  threads?: number;
  /** When several threads share batches of this many samples: a gradient slot and a loss cell for each of a batch's blocks. */
  sharedBatch?: number;
  /** Floats of output for predictions. */
  outputs?: number;
  /** Labels (absent for prediction). */
  y?: ArrayLike<number>;
}

/**
 * One network (its parameters and optimizer state) and one set of samples in a shared
 * WebAssembly memory, with a kernel instance configured on them.
 */
export class Workspace {
  readonly memory: WebAssembly.Memory;
  readonly module = kernelModule();
  readonly kernel: KernelExports;
  /** The arguments `configure` was called with, for other threads' instances. */
  readonly configureArgs: number[];
  readonly layout: Layout;
  readonly spec: ModelSpec;
  readonly loss: FusedLoss;

  constructor(spec: ModelSpec, X: readonly (readonly number[])[], opts: WorkspaceOptions) {
    this.spec = spec;
    this.loss = opts.loss;
    const layers = spec.layers;
    const n = X.length;
    // Rows of x start 16-byte aligned; 8 floats past the last row and past y are readable
    // (the kernels process samples eight at a time and mask the rest).
    const stride = (n + 3) & ~3;
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    new Int32Array(this.memory.buffer, 0, layers.length).set(layers);
    this.kernel = instantiate(this.memory, this.module);
    const act = ACTIVATIONS[spec.activation];
    const lossCode = LOSSES[opts.loss];
    // First configured without data, to learn the parameter count and the scratch size.
    this.kernel.configure(layers.length - 1, act, lossCode, 0, 0, 0, 0, 0);
    const paramBytes = 4 * this.kernel.parameterCount();
    const scratchBytes = this.kernel.scratchBytes();
    const slotCount = opts.sharedBatch ? Math.ceil(opts.sharedBatch / this.kernel.blockSize()) : 1;
    const regions: Regions = {
      sizes: 4 * layers.length,
      params: paramBytes,
      grad: paramBytes,
      state: 3 * paramBytes,
      slots: slotCount * paramBytes,
      losses: 8 * slotCount,
      loss: 8,
      scratch: Math.max(1, opts.threads ?? 1) * scratchBytes,
      x: 4 * (layers[0] * stride + 8),
      y: 4 * (n + 8),
      out: 4 * (opts.outputs ?? 0),
    };
    const at: Record<string, number> = {};
    let end = 0;
    for (const [name, bytes] of Object.entries(regions)) {
      at[name] = end;
      end += (bytes + 15) & ~15;
    }
    const pages = Math.ceil(end / PAGE);
    if (pages > MAX_PAGES) throw new Error(`the fused trainer needs ${end} bytes for this network and dataset, more than 4 GiB`);
    this.memory.grow(pages - 1);
    this.layout = { ...(at as Omit<Layout, 'scratchBytes' | 'paramBytes' | 'slotCount' | 'n' | 'stride'>), scratchBytes, paramBytes, slotCount, n, stride };
    const L = this.layout;
    new Int32Array(this.memory.buffer, L.sizes, layers.length).set(layers);
    const x = new Float32Array(this.memory.buffer, L.x, layers[0] * stride);
    for (let i = 0; i < n; i++) {
      const row = X[i];
      for (let k = 0; k < layers[0]; k++) x[k * stride + i] = row[k];
    }
    if (opts.y) new Float32Array(this.memory.buffer, L.y, n).set(opts.y);
    this.writeParams(spec.params);
    this.configureArgs = [layers.length - 1, act, lossCode, L.sizes, L.params, L.x, stride, L.y];
    this.kernel.configure(...(this.configureArgs as Parameters<KernelExports['configure']>));
  }

  /** Writes `params` (PyTorch layout) into the parameter vector, as float32. */
  writeParams(params: DenseParams[]): void {
    const flat = new Float32Array(this.memory.buffer, this.layout.params, this.layout.paramBytes / 4);
    let j = 0;
    for (const { weight, bias } of params) {
      for (const row of weight) for (const w of row) flat[j++] = w;
      for (const b of bias) flat[j++] = b;
    }
  }

  /** The current parameters in PyTorch layout (exact float32 values). */
  readParams(): DenseParams[] {
    const flat = new Float32Array(this.memory.buffer, this.layout.params, this.layout.paramBytes / 4);
    const layers = this.spec.layers;
    let j = 0;
    return layers.slice(1).map((nOut, l) => {
      const nIn = layers[l];
      const weight = Array.from({ length: nOut }, () => Array.from(flat.subarray(j, (j += nIn))));
      const bias = Array.from(flat.subarray(j, (j += nOut)));
      return { weight, bias };
    });
  }
}
