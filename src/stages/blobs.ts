/** `uses: blobs` — scikit-learn's make_blobs, bit for bit (NumPy's legacy RandomState). */
import { concatMap } from 'rxjs/operators';
import { defineStage, largeJsonArtifact, type ParamsProblem, type StageEvent } from '../contract/stage.ts';
import { makeBlobsSteps } from '../numerics/make-blobs.ts';
import { fromSteps } from '../util/steps.ts';
import { randomStateParam } from './params.ts';
import { datasetBytes, datasetFacts, describeDataset } from './preflight.ts';

const count = { type: 'integer', minimum: 1 } as const;
const std = { type: 'number', minimum: 0 } as const;

/** The params as make_blobs reads them: how many centres, how many points each, how many features. */
function layout(params: { n_samples: number | readonly number[]; n_features: number; centers?: number | readonly (readonly number[])[] }): {
  centers: number;
  perCenter: number[];
  features: number;
} {
  const { n_samples: nSamples, centers } = params;
  const nCenters = typeof centers === 'number' ? centers : Array.isArray(centers) ? centers.length : typeof nSamples === 'number' ? 3 : nSamples.length;
  const perCenter =
    typeof nSamples === 'number'
      ? Array.from({ length: nCenters }, (_, i) => Math.floor(nSamples / nCenters) + (i < nSamples % nCenters ? 1 : 0))
      : [...nSamples];
  return { centers: nCenters, perCenter, features: Array.isArray(centers) ? (centers[0]?.length ?? 0) : params.n_features };
}

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
  // make_blobs's own checks, before anything runs rather than as the stage fails.
  check: (params) => {
    const problems: ParamsProblem[] = [];
    const { centers, cluster_std: clusterStd, n_samples: nSamples, center_box: [low, high] } = params;
    const n = layout(params);
    if (Array.isArray(centers)) {
      centers.forEach((row, i) => {
        if (row.length !== centers[0].length) problems.push({ path: ['centers', i], message: `expected ${centers[0].length} coordinates (as centers[0]), found ${row.length}` });
      });
    }
    if (Array.isArray(nSamples) && centers !== undefined) {
      if (typeof centers === 'number') problems.push({ path: ['centers'], message: 'with one count per centre in n_samples, give the centres themselves (a list of points), or leave centers out' });
      else if (centers.length !== nSamples.length) problems.push({ path: ['n_samples'], message: `expected one count per centre (${centers.length}), found ${nSamples.length}` });
    }
    if (Array.isArray(clusterStd) && clusterStd.length !== n.centers) {
      problems.push({ path: ['cluster_std'], message: `expected one standard deviation per centre (${n.centers}), found ${clusterStd.length}` });
    }
    if (centers === undefined || typeof centers === 'number') {
      if (!(low < high)) problems.push({ path: ['center_box'], message: `expected [low, high] with low < high, found [${low}, ${high}]` });
      else if (!Number.isFinite(high - low)) problems.push({ path: ['center_box'], message: `the box [${low}, ${high}] is too wide: high - low must be a finite number` });
    }
    return problems;
  },
  preflight: (params) => {
    const { perCenter, features } = layout(params);
    const samples = perCenter.reduce((a, b) => a + b, 0);
    const labels = perCenter.flatMap((n, i) => (n > 0 ? [i] : []));
    return {
      outputs: { dataset: datasetFacts(samples, features, labels) },
      memory: { bytes: datasetBytes(samples, features), path: ['with', 'n_samples'], what: describeDataset(samples, features) },
    };
  },
  run: (ctx) => {
    const { center_box: [low, high], ...options } = ctx.params;
    return fromSteps(() => makeBlobsSteps({ ...options, center_box: [low, high] })).pipe(
      concatMap(async (dataset): Promise<StageEvent[]> => [await largeJsonArtifact('dataset.json', dataset, ctx.signal), ctx.output('dataset', dataset)]),
      concatMap((events) => events),
    );
  },
});
