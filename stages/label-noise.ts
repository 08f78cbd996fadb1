/**
 * An example of a stage of your own: flips a fraction of a dataset's 0/1 labels, chosen
 * with a seed, to see how training copes with label noise. A pipeline uses it with
 * `uses: ../stages/label-noise.ts` (the path is relative to the pipeline file).
 * Outside this repository, import from 'rxlab' instead of '../src/index.ts'.
 */
import { of } from 'rxjs';
import { RandomState, defineStage, jsonArtifact, message, type Dataset } from '../src/index.ts';

export default defineStage({
  name: 'label-noise',
  description: 'Flips a fraction of the 0/1 labels, chosen with a seed.',
  params: {
    type: 'object',
    properties: {
      fraction: { type: 'number', minimum: 0, maximum: 1, description: 'share of the labels to flip (rounded to a count)' },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295, default: 0, description: "NumPy's RandomState seed" },
    },
    required: ['fraction'],
    additionalProperties: false,
  },
  inputs: { dataset: { kind: 'dataset', description: 'the clean data' } },
  outputs: { dataset: { kind: 'dataset', description: 'the same points, some labels flipped' } },
  run: (ctx, { dataset }) => {
    const n = dataset.y.length;
    const odd = dataset.y.findIndex((label) => label !== 0 && label !== 1);
    if (odd >= 0) throw new Error(`label-noise flips 0/1 labels, but y[${odd}] is ${dataset.y[odd]}`);
    // NumPy: RandomState(seed).choice(n, k, replace=False), i.e. permutation(n)[:k].
    const order = Array.from({ length: n }, (_, i) => i);
    new RandomState(ctx.params.seed).shuffle(order);
    const flipped = order.slice(0, Math.round(ctx.params.fraction * n)).sort((a, b) => a - b);
    const y = [...dataset.y];
    for (const i of flipped) y[i] = 1 - y[i];
    const noisy: Dataset = { X: dataset.X, y };
    return of(
      jsonArtifact('flipped.json', flipped, false),
      jsonArtifact('dataset.json', noisy, false),
      message(`flipped ${flipped.length} of ${n} labels`),
      ctx.output('dataset', noisy),
    );
  },
});
