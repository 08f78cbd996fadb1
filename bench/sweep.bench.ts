/**
 * A sweep of 6 trials (perceptron, lr × seed) with `--jobs 2` against the same sweep with
 * `--jobs 1` (the trials one after another, in one worker), fresh folders each time,
 * interleaved. Both go through the same command: up to N long-lived worker processes,
 * each running trial after trial in process, so `--jobs 1` pays one worker's start and
 * warm-up and `--jobs 2` two, in parallel. Target: parallel ≤ 0.6 × sequential for trials
 * of 5000 epochs.
 *
 * Run for the seed's 1000 epochs and for 5000, and with CPU time (GNU time, when
 * installed): how many cores a sweep keeps busy says how much a second job can add.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './stats.ts';

const ROUNDS = 3;
const EPOCHS = [1000, 5000];
const dir = mkdtempSync(join(tmpdir(), 'rxlab-bench-sweep-'));
const hasTime = existsSync('/usr/bin/time');
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });

/** Wall and CPU seconds (user + system, all threads and child processes) of one sweep. */
function sweep(pipeline: string, jobs: number, out: string): { wall: number; cpu: number } {
  const args = ['bin/rxlab.js', 'sweep', pipeline, '--grid', 'train.optimizer.lr=0.01,0.05,0.1', '--grid', 'model.init.seed=1,2', '--jobs', String(jobs), '--out', out];
  const start = performance.now();
  const run = hasTime
    ? spawnSync('/usr/bin/time', ['-f', 'cpu=%U+%S', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`sweep failed:\n${run.stdout}\n${run.stderr}`);
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(run.stderr);
  return { wall, cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN };
}

/** The same 6 trials as separate `rxlab run --set …` commands, one after another: a sweep without `rxlab sweep`. */
function separateRuns(pipeline: string, out: string): number {
  const start = performance.now();
  for (const lr of ['0.01', '0.05', '0.1']) {
    for (const seed of ['1', '2']) {
      const args = ['bin/rxlab.js', 'run', pipeline, '--set', `train.optimizer.lr=${lr}`, '--set', `model.init.seed=${seed}`, '--out', join(out, `${lr}-${seed}`)];
      execFileSync(process.execPath, args, { stdio: 'ignore' });
    }
  }
  return (performance.now() - start) / 1000;
}

const rows: string[] = [];
const separateRows: string[] = [];
const ratioOf = new Map<number, number>();
for (const epochs of EPOCHS) {
  const pipeline = join(dir, `perceptron-${epochs}.yaml`);
  writeFileSync(pipeline, readFileSync('pipelines/perceptron.yaml', 'utf8').replace('epochs: 1000', `epochs: ${epochs}`));
  const runs: Record<1 | 2, { wall: number; cpu: number }[]> = { 1: [], 2: [] };
  const ratios: number[] = [];
  const separate: number[] = [];
  const separateRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const one = sweep(pipeline, 1, join(dir, `${epochs}-seq-${round}`));
    const two = sweep(pipeline, 2, join(dir, `${epochs}-par-${round}`));
    separate.push(separateRuns(pipeline, join(dir, `${epochs}-runs-${round}`)));
    runs[1].push(one);
    runs[2].push(two);
    ratios.push(two.wall / one.wall);
    separateRatios.push(two.wall / separate[round]);
  }
  separateRows.push(`| ${epochs} | ${median(separate).toFixed(2)} s | ${median(runs[2].map((r) => r.wall)).toFixed(2)} s | ${median(separateRatios).toFixed(2)}× |`);
  const ratio = median(ratios);
  ratioOf.set(epochs, ratio);
  const wall = (jobs: 1 | 2) => median(runs[jobs].map((r) => r.wall));
  const cores = (jobs: 1 | 2) => (hasTime ? `${median(runs[jobs].map((r) => r.cpu / r.wall)).toFixed(2)}` : 'n/a');
  rows.push(`| ${epochs} | ${wall(1).toFixed(2)} s | ${wall(2).toFixed(2)} s | **${ratio.toFixed(2)}×** | ${cores(1)} | ${cores(2)} |`);
}

// The same sweep over trials with work in them (bench/mlp.yaml).
const MLP = readFileSync(join(import.meta.dirname, 'mlp.yaml'), 'utf8');
const mlpFile = join(dir, 'mlp.yaml');
writeFileSync(mlpFile, MLP);
const mlp: Record<1 | 2, number[]> = { 1: [], 2: [] };
const mlpRatios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const one = sweep(mlpFile, 1, join(dir, `mlp-seq-${round}`)).wall;
  const two = sweep(mlpFile, 2, join(dir, `mlp-par-${round}`)).wall;
  mlp[1].push(one);
  mlp[2].push(two);
  mlpRatios.push(two / one);
}

console.log(`## Sweep: 6 trials, \`--jobs 2\` vs one after another

| epochs per trial | \`--jobs 1\` median wall | \`--jobs 2\` median wall | ratio (median of paired rounds) | cores busy, jobs 1 (CPU time / wall) | cores busy, jobs 2 |
|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

The same 6 trials (lr × seed) over an MLP 2→64→64→1 ReLU, Adam, 100 epochs on 10,000 moons points, where each trial has work in it:

| \`--jobs 1\` median wall | \`--jobs 2\` median wall | ratio (median of paired rounds) |
|---:|---:|---:|
| ${median(mlp[1]).toFixed(2)} s | ${median(mlp[2]).toFixed(2)} s | **${median(mlpRatios).toFixed(2)}×** |

Target ≤ 0.6× for trials of 5000 epochs, against \`--jobs 1\`: ${ratioOf.get(5000)! <= 0.6 ? 'met' : 'missed'} (${ratioOf.get(5000)!.toFixed(2)}×; the seed's 1000 epochs: ${ratioOf.get(1000)!.toFixed(2)}×). ${ROUNDS} rounds alternating the two.

For comparison, the same 6 trials as 6 separate \`rxlab run --set … --out …\` commands one after another (a new process each, each running its own data stage), in the same rounds:

| epochs per trial | 6 × \`rxlab run\` | \`rxlab sweep … --jobs 2\` | ratio |
|---:|---:|---:|---:|
${separateRows.join('\n')}

The perceptron pipeline with \`--grid train.optimizer.lr=0.01,0.05,0.1 --grid model.init.seed=1,2\`, a new \`rxlab sweep\` process (the bundle) each time, into fresh output folders: the stages no swept param reaches (data, data-chart) run once in the sweep process and are shared; the trials run in up to \`--jobs\` long-lived worker processes, each running trial after trial in process (one Node start, module load and JIT warm-up per worker, not per trial), so \`--jobs 1\` is one worker running all 6 and \`--jobs 2\` two workers running 3 each.`);
