/**
 * make_blobs at scale: 1,000,000 points (2 features, 2 centres) from makeBlobs (rows, as
 * stages get them) and makeBlobsFlat (typed arrays), against NumPy drawing the same
 * 2,000,000 normals with the legacy generator (`RandomState(0).normal(size=2_000_000)`,
 * the bulk of sklearn's work) in python3. Target: within 2x of NumPy's time.
 */
import { execFileSync } from 'node:child_process';
import { makeBlobs, makeBlobsFlat, type MakeBlobsOptions } from '../src/numerics/make-blobs.ts';
import { fmt, median, timeRuns } from './stats.ts';

const POINTS = 1_000_000;
const RUNS = 7;

const PYTHON = `
import sys, time, numpy as np
runs = int(sys.argv[1]); times = []
for _ in range(runs):
    rs = np.random.RandomState(0)
    t = time.perf_counter(); rs.normal(size=2 * ${POINTS}); times.append((time.perf_counter() - t) * 1000)
print(" ".join(map(str, times)))
`;

/** NumPy's run times in ms, or why there are none. */
function numpyTimes(): number[] | string {
  try {
    const out = execFileSync('python3', ['-c', PYTHON, String(RUNS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.trim().split(/\s+/).map(Number);
  } catch (err) {
    const why = (err as { code?: string }).code === 'ENOENT' ? 'python3 not found' : 'python3 could not import NumPy';
    return `NumPy comparison skipped: ${why}.`;
  }
}

const options: MakeBlobsOptions = { n_samples: POINTS, n_features: 2, centers: 2, random_state: 0 };
makeBlobs({ ...options, n_samples: 10_000 }); // warm-up: compile the hot paths
const rows = median(await timeRuns(RUNS, () => makeBlobs(options)));
const flat = median(await timeRuns(RUNS, () => makeBlobsFlat(options)));
const numpy = numpyTimes();

const theirs = typeof numpy === 'string' ? undefined : median(numpy);
const ratio = (ms: number): string => (theirs === undefined ? '–' : `${(ms / theirs).toFixed(2)}x`);
const table = [
  `| rxlab makeBlobs: rows (number[][]), shuffled | ${fmt(rows)} | ${ratio(rows)} |`,
  `| rxlab makeBlobsFlat: Float64Array + Int32Array, shuffled | ${fmt(flat)} | ${ratio(flat)} |`,
];
if (theirs !== undefined) table.push(`| NumPy RandomState(0).normal(size=${(2 * POINTS).toLocaleString('en')}) | ${fmt(theirs)} | 1x |`);
const verdict =
  theirs === undefined
    ? (numpy as string)
    : `Target ≤ 2x NumPy: ${rows / theirs <= 2 ? 'met' : 'missed'} by makeBlobs, ${flat / theirs <= 2 ? 'met' : 'missed'} by makeBlobsFlat.`;

console.log(`## make_blobs: ${POINTS.toLocaleString('en')} points

| what | median of ${RUNS} runs | vs NumPy |
|---|---|---|
${table.join('\n')}

${verdict} Both draw the centres, the same 2,000,000 legacy normals (polar method, glibc's log ported bit for bit) and the shuffle as sklearn does; makeBlobs also allocates the million row arrays the stages consume, which is mostly garbage-collector work.`);
