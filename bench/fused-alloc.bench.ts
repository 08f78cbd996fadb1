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
import { reference, seedSpec } from '../test/helpers/ml-reference.ts';

// A full collection on demand, without starting Node with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const EPOCHS = 10_000;

/** Collections V8 chose to make (ours, forced, are left out): young-generation scavenges, and the rest. */
let scavenges = 0;
let majors = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const { kind, flags } = (entry as PerformanceEntry & { detail: { kind: number; flags: number } }).detail;
    if (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) continue;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    else majors++;
  }
}).observe({ entryTypes: ['gc'] });

/** Lets the observer see the collections so far. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

/** Collections and heap growth (bytes, after full collections) while `run` runs. */
interface Measured {
  scavenges: number;
  majors: number;
  growth: number;
  allocated: number;
}

async function measure(run: () => Promise<unknown> | void): Promise<Measured> {
  gc();
  await settle();
  const heap0 = process.memoryUsage().heapUsed;
  const [scavenges0, majors0] = [scavenges, majors];
  await run();
  // Without a scavenge in between, the heap's growth before collecting is what was allocated.
  const allocated = process.memoryUsage().heapUsed - heap0;
  await settle();
  const counts = { scavenges: scavenges - scavenges0, majors: majors - majors0 };
  gc();
  return { ...counts, growth: process.memoryUsage().heapUsed - heap0, allocated };
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
  for (let i = 0; i < 3000; i++) trainer.epoch(); // warm up (JIT and WebAssembly tier-up)
  const bare = await measure(() => {
    for (let i = 0; i < EPOCHS; i++) trainer.epoch();
  });
  trainer.close();
  // The states are consumed and dropped as they come, as a live consumer does.
  const stream = await measure(() => lastValueFrom(train(spec, data, opts).pipe(ignoreElements(), toArray())));
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const cells = (m: Measured) =>
    `${m.scavenges} | ${m.majors} | ${kib(m.growth)} | ${m.scavenges === 0 ? `${(m.allocated / EPOCHS).toFixed(1)} B` : '–'}`;
  rows.push(`| ${label} | ${cells(bare)} | ${cells(stream)} |`);
}

console.log(
  [
    '## What the fused trainer allocates (`bench/fused-alloc.bench.ts`)',
    '',
    `${EPOCHS.toLocaleString('en')} epochs each: collections that V8 chose to make (seen by a PerformanceObserver): scavenges, which per-epoch garbage would cause, and major ones (V8 also starts these when external memory, such as a new WebAssembly memory, grows); the heap's growth (heapUsed after a forced full collection, before and after); and, when no scavenge happened, the bytes allocated per epoch. "Epochs" is the bare epoch loop, \`Trainer.epoch()\` (kernels and optimizer steps, returning the loss, a 16-byte heap number) after a warm-up; "train" is the \`train\` Observable from subscription to completion (the workspace, and each epoch's state object).`,
    '',
    '| run | epochs: scavenges | major GCs | heap growth | allocated per epoch | train: scavenges | major GCs | heap growth | allocated per epoch |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n'),
);
