/** `uses: blobs` — scikit-learn's make_blobs, bit for bit (NumPy's legacy RandomState). */
import { of } from 'rxjs';
import { defineStage, jsonArtifact } from '../contract/stage.ts';
import { makeBlobs } from '../numerics/make-blobs.ts';
import { randomStateParam } from './params.ts';

const count = { type: 'integer', minimum: 1 } as const;
const std = { type: 'number', minimum: 0 } as const;

export const blobsStage = defineStage({
  name: 'blobs',
  description: 'Isotropic Gaussian blobs: sklearn.datasets.make_blobs with the same parameters and the same numbers.',
  params: {
    type: 'object',
    properties: {
      n_samples: { anyOf: [count, { type: 'array', items: count, minItems: 1 }], default: 100, description: 'total points, or one count per centre' },
      n_features: { ...count, default: 2, description: 'features per point (taken from centers when they are given as points)' },
      centers: {
        anyOf: [count, { type: 'array', items: { type: 'array', items: { type: 'number' }, minItems: 1 }, minItems: 1 }],
        description: 'how many centres to draw in center_box, or the centres themselves; default 3',
      },
      cluster_std: { anyOf: [std, { type: 'array', items: std, minItems: 1 }], default: 1, description: 'standard deviation, or one per centre' },
      center_box: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, default: [-10, 10], description: 'bounds of generated centres' },
      shuffle: { type: 'boolean', default: true, description: 'shuffle the points' },
      random_state: randomStateParam,
    },
    additionalProperties: false,
  },
  outputs: { dataset: { kind: 'dataset' } },
  run: (ctx) => {
    const { center_box: [low, high], ...options } = ctx.params;
    const dataset = makeBlobs({ ...options, center_box: [low, high] });
    return of(jsonArtifact('dataset.json', dataset, false), ctx.output('dataset', dataset));
  },
});
