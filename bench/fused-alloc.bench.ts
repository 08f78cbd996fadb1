/**
 * What the fused trainer allocates: 10,000 epochs of the seed perceptron and of a 2→64→64→1
 * ReLU network with Adam (minibatches of 256 on 1,000 points), counting garbage collections
 * (PerformanceObserver 'gc') and the heap's growth (heapUsed after a forced full collection,
 * before and after), once for the bare epoch loop (the kernels and the optimizer step) and
 * once through the `train` Observable (which allocates the state object it emits).
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { lastValueFrom, toArray, ignoreElements } from 'rxjs';
import type { Dataset, ModelSpec } from '../src/data.ts';
import { adamSpec, sgdSpec, train, type FusedOptions } from '../src/ml/fused/index.ts';
import { Trainer } from '../src/ml/fused/trainer.ts';
import { linearStackInit } from '../src/numerics/linear-init.ts';
import { reference, seedSpec } from '../test/ml/reference.ts';

// A full collection on demand, without starting Node with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const EPOCHS = 10_000;

let collections = 0;
// Collections V8 chose to make; the forced ones (ours) are left out.
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const { flags } = (entry as PerformanceEntry & { detail: { flags: number } }).detail;
    if (!(flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED)) collections++;
  }
}).observe({ entryTypes: ['gc'] });

/** Lets the observer see the collections so far. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

/** Collections and heap growth (bytes, after full collections) while `run` runs. */
async function measure(run: () => Promise<unknown> | void): Promise<{ gcs: number; growth: number }> {
  gc();
  await settle();
  const heap0 = process.memoryUsage().heapUsed;
  const gcs0 = collections;
  await run();
  await settle();
  const gcs = collections - gcs0;
  gc();
  return { gcs, growth: process.memoryUsage().heapUsed - heap0 };
}

let s = 3;
const r = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
const X = Array.from({ length: 1000 }, () => [r() * 2 - 1, r() * 2 - 1]);
const mlpData: Dataset = { X, y: X.map(([a, b]) => (a * b > 0 ? 1 : 0)) };
const mlpSpec: ModelSpec = { layers: [2, 64, 64, 1], activation: 'relu', params: linearStackInit(2, [2, 64, 64, 1]) };

const setups: { label: string; spec: ModelSpec; data: Dataset; opts: FusedOptions }[] = [
  { label: 'seed perceptron (100 points, SGD)', spec: seedSpec, data: reference.dataset, opts: { loss: 'bce', optimizer: sgdSpec(0.01), epochs: EPOCHS } },
  {
    label: 'MLP 2→64→64→1 ReLU, Adam, 1,000 points, batch 256',
    spec: mlpSpec,
    data: mlpData,
    opts: { loss: 'bce', optimizer: adamSpec(1e-3), epochs: EPOCHS, batchSize: 256 },
  },
];

const rows: string[] = [];
for (const { label, spec, data, opts } of setups) {
  const trainer = new Trainer(spec, data, opts);
  for (let i = 0; i < 200; i++) trainer.epoch(); // warm up (JIT and WebAssembly tier-up)
  const bare = await measure(() => {
    for (let i = 0; i < EPOCHS; i++) trainer.epoch();
  });
  trainer.close();
  // The states are consumed and dropped as they come, as a live consumer does.
  const stream = await measure(() => lastValueFrom(train(spec, data, opts).pipe(ignoreElements(), toArray())));
  const fmt = ({ gcs, growth }: { gcs: number; growth: number }) => `${gcs} | ${(growth / 1024).toFixed(1)} KiB`;
  rows.push(`| ${label} | ${fmt(bare)} | ${fmt(stream)} |`);
}

console.log(
  [
    '## What the fused trainer allocates (`bench/fused-alloc.bench.ts`)',
    '',
    `${EPOCHS.toLocaleString('en')} epochs each: garbage collections seen by a PerformanceObserver, and heap growth (heapUsed after a forced full collection, before and after). "Epochs" runs the bare epoch loop (kernels and optimizer step); "train" runs the \`train\` Observable, which also creates each epoch's state object (and the workspace).`,
    '',
    '| run | epochs: GCs | epochs: heap growth | train: GCs | train: heap growth |',
    '|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n'),
);
