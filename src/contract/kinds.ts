/**
 * What can flow between stages: one map from a kind's name to its description, typed with
 * the TypeScript type of its values. A port declares its kind by name (`{ kind: 'dataset' }`);
 * the planner refuses a model where a dataset is expected, and a stage's `run` receives its
 * inputs typed from this map. Stages of a user's own may pass data of their own between
 * them as a kind named `x-<something>` (typed `unknown`); any other name is refused at load
 * time, so a misspelt kind never passes for a new one.
 */
import type { Checkpoint, Dataset, EarlyStopDecision, EpochState, History, ModelSpec, Predictions } from '../data.ts';

/** A kind: its description, carrying the type of its values. */
export interface KindOf<T> {
  readonly description: string;
  /** Never set: it only carries `T`. */
  readonly type?: T;
}

const kind = <T>(description: string): KindOf<T> => ({ description });

export const KINDS = {
  dataset: kind<Dataset>('features X, one row per sample, and class labels y'),
  model: kind<ModelSpec>('a dense network: layer sizes, activation and parameters (PyTorch layout)'),
  history: kind<History>('the loss of every epoch, and why training stopped early if it did'),
  predictions: kind<Predictions>("a model's probability and class for named points, and its accuracy on a dataset"),
  'epoch-state': kind<EpochState>("one training epoch's state: epoch, loss and elapsed time"),
  checkpoint: kind<Checkpoint>('the parameters after an epoch'),
  'early-stop': kind<EarlyStopDecision>('whether and where training was stopped early'),
} as const;

/**
 * What the planner can know of a value before anything runs, by kind, so that mistakes
 * between stages (a model's input size against the data's features, labels a loss cannot
 * take) are found before anything runs; each field is absent when unknown.
 */
export interface KindFacts {
  dataset: {
    samples: number;
    features: number;
    /** The class labels it holds, ascending. */
    labels: readonly number[];
  };
  model: {
    /** Layer sizes, input first. */
    layers: readonly number[];
  };
  checkpoint: {
    /** Whether any checkpoint will be emitted at all. */
    emits: boolean;
  };
  history: {
    epochs: number;
  };
}

/** A kind of rxlab's. */
export type BuiltinKind = keyof typeof KINDS;

/** A kind of a user's own, for data passed between their own stages. */
export type CustomKind = `x-${string}`;

export type Kind = BuiltinKind | CustomKind;

/** The TypeScript type of a kind's values. */
export type KindType<K extends Kind> = K extends BuiltinKind ? ((typeof KINDS)[K] extends KindOf<infer T> ? T : never) : unknown;

export const isKind = (name: string): name is Kind => Object.hasOwn(KINDS, name) || /^x-[a-z0-9][a-z0-9-]*$/.test(name);
