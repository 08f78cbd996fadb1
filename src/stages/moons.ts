/** `uses: moons` — scikit-learn's make_moons, bit for bit (NumPy's legacy RandomState, glibc's sin and cos). */
import { of } from 'rxjs';
import { defineStage, jsonArtifact } from '../contract/stage.ts';
import { makeMoons } from '../numerics/make-moons.ts';
import { randomStateParam } from './params.ts';

/** Params shared by moons and circles: sklearn's names, a fixed seed by default so runs reproduce. */
export const curveParams = {
  n_samples: {
    anyOf: [
      { type: 'integer', minimum: 1 },
      { type: 'array', items: [{ type: 'integer', minimum: 0 }, { type: 'integer', minimum: 0 }], minItems: 2, maxItems: 2 },
    ],
    default: 100,
    description: 'total points (outer curve n // 2, inner the rest), or [outer, inner]',
  },
  shuffle: { type: 'boolean', default: true, description: 'shuffle the points' },
  noise: { type: ['number', 'null'], minimum: 0, default: null, description: 'standard deviation of Gaussian noise added to each coordinate; null for none' },
  random_state: randomStateParam,
} as const;

export const moonsStage = defineStage({
  name: 'moons',
  description: 'Two interleaving half circles: sklearn.datasets.make_moons with the same parameters and the same numbers.',
  params: { type: 'object', properties: curveParams, additionalProperties: false },
  outputs: { dataset: { kind: 'dataset' } },
  run: (ctx) => {
    const dataset = makeMoons(ctx.params);
    return of(jsonArtifact('dataset.json', dataset, false), ctx.output('dataset', dataset));
  },
});
