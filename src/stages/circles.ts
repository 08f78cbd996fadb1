/** `uses: circles` — scikit-learn's make_circles, bit for bit (NumPy's legacy RandomState, glibc's sin and cos). */
import { of } from 'rxjs';
import { defineStage, jsonArtifact } from '../contract/stage.ts';
import { makeCircles } from '../numerics/make-circles.ts';
import { curveParams } from './moons.ts';

export const circlesStage = defineStage({
  name: 'circles',
  description: 'A circle inside a larger one: sklearn.datasets.make_circles with the same parameters and the same numbers.',
  params: {
    type: 'object',
    properties: {
      ...curveParams,
      factor: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.8, description: 'radius of the inner circle relative to the outer one' },
    },
    additionalProperties: false,
  },
  outputs: { dataset: { kind: 'dataset' } },
  run: (ctx) => {
    const dataset = makeCircles(ctx.params);
    return of(jsonArtifact('dataset.json', dataset, false), ctx.output('dataset', dataset));
  },
});
