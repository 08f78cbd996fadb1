/**
 * `torch.nn.Linear`'s default initialisation (`reset_parameters`), bit for bit, on a
 * {@link TorchGenerator}.
 */
import type { DenseParams } from '../data.ts';
import { TorchGenerator, type TorchSeed } from './torch-generator.ts';

/**
 * The weight bound of `init.kaiming_uniform_(weight, a=math.sqrt(5))` in Python doubles:
 * `gain = math.sqrt(2.0 / (1 + a**2))`, `std = gain / math.sqrt(fan_in)`,
 * `bound = math.sqrt(3.0) * std`.
 */
export function linearWeightBound(fanIn: number): number {
  const a = Math.sqrt(5);
  // Python's a**2 is the correctly rounded a * a: 5.000000000000001, not 5.
  const gain = Math.sqrt(2.0 / (1 + a * a));
  const std = gain / Math.sqrt(fanIn);
  return Math.sqrt(3.0) * std;
}

/** The bias bound of `Linear.reset_parameters`: `1 / math.sqrt(fan_in) if fan_in > 0 else 0`. */
export function linearBiasBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

/**
 * `nn.Linear(inFeatures, outFeatures)`'s parameters drawn from `gen`: the weight
 * (out × in, row-major) by `uniform_(-weightBound, weightBound)`, then the bias by
 * `uniform_(-biasBound, biasBound)`, with fan_in = inFeatures. Values are float32.
 */
export function linearInit(gen: TorchGenerator, inFeatures: number, outFeatures: number): DenseParams {
  for (const [name, n] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
  }
  const size = inFeatures * outFeatures;
  let flat: number[] = [];
  // kaiming_uniform_ returns before computing a bound or drawing when the weight has no element.
  if (size > 0) {
    const bound = linearWeightBound(inFeatures);
    flat = gen.uniform(size, -bound, bound);
  }
  const weight = Array.from({ length: outFeatures }, (_, row) =>
    flat.slice(row * inFeatures, (row + 1) * inFeatures),
  );
  const biasBound = linearBiasBound(inFeatures);
  // 0 - bound, not -bound: with fan_in = 0 Python passes the int 0 (not -0.0), and the
  // kernel may return `from` itself.
  const bias = gen.uniform(outFeatures, 0 - biasBound, biasBound);
  return { weight, bias };
}

/**
 * `torch.manual_seed(seed); nn.Sequential(Linear(l0, l1), act, Linear(l1, l2), …)`:
 * one {@link linearInit} per consecutive pair of `layers`, all from one generator
 * (activations draw nothing).
 */
export function linearStackInit(seed: TorchSeed, layers: readonly number[]): DenseParams[] {
  const gen = new TorchGenerator(seed);
  return layers.slice(1).map((outFeatures, i) => linearInit(gen, layers[i], outFeatures));
}
