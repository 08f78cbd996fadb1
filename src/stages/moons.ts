/** `uses: moons` — scikit-learn's make_moons, bit for bit (NumPy's legacy RandomState, glibc's sin and cos). */
import { concatMap } from 'rxjs/operators';
import type { Dataset } from '../data.ts';
import { defineStage, largeJsonArtifact, type Preflight, type StageContext, type StageEvent } from '../contract/stage.ts';
import { makeMoonsSteps } from '../numerics/make-moons.ts';
import { fromSteps } from '../util/steps.ts';
import { randomStateParam } from './params.ts';
import { datasetBytes, datasetFacts, describeDataset } from './preflight.ts';

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

/** Moons' and circles' preflight: two features, labels 0 (outer) and 1 (inner, when it has points). */
export function curvesPreflight({ n_samples: n }: { n_samples: number | readonly number[] }): Preflight<{ dataset: { kind: 'dataset' } }> {
  const [outer, inner] = typeof n === 'number' ? [Math.floor(n / 2), n - Math.floor(n / 2)] : [n[0], n[1]];
  const samples = outer + inner;
  return {
    outputs: { dataset: datasetFacts(samples, 2, [...(outer > 0 ? [0] : []), ...(inner > 0 ? [1] : [])]) },
    memory: { bytes: datasetBytes(samples, 2), path: ['with', 'n_samples'], what: describeDataset(samples, 2) },
  };
}

/** A generated dataset's events: made a step at a time (Ctrl-C is answered meanwhile), then written and handed on. */
export const generated = (ctx: StageContext<unknown, { dataset: { kind: 'dataset' } }, never>, steps: () => Iterator<unknown, Dataset>) =>
  fromSteps(steps).pipe(
    concatMap(async (dataset): Promise<StageEvent[]> => [await largeJsonArtifact('dataset.json', dataset, ctx.signal), ctx.output('dataset', dataset)]),
    concatMap((events) => events),
  );

export const moonsStage = defineStage({
  name: 'moons',
  description: 'Two interleaving half circles: sklearn.datasets.make_moons with the same parameters and the same numbers.',
  params: { type: 'object', properties: curveParams, additionalProperties: false },
  outputs: { dataset: { kind: 'dataset' } },
  preflight: curvesPreflight,
  run: (ctx) => generated(ctx, () => makeMoonsSteps(ctx.params)),
});
