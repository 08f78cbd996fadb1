/**
 * make_blobs at scale: 1,000,000 points (2 features, 2 centres) from makeBlobs, against
 * NumPy drawing the same 2,000,000 normals with the legacy generator
 * (`RandomState(0).normal(size=2_000_000)`, the bulk of sklearn's work) in python3.
 * Target: within 2x of NumPy's time.
 */
import { execFileSync } from 'node:child_process';
import { makeBlobs } from '../src/numerics/make-blobs.ts';
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

makeBlobs({ n_samples: 10_000, centers: 2, random_state: 1 }); // warm-up: compile the hot paths
const ours = median(await timeRuns(RUNS, () => makeBlobs({ n_samples: POINTS, n_features: 2, centers: 2, random_state: 0 })));
const numpy = numpyTimes();

const rows = [`| rxlab makeBlobs (${POINTS.toLocaleString('en')} points, shuffled) | ${fmt(ours)} |`];
let verdict: string;
if (typeof numpy === 'string') {
  verdict = numpy;
} else {
  const theirs = median(numpy);
  rows.push(`| NumPy RandomState(0).normal(size=${(2 * POINTS).toLocaleString('en')}) | ${fmt(theirs)} |`);
  const ratio = ours / theirs;
  verdict = `Ratio: ${ratio.toFixed(2)}x NumPy's time (target ≤ 2x: ${ratio <= 2 ? 'met' : 'missed'}).`;
}

console.log(`## make_blobs: ${POINTS.toLocaleString('en')} points

| what | median of ${RUNS} runs |
|---|---|
${rows.join('\n')}

${verdict} makeBlobs draws the centres, the same 2,000,000 legacy normals (polar method with glibc's log ported bit for bit), shuffles the points as sklearn does, and returns them as rows.`);
