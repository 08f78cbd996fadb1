/** `uses: circles` — scikit-learn's make_circles, bit for bit (NumPy's legacy RandomState, glibc's sin and cos). */
import { defineStage } from '../contract/stage.ts';
import { makeCirclesSteps } from '../numerics/make-circles.ts';
import { curveParams, curvesPreflight, generated } from './moons.ts';

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
  preflight: curvesPreflight,
  run: (ctx) => generated(ctx, () => makeCirclesSteps(ctx.params)),
});
