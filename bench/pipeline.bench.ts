/**
 * The seed experiment as a user runs it: `npm run pipeline pipelines/perceptron.yaml`,
 * cold (a new process each time), wall time and peak RSS. Targets: ≤ 1.5 s, ≤ 300 MB, and
 * ≤ 0.25× the wall time of the seed's own PyTorch script (bench/seed-script.py, run with
 * Debian's python3-torch, python3-sklearn and python3-matplotlib, interleaved with the runs).
 * Peak RSS comes from GNU time (`/usr/bin/time`, Debian package `time`).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { median } from './stats.ts';

const PYTHON = '/usr/bin/python3';
/** Why the seed's script cannot run here, or undefined when it can. */
function seedScriptMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, sklearn, matplotlib'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} not found`;
  return probe.status === 0 ? undefined : 'PyTorch, scikit-learn or matplotlib not installed (apt-get install python3-torch python3-sklearn python3-matplotlib)';
}

const RUNS = 5;
const out = mkdtempSync(join(tmpdir(), 'rxlab-bench-pipeline-'));
// A copy of the pipeline, so the runs write their lock beside it, not over the committed one.
const pipeline = join(out, 'perceptron.yaml');
copyFileSync('pipelines/perceptron.yaml', pipeline);
const hasTime = existsSync('/usr/bin/time');
// Build first so the runs measure the bundle a fresh `npm install` leaves, not a stale one.
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });

const walls: number[] = [];
const rss: number[] = [];
// The same run without npm in front (`node bin/rxlab.js run …`), interleaved: what npm's own start-up adds.
const direct: number[] = [];
const seedMissing = seedScriptMissing();
const seed: number[] = [];
let backend = '?';
for (let i = 0; i < RUNS; i++) {
  if (!seedMissing) {
    const start = performance.now();
    execFileSync(PYTHON, ['bench/seed-script.py', join(out, `seed-${i}`)], { stdio: 'ignore' });
    seed.push(performance.now() - start);
  }
  const started = performance.now();
  execFileSync(process.execPath, ['bin/rxlab.js', 'run', pipeline, '--out', join(out, `direct-${i}`)], { stdio: 'ignore' });
  direct.push(performance.now() - started);
  const command = ['npm', 'run', '--silent', 'pipeline', '--', pipeline, '--out', join(out, String(i))];
  const start = performance.now();
  const run = hasTime
    ? spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', ...command], { encoding: 'utf8' })
    : spawnSync(command[0], command.slice(1), { encoding: 'utf8' });
  walls.push(performance.now() - start);
  if (run.status !== 0) throw new Error(`run ${i} failed:\n${run.stdout}\n${run.stderr}`);
  backend = /backend (\w+)/.exec(run.stdout)?.[1] ?? backend;
  const kb = /maxrss=(\d+)/.exec(run.stderr)?.[1];
  if (kb) rss.push(Number(kb) / 1024);
}
// One more run with --json: when each phase ends, from the moment the process was spawned
// (each event stamped as its line arrives).
const spawned = performance.now();
const child = spawn(process.execPath, ['bin/rxlab.js', 'run', pipeline, '--out', join(out, 'timeline'), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
const events: { type: string; stage?: string; at: number }[] = [];
for await (const line of createInterface({ input: child.stdout })) {
  if (line) events.push({ ...(JSON.parse(line) as { type: string; stage?: string }), at: performance.now() - spawned });
}
await new Promise((resolve) => child.on('close', resolve));
const exited = performance.now() - spawned;
const starts = new Map(events.filter((e) => e.type === 'stage-started').map((e) => [e.stage!, e.at]));
const ends = new Map(events.filter((e) => e.type === 'result').map((e) => [e.stage!, e.at]));
const phases: [string, number][] = [
  ['first stage starts (Node, the CLI, loading and checking the pipeline)', Math.min(...starts.values())],
  ['training starts (data and model made)', starts.get('train')!],
  ['training ends (1000 epochs, model saved)', ends.get('train')!],
  ['last stage ends (evaluation, the last two charts)', Math.max(...ends.values())],
  ['process exits (run.json, lock)', exited],
];

/** Median of the per-round ratios a[i] / b[i], two decimals. */
function ratio(a: number[], b: number[]): string {
  return median(a.map((x, i) => x / b[i])).toFixed(2);
}

const wall = median(walls) / 1000;
const peak = rss.length ? Math.max(...rss) : NaN;
console.log(`## Perceptron pipeline, cold: \`npm run pipeline pipelines/perceptron.yaml\`

| runs | median wall | min | max | peak RSS (max of runs) | backend |
|---|---|---|---|---|---|
| ${RUNS} | ${wall.toFixed(2)} s | ${(Math.min(...walls) / 1000).toFixed(2)} s | ${(Math.max(...walls) / 1000).toFixed(2)} s | ${hasTime ? `${peak.toFixed(0)} MB` : 'n/a (no /usr/bin/time)'} | ${backend} |

Targets: ≤ 1.5 s wall (${wall <= 1.5 ? 'met' : 'missed'}), ≤ 300 MB peak RSS (${peak <= 300 ? 'met' : hasTime ? 'missed' : 'not measured'}). Each run is a new process through npm (npm's own start-up included), writing to a fresh folder.
${
  seedMissing
    ? `The seed's PyTorch script: not run (${seedMissing}).`
    : `The seed's PyTorch script (\`bench/seed-script.py\`: make_blobs, 1000 epochs printing each loss, its three figures saved as SVG), interleaved with these runs: median ${(median(seed) / 1000).toFixed(2)} s; rxlab through npm takes **${ratio(walls, seed)}×** its time, without npm ${ratio(direct, seed)}× (median of paired ratios; target ≤ 0.25×: ${Number(ratio(walls, seed)) <= 0.25 ? 'met' : 'missed'}).`
}
The same runs without npm (\`node bin/rxlab.js run\`, interleaved): median ${(median(direct) / 1000).toFixed(2)} s, so npm adds about ${((median(walls) - median(direct)) / 1000).toFixed(2)} s.

Where the time goes, in one more run without npm (\`--json\` event times). Everything runs on one thread except chart rendering, which has a worker thread of its own: the data chart and the initial line are drawn while training runs.

| ms from spawn | until |
|---:|---|
${phases.map(([what, ms]) => `| ${Math.round(ms)} | ${what} |`).join('\n')}`);
