/** `uses: xor` — the four XOR points, the seed's example of what one perceptron cannot learn. */
import { of } from 'rxjs';
import type { Dataset } from '../data.ts';
import { defineStage, jsonArtifact } from '../contract/stage.ts';
import { RandomState } from '../numerics/random-state.ts';
import { datasetBytes, datasetFacts, describeDataset } from './preflight.ts';

const POINTS = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const LABELS = [0, 1, 1, 0];

/** The points `repeat` times in order; with `jitter`, each coordinate plus N(0, jitter²) drawn in C order. */
export function xorDataset({ repeat, jitter, seed }: { repeat: number; jitter: number; seed: number }): Dataset {
  const X = Array.from({ length: repeat }, () => POINTS.map((p) => [...p])).flat();
  const y = Array.from({ length: repeat }, () => LABELS).flat();
  if (jitter > 0) {
    const noise = new RandomState(seed).normal(0, jitter, [X.length, 2]);
    X.forEach((row, i) => row.forEach((v, j) => (row[j] = v + noise[i * 2 + j])));
  }
  return { X, y };
}

export const xorStage = defineStage({
  name: 'xor',
  description: 'The XOR points [[0,0],[0,1],[1,0],[1,1]] → [0,1,1,0], optionally repeated and jittered.',
  params: {
    type: 'object',
    properties: {
      repeat: { type: 'integer', minimum: 1, default: 1, description: 'copies of the four points' },
      jitter: { type: 'number', minimum: 0, default: 0, description: 'standard deviation of Gaussian noise added to each coordinate' },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295, default: 0, description: 'seed of the noise (NumPy RandomState)' },
    },
    additionalProperties: false,
  },
  outputs: { dataset: { kind: 'dataset' } },
  preflight: ({ repeat }) => ({
    outputs: { dataset: datasetFacts(4 * repeat, 2, [0, 1]) },
    memory: { bytes: datasetBytes(4 * repeat, 2), path: ['with', 'repeat'], what: describeDataset(4 * repeat, 2) },
  }),
  run: (ctx) => {
    const dataset = xorDataset(ctx.params);
    return of(jsonArtifact('dataset.json', dataset, false), ctx.output('dataset', dataset));
  },
});
