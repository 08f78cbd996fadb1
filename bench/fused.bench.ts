/**
 * The fused trainer against PyTorch (Debian's python3-torch, one thread, the seed's loop:
 * bench/torch-train.py), per epoch, in one interleaved run: each round times PyTorch, then
 * rxlab with one thread, then rxlab with a thread per core; the table gives the medians
 * of the rounds and the ratios of the medians. rxlab's epoch is the `train` Observable's,
 * live state event included (measured from the states' elapsedMs after a warm-up that
 * also lets V8 tier the WebAssembly up); PyTorch's is forward, loss, zero_grad, backward,
 * step and loss.item() per batch.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { lastValueFrom, toArray } from 'rxjs';
import type { Dataset, ModelSpec } from '../src/data.ts';
import { adamSpec, sgdSpec, train } from '../src/ml/fused/index.ts';
import type { OptimizerSpec } from '../src/ml/optimizers.ts';
import { linearStackInit } from '../src/numerics/linear-init.ts';
import { median } from './stats.ts';

const PYTHON = '/usr/bin/python3';
const cores = availableParallelism();

interface Case {
  label: string;
  kind: 'perceptron' | 'mlp';
  n: number;
  batch?: number;
  /** The target ratio rxlab / PyTorch. */
  target: number;
  /** Timed epochs (after as many again / 5 warm-up ones) for PyTorch and for rxlab. */
  torchEpochs: number;
  rxlabEpochs: number;
  rounds: number;
}

const cases: Case[] = [
  { label: 'perceptron 2→1, SGD, 100 points', kind: 'perceptron', n: 100, target: 0.05, torchEpochs: 2000, rxlabEpochs: 50_000, rounds: 5 },
  { label: 'perceptron 2→1, SGD, 100,000 points', kind: 'perceptron', n: 100_000, target: 0.75, torchEpochs: 100, rxlabEpochs: 300, rounds: 5 },
  { label: 'perceptron 2→1, SGD, 1,000,000 points', kind: 'perceptron', n: 1_000_000, target: 0.75, torchEpochs: 10, rxlabEpochs: 30, rounds: 5 },
  { label: 'MLP 2→64→64→1 ReLU, Adam, 10,000 points, full batch', kind: 'mlp', n: 10_000, target: 1, torchEpochs: 20, rxlabEpochs: 40, rounds: 5 },
  { label: 'MLP 2→64→64→1 ReLU, Adam, 10,000 points, batch 256', kind: 'mlp', n: 10_000, batch: 256, target: 1, torchEpochs: 6, rxlabEpochs: 20, rounds: 5 },
  { label: 'MLP 2→64→64→1 ReLU, Adam, 100,000 points, full batch', kind: 'mlp', n: 100_000, target: 1, torchEpochs: 3, rxlabEpochs: 6, rounds: 3 },
  { label: 'MLP 2→64→64→1 ReLU, Adam, 100,000 points, batch 256', kind: 'mlp', n: 100_000, batch: 256, target: 1, torchEpochs: 2, rxlabEpochs: 4, rounds: 3 },
];

/** The PyTorch version and BLAS, or undefined when PyTorch is not installed. */
function torchInfo(): string | undefined {
  try {
    return execFileSync(PYTHON, ['bench/torch-train.py', 'info'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** PyTorch's seconds per epoch for `c`, from a fresh process. */
function torchEpoch(c: Case): number {
  const warmup = Math.max(1, Math.round(c.torchEpochs / 5));
  const args = ['bench/torch-train.py', c.kind, String(c.n), String(c.torchEpochs), String(warmup), ...(c.batch ? [String(c.batch)] : [])];
  // OpenBLAS keeps a thread pool of its own: one thread, like torch.set_num_threads(1).
  const out = execFileSync(PYTHON, args, { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  return Number(out.trim()) * 1000;
}

/** n points in [-1, 1)², labelled by the sign of x0·x1, as bench/torch-train.py draws its own. */
function quadrants(n: number): Dataset {
  let s = 1;
  const r = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const X = Array.from({ length: n }, () => [r() * 2 - 1, r() * 2 - 1]);
  return { X, y: X.map(([a, b]) => (a * b > 0 ? 1 : 0)) };
}

const datasets = new Map<number, Dataset>();
const model = (kind: Case['kind']): { spec: ModelSpec; optimizer: OptimizerSpec } =>
  kind === 'perceptron'
    ? { spec: { layers: [2, 1], activation: 'sigmoid', params: linearStackInit(2, [2, 1]) }, optimizer: sgdSpec(0.01) }
    : { spec: { layers: [2, 64, 64, 1], activation: 'relu', params: linearStackInit(2, [2, 64, 64, 1]) }, optimizer: adamSpec(1e-3) };

/** rxlab's milliseconds per epoch for `c` on `threads` threads. */
async function rxlabEpoch(c: Case, threads: number): Promise<number> {
  if (!datasets.has(c.n)) datasets.set(c.n, quadrants(c.n));
  const data = datasets.get(c.n)!;
  const warmup = Math.max(1, Math.round(c.rxlabEpochs / 5));
  const { spec, optimizer } = model(c.kind);
  const states = await lastValueFrom(
    train(spec, data, { loss: 'bce', optimizer, epochs: warmup + c.rxlabEpochs, batchSize: c.batch, threads }).pipe(toArray()),
  );
  return (states[states.length - 1].elapsedMs - states[warmup - 1].elapsedMs) / c.rxlabEpochs;
}

const time = (ms: number): string => (ms >= 1 ? `${ms.toFixed(ms >= 100 ? 0 : ms >= 10 ? 1 : 2)} ms` : `${(ms * 1000).toFixed(ms >= 0.01 ? 1 : 2)} µs`);
const ratio = (a: number, b: number | undefined): string => (b === undefined ? '–' : `${(a / b).toFixed(3)}×`);

const info = torchInfo();
const rows: string[] = [];
for (const c of cases) {
  const torch: number[] = [];
  const one: number[] = [];
  const many: number[] = [];
  for (let round = 0; round < c.rounds; round++) {
    if (info) torch.push(torchEpoch(c));
    one.push(await rxlabEpoch(c, 1));
    if (cores > 1) many.push(await rxlabEpoch(c, cores));
  }
  const t = info ? median(torch) : undefined;
  const [m1, mN] = [median(one), cores > 1 ? median(many) : median(one)];
  const best = Math.min(m1, mN);
  const verdict = t === undefined ? '' : best / t <= c.target ? 'met' : 'not met';
  rows.push(
    `| ${c.label} | ${t === undefined ? 'PyTorch not installed' : time(t)} | ${time(m1)} | ${ratio(m1, t)} | ${time(mN)} | ${ratio(mN, t)} | ≤ ${c.target}× ${verdict} |`,
  );
  process.stderr.write(`${rows[rows.length - 1]}\n`);
}

console.log(
  [
    '## The fused trainer against PyTorch (`bench/fused.bench.ts`)',
    '',
    `Per epoch, medians of interleaved rounds (PyTorch, rxlab on 1 thread, rxlab on ${cores} threads). PyTorch: ${
      info ?? 'not installed (apt-get install python3-torch), so no ratios'
    }, one thread (torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1), the seed's loop. rxlab: \`train\` from \`src/ml/fused\`, the live state event included. Ratios are rxlab / PyTorch; the target is met when the better of the two rxlab figures reaches it.`,
    '',
    `| case | PyTorch | rxlab, 1 thread | ratio | rxlab, ${cores} threads | ratio | target |`,
    '|---|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n'),
);
