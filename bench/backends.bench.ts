/**
 * Epoch time of `train()` per tfjs backend, on the seed problem (100 points, 2→1) and
 * the same points tiled to 100,000: which backend `initBackend` should fall back to.
 * The native `tensorflow` backend is measured only where `@tensorflow/tfjs-node` loads.
 */
import { readFileSync } from 'node:fs';
import { lastValueFrom } from 'rxjs';
import { initBackend, type BackendName } from '../src/ml/backend.ts';
import { sgdSpec } from '../src/ml/options.ts';
import { train } from '../src/ml/train.ts';
import type { Dataset, ModelSpec } from '../src/data.ts';
import { median, timeRuns } from './stats.ts';

const { dataset, train: ref } = JSON.parse(readFileSync('test/fixtures/train-reference.json', 'utf8')) as {
  dataset: Dataset;
  train: { init: [number[], number[]]; lr: number };
};
const spec: ModelSpec = { layers: [2, 1], activation: 'sigmoid', params: [{ weight: [ref.init[0]], bias: ref.init[1] }] };

const tile = (times: number): Dataset => ({
  X: Array.from({ length: times }, () => dataset.X).flat(),
  y: Array.from({ length: times }, () => dataset.y).flat(),
});
const sizes = [
  { label: '100', data: dataset, epochs: 300 },
  { label: '1,000', data: tile(10), epochs: 200 },
  { label: '10,000', data: tile(100), epochs: 50 },
  { label: '100,000', data: tile(1000), epochs: 20 },
];

// The first selection of each backend loads it (wasm: compiles its binary): a one-off cost per process.
const backends: BackendName[] = [];
const initMs: number[] = [];
for (const name of ['cpu', 'wasm', 'tensorflow'] as const) {
  const start = performance.now();
  if ((await initBackend(name)) === name) {
    initMs.push(performance.now() - start);
    backends.push(name);
  }
}

const runs = 7;
const rows: string[] = [];
for (const { label, data, epochs } of sizes) {
  const once = () => lastValueFrom(train(spec, data, { loss: 'bce', optimizer: sgdSpec(ref.lr), epochs }));
  const times = new Map<BackendName, number[]>(backends.map((b) => [b, []]));
  for (const b of backends) {
    await initBackend(b);
    await once(); // warm-up
  }
  // Interleaved: one run per backend per round.
  for (let r = 0; r < runs; r++) {
    for (const b of backends) {
      await initBackend(b);
      times.get(b)?.push(...(await timeRuns(1, once)));
    }
  }
  const perEpoch = backends.map((b) => median(times.get(b) ?? []) / epochs);
  const best = Math.min(...perEpoch);
  rows.push(
    `| ${label} | ${epochs} | ${perEpoch.map((t) => `${t < 1 ? `${(t * 1000).toFixed(0)} µs` : `${t.toFixed(2)} ms`}${t === best ? ' **(fastest)**' : ''}`).join(' | ')} |`,
  );
}

console.log(
  [
    '## tfjs backends: epoch time',
    '',
    `\`train()\` (BCE, SGD, 2→1), median of ${runs} interleaved runs per backend after one warm-up; the 100,000 points are the 100 seed points tiled.${backends.includes('tensorflow') ? '' : ' `tensorflow` (tfjs-node) is not installed here.'}`,
    '',
    `| points | epochs per run | ${backends.join(' | ')} |`,
    `|---:|---:|${backends.map(() => '---:').join('|')}|`,
    `| first \`initBackend\` (once per process) | | ${initMs.map((t) => `${t.toFixed(0)} ms`).join(' | ')} |`,
    ...rows,
  ].join('\n'),
);
