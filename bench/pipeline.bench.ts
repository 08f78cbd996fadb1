/**
 * The seed experiment as a user runs it: `npm run pipeline pipelines/perceptron.yaml`,
 * cold (a new process each time), wall time and peak RSS. Targets: ≤ 1.5 s, ≤ 300 MB.
 * Peak RSS comes from GNU time (`/usr/bin/time`, Debian package `time`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './stats.ts';

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
let backend = '?';
for (let i = 0; i < RUNS; i++) {
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
const wall = median(walls) / 1000;
const peak = rss.length ? Math.max(...rss) : NaN;
console.log(`## Perceptron pipeline, cold: \`npm run pipeline pipelines/perceptron.yaml\`

| runs | median wall | min | max | peak RSS (max of runs) | backend |
|---|---|---|---|---|---|
| ${RUNS} | ${wall.toFixed(2)} s | ${(Math.min(...walls) / 1000).toFixed(2)} s | ${(Math.max(...walls) / 1000).toFixed(2)} s | ${hasTime ? `${peak.toFixed(0)} MB` : 'n/a (no /usr/bin/time)'} | ${backend} |

Targets: ≤ 1.5 s wall (${wall <= 1.5 ? 'met' : 'missed'}), ≤ 300 MB peak RSS (${peak <= 300 ? 'met' : hasTime ? 'missed' : 'not measured'}). Each run is a new process through npm (npm's own start-up included), writing to a fresh folder.`);
