/**
 * What the built-in stages share for their preflights (see `preflight` in the stage
 * contract): the memory a dataset or a model takes in this process, the facts of a
 * dataset, and the checks of a dataset against what reads it.
 *
 * The estimates are upper bounds of the order of magnitude, not measurements: they count
 * a value as rxlab holds it (JavaScript arrays of doubles, each row an array), plus the
 * JSON text written from it (an artifact and the engine's record, a slice at a time but
 * held until written), plus TensorFlow.js's float32 copies where a stage makes them.
 */
import type { FactsOf, InputFacts, PreflightProblem } from '../contract/stage.ts';

/** A row of a dataset as a JavaScript array: the array object, its backing store's header, and the heap's slack. */
const ROW_BYTES = 96;
/** A double in an array. */
const NUMBER_BYTES = 8;
/** A double written as JSON text: up to 24 characters (`-0.12345678901234567,`), one byte each. */
const NUMBER_TEXT_BYTES = 24;

/**
 * Memory for a dataset of `samples` rows of `features` numbers while the stage that makes
 * it runs: the rows and labels, and two JSON texts of it (its artifact and its record).
 */
export const datasetBytes = (samples: number, features: number): number =>
  samples * (ROW_BYTES + NUMBER_BYTES * (features + 1) + 2 * NUMBER_TEXT_BYTES * (features + 1));

/** `n` numbers as `datasetBytes` counts them: `5000000 samples of 2 features`. */
export const describeDataset = (samples: number, features: number): string => `${samples} samples of ${features} feature${features === 1 ? '' : 's'}`;

/** The parameters of a dense stack: weights and biases of each layer. */
export const parameterCount = (layers: readonly number[]): number => layers.slice(1).reduce((sum, out, l) => sum + layers[l] * out + out, 0);

/**
 * Memory for a model's parameters where a stage holds them: as JavaScript arrays, as
 * float32 tensors, and written as `params.json` (indented text) and `weights.bin`.
 */
export const modelBytes = (layers: readonly number[]): number => parameterCount(layers) * (NUMBER_BYTES + 4 + 4 + 2 * NUMBER_TEXT_BYTES) + layers.length * 1024;

/** A dataset's facts from its labels and rows, for stages that know them before running. */
export function datasetFacts(samples: number, features: number, labels: Iterable<number>): FactsOf<'dataset'> {
  return { samples, features, labels: [...new Set(labels)].sort((a, b) => a - b) };
}

/**
 * `features` must match what the dataset has, when both are known: the model's input
 * size, an evaluated point, a chart's two axes. `what` says who expects them.
 */
export function featuresProblem(dataset: InputFacts<'dataset'> | undefined, expected: number, path: PreflightProblem['path'], what: string, fix: string): PreflightProblem[] {
  if (dataset?.features === undefined || dataset.features === expected) return [];
  return [{ path, message: `${what} ${expected} feature${expected === 1 ? '' : 's'}, but ${dataset.from} has ${dataset.features}; ${fix}` }];
}

/** `0, 1, 2` or `0, 1, …, 9 (10 labels)`. */
export function showLabels(labels: readonly number[]): string {
  return labels.length <= 6 ? labels.join(', ') : `${labels.slice(0, 3).join(', ')}, …, ${labels[labels.length - 1]} (${labels.length} labels)`;
}
