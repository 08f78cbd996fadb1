/** `uses: evaluate` — the model's probability and class for named points, and accuracy on a dataset. */
import { from } from 'rxjs';
import { concatMap } from 'rxjs/operators';
import type { Prediction, Predictions } from '../data.ts';
import { defineStage, jsonArtifact, message, type StageEvent } from '../contract/stage.ts';
import { ML_PACKAGES, backendParam, backendProblems, computeWith } from './ml.ts';
import { featuresProblem } from './preflight.ts';

const point = { type: 'array', items: { type: 'number' }, minItems: 1 } as const;

export const evaluateStage = defineStage({
  name: 'evaluate',
  description: 'Predicts the probability of class 1 for each point (class 1 when p ≥ 0.5); with a dataset, also its accuracy.',
  params: {
    type: 'object',
    properties: {
      points: {
        type: 'array',
        description: 'points to classify: [1, -1], or {name: red, point: [1, -1]}',
        items: {
          anyOf: [
            point,
            {
              type: 'object',
              properties: { name: { type: 'string', minLength: 1 }, point },
              required: ['point'],
              additionalProperties: false,
            },
          ],
        },
        default: [],
      },
      backend: backendParam,
    },
    additionalProperties: false,
  },
  inputs: {
    model: { kind: 'model', description: 'a trained model' },
    dataset: { kind: 'dataset', optional: true, description: 'data to measure accuracy on' },
  },
  outputs: { predictions: { kind: 'predictions' } },
  metrics: { accuracy: { direction: 'maximize', description: 'the share of the dataset classified correctly (when a dataset is given)' } },
  // Two points of one name would be two rows of predictions.json no one can tell apart.
  check: ({ points, backend }) => {
    const first = new Map<string, number>();
    const duplicates = points.flatMap((p, i) => {
      if (Array.isArray(p) || p.name === undefined) return [];
      const seen = first.get(p.name);
      if (seen === undefined) first.set(p.name, i);
      return seen === undefined ? [] : [{ path: ['points', i, 'name'], message: `duplicate point name "${p.name}" (points[${seen}] has it too); give each point its own name` }];
    });
    return [...duplicates, ...backendProblems(backend)];
  },
  preflight: ({ points }, { model, dataset }) => {
    if (!model?.layers) return {};
    const inputs = model.layers[0];
    return {
      problems: [
        ...points.flatMap((p, i) => {
          const point = Array.isArray(p) ? p : p.point;
          const at = Array.isArray(p) ? ['with', 'points', i] : ['with', 'points', i, 'point'];
          return point.length === inputs ? [] : [{ path: at, message: `expected ${inputs} coordinates (the model ${model.from} takes ${inputs} features), found ${point.length}` }];
        }),
        ...featuresProblem(dataset, inputs, ['inputs', 'dataset'], `the model (${model.from}) takes`, 'evaluate it on data with as many features as the model was trained on'),
      ],
    };
  },
  packages: ML_PACKAGES,
  run: (ctx, { model, dataset }) =>
    from(computeWith(ctx.params.backend)).pipe(
      concatMap(({ predict, accuracy }): StageEvent[] => {
        const named = ctx.params.points.map((p) => (Array.isArray(p) ? { point: p } : p));
        named.forEach(({ point: x }, i) => {
          if (x.length !== model.layers[0]) {
            throw new Error(`points[${i}] has ${x.length} coordinates but the model takes ${model.layers[0]}`);
          }
        });
        const probabilities = predict(model, named.map((p) => p.point));
        const points: Prediction[] = named.map((p, i) => ({
          name: p.name ?? `(${p.point.join(', ')})`,
          point: p.point,
          probability: probabilities[i],
          class: probabilities[i] >= 0.5 ? 1 : 0,
        }));
        const result: Predictions = { points };
        const events: StageEvent[] = [jsonArtifact('predictions.json', points)];
        if (dataset) {
          result.accuracy = accuracy(model, dataset);
          events.push(jsonArtifact('metrics.json', { accuracy: result.accuracy, samples: dataset.y.length }));
          events.push(message(`accuracy ${result.accuracy} on ${dataset.y.length} samples`), ctx.metric('accuracy', result.accuracy));
        }
        for (const p of points) events.push(message(`${p.name}: probability ${p.probability}, class ${p.class}`));
        return [...events, ctx.output('predictions', result)];
      }),
    ),
});
