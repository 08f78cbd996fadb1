/**
 * make_blobs at scale: 1,000,000 points (2 features, 2 centres) from makeBlobs (rows, as
 * stages get them) and makeBlobsFlat (typed arrays), against NumPy drawing the same
 * 2,000,000 normals with the legacy generator (`RandomState(0).normal(size=2_000_000)`,
 * the bulk of sklearn's work) in a python3 process kept alive beside us. Runs alternate
 * (ours, then NumPy's) and the ratio is the median of the paired ratios, so load that
 * drifts during the benchmark hits both sides alike. Target: within 2x of NumPy's time.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { makeBlobs, makeBlobsFlat, type MakeBlobsOptions } from '../src/numerics/make-blobs.ts';
import { fmt, median, timeRuns } from './stats.ts';

const POINTS = 1_000_000;
const RUNS = 7;

/** Reads "run" lines and answers each with the ms one fresh RandomState(0).normal(size=2N) took. */
const PYTHON = `
import sys, time, numpy as np
print("ready", flush=True)
for _ in sys.stdin:
    rs = np.random.RandomState(0)
    t = time.perf_counter(); rs.normal(size=2 * ${POINTS}); ms = (time.perf_counter() - t) * 1000
    print(ms, flush=True)
`;

/** A python3 + NumPy process timing one normal() per call, or why there is none. */
async function startNumpy(): Promise<{ time: () => Promise<number>; stop: () => void } | string> {
  const child = spawn('python3', ['-c', PYTHON], { stdio: ['pipe', 'pipe', 'ignore'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const failed = new Promise<string>((resolve) => {
    child.on('error', () => resolve('python3 not found'));
    child.on('exit', () => resolve('python3 could not import NumPy'));
  });
  const first = await Promise.race([lines.next().then((l) => (l.value === 'ready' ? null : 'python3 could not import NumPy')), failed]);
  if (first !== null) return `NumPy comparison skipped: ${first}.`;
  return {
    time: async () => {
      child.stdin.write('run\n');
      return Number((await lines.next()).value);
    },
    stop: () => child.stdin.end(),
  };
}

const options: MakeBlobsOptions = { n_samples: POINTS, n_features: 2, centers: 2, random_state: 0 };
makeBlobs({ ...options, n_samples: 10_000 }); // warm-up: compile the hot paths
const numpy = await startNumpy();
const rows: number[] = [];
const flat: number[] = [];
const theirs: number[] = [];
for (let run = 0; run < RUNS; run++) {
  rows.push(...(await timeRuns(1, () => makeBlobs(options))));
  flat.push(...(await timeRuns(1, () => makeBlobsFlat(options))));
  if (typeof numpy !== 'string') theirs.push(await numpy.time());
}
if (typeof numpy !== 'string') numpy.stop();

const paired = (ours: number[]): number => median(ours.map((ms, i) => ms / theirs[i]));
const ratio = (ours: number[]): string => (theirs.length ? `${paired(ours).toFixed(2)}x` : '–');
const table = [
  `| rxlab makeBlobs: rows (number[][]), shuffled | ${fmt(median(rows))} | ${ratio(rows)} |`,
  `| rxlab makeBlobsFlat: Float64Array + Int32Array, shuffled | ${fmt(median(flat))} | ${ratio(flat)} |`,
];
if (theirs.length) table.push(`| NumPy RandomState(0).normal(size=${(2 * POINTS).toLocaleString('en')}) | ${fmt(median(theirs))} | 1x |`);
const verdict =
  typeof numpy === 'string'
    ? numpy
    : `Target ≤ 2x NumPy: ${paired(rows) <= 2 ? 'met' : 'missed'} by makeBlobs, ${paired(flat) <= 2 ? 'met' : 'missed'} by makeBlobsFlat.`;

console.log(`## make_blobs: ${POINTS.toLocaleString('en')} points

| what | median of ${RUNS} runs | vs NumPy (median of paired ratios) |
|---|---|---|
${table.join('\n')}

${verdict} Both draw the centres, the same 2,000,000 legacy normals (polar method, glibc's log ported bit for bit) and the shuffle as sklearn does; makeBlobs also allocates the million row arrays the stages consume, which is mostly garbage-collector work.`);
