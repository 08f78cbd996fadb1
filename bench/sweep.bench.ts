/**
 * A sweep of 6 trials (perceptron, lr × seed) with `--jobs 2` against the same sweep with
 * `--jobs 1` (the trials one after another, in one worker), fresh folders each time,
 * interleaved. Both go through the same command: up to N long-lived worker processes,
 * each running trial after trial in process, so `--jobs 1` pays one worker's start and
 * warm-up and `--jobs 2` two, in parallel. Target: parallel ≤ 0.65 × sequential.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './stats.ts';

const ROUNDS = 5;
const dir = mkdtempSync(join(tmpdir(), 'rxlab-bench-sweep-'));
const pipeline = join(dir, 'perceptron.yaml');
copyFileSync('pipelines/perceptron.yaml', pipeline);
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });

const sweep = (jobs: number, out: string): number => {
  const start = performance.now();
  execFileSync(
    process.execPath,
    ['bin/rxlab.js', 'sweep', pipeline, '--grid', 'train.optimizer.lr=0.01,0.05,0.1', '--grid', 'model.init.seed=1,2', '--jobs', String(jobs), '--out', out],
    { stdio: 'ignore' },
  );
  return performance.now() - start;
};

const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
const ratios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const one = sweep(1, join(dir, `seq-${round}`));
  const two = sweep(2, join(dir, `par-${round}`));
  times[1].push(one);
  times[2].push(two);
  ratios.push(two / one);
}
const ratio = median(ratios);
console.log(`## Sweep: 6 trials, \`--jobs 2\` vs one after another

| | median wall (${ROUNDS} rounds) |
|---|---|
| \`rxlab sweep … --jobs 1\` | ${(median(times[1]) / 1000).toFixed(2)} s |
| \`rxlab sweep … --jobs 2\` | ${(median(times[2]) / 1000).toFixed(2)} s |
| ratio (median of paired rounds) | **${ratio.toFixed(2)}×** (target ≤ 0.65: ${ratio <= 0.65 ? 'met' : 'missed'}) |

The perceptron pipeline (1000 epochs) with \`--grid train.optimizer.lr=0.01,0.05,0.1 --grid model.init.seed=1,2\`, a new \`rxlab sweep\` process (the bundle) each time, into fresh output folders: the stages no swept param reaches (data, data-chart) run once in the sweep process and are shared; the trials run in up to \`--jobs\` long-lived worker processes, each running trial after trial in process (one Node start, module load and JIT warm-up per worker, not per trial), so \`--jobs 1\` is one worker running all 6 and \`--jobs 2\` two workers running 3 each. Rounds alternate the two, so load on this shared machine falls on both.`);
