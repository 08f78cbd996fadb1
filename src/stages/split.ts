/** `uses: split` — scikit-learn's train_test_split: the same train and test rows for the same seed. */
import { from } from 'rxjs';
import { concatMap } from 'rxjs/operators';
import { defineStage, largeJsonArtifact, message, type StageEvent } from '../contract/stage.ts';
import { trainTestSplit, validateShuffleSplit } from '../numerics/train-test-split.ts';
import { randomStateParam } from './params.ts';
import { datasetBytes, describeDataset } from './preflight.ts';

/** A fraction in (0, 1) or a count of at least 1, as sklearn reads test_size and train_size. */
const size = (what: string, unset: string) =>
  ({
    anyOf: [
      { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      { type: 'integer', minimum: 1 },
    ],
    description: `${what}: a fraction in (0, 1) or a number of samples; ${unset}`,
  }) as const;

export const splitStage = defineStage({
  name: 'split',
  description: 'Splits a dataset into train and test sets: sklearn.model_selection.train_test_split with the same rows for the same seed.',
  params: {
    type: 'object',
    properties: {
      test_size: size('the test set', 'default 0.25, or the rest when train_size is given'),
      train_size: size('the train set', 'default the rest'),
      shuffle: { type: 'boolean', default: true, description: 'shuffle before splitting; without it, train is the first rows and test the next' },
      random_state: randomStateParam,
      stratify: { type: 'boolean', default: false, description: "keep the class proportions in both sets (sklearn's stratify=y); needs shuffle" },
    },
    additionalProperties: false,
  },
  inputs: { dataset: { kind: 'dataset', description: 'the data to split' } },
  outputs: {
    train: { kind: 'dataset', description: 'the training rows' },
    test: { kind: 'dataset', description: 'the held-out rows' },
  },
  // sklearn's checks of the sizes against the number of samples, before anything runs.
  preflight: (params, { dataset }) => {
    if (dataset?.samples === undefined) return {};
    let sizes: [number, number];
    try {
      sizes = validateShuffleSplit(dataset.samples, params.test_size ?? null, params.train_size ?? null);
    } catch (err) {
      const at = params.test_size === undefined && params.train_size !== undefined ? 'train_size' : 'test_size';
      return { problems: [{ path: ['with', at], message: `${(err as Error).message} (${dataset.from} has ${dataset.samples} samples)` }] };
    }
    const part = (samples: number) => ({ ...dataset, samples });
    const features = dataset.features ?? 1;
    return {
      outputs: { train: part(sizes[0]), test: part(sizes[1]) },
      memory: { bytes: datasetBytes(sizes[0] + sizes[1], features), path: ['inputs', 'dataset'], what: `splitting ${describeDataset(dataset.samples, features)}` },
    };
  },
  run: (ctx, { dataset }) => {
    const { stratify, ...options } = ctx.params;
    const { train, test } = trainTestSplit(dataset, { ...options, stratify: stratify ? dataset.y : null });
    return from(Promise.all([largeJsonArtifact('train.json', train, ctx.signal), largeJsonArtifact('test.json', test, ctx.signal)])).pipe(
      concatMap((files): StageEvent[] => [
        ...files,
        message(`train ${train.y.length} samples, test ${test.y.length} samples`),
        ctx.output('train', train),
        ctx.output('test', test),
      ]),
    );
  },
});
