/**
 * Reproducibility as a user meets it, each command a new process (`node bin/rxlab.js …`)
 * on a copy of pipelines/perceptron.yaml (so the committed lock is never touched): a cold
 * run into an empty folder, a cached re-run (target ≤ 0.5 s wall) and `check`. The cached
 * re-run is broken down into Node's start, the CLI's start, loading and planning the
 * pipeline, and what is left: verifying the cache and writing run.json and the lock.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { executeRun } from '../src/engine/execute.ts';
import { loadPipeline } from '../src/engine/load.ts';
import { readLock } from '../src/engine/lock.ts';
import { planPipeline } from '../src/engine/plan.ts';
import { fmt, median, timeRuns } from './stats.ts';

const RUNS = 5;
const BIN = resolve('bin/rxlab.js');
const dir = mkdtempSync(join(tmpdir(), 'rxlab-bench-repro-'));
const pipeline = join(dir, 'perceptron.yaml');
copyFileSync('pipelines/perceptron.yaml', pipeline);
// Build first so the runs measure the bundle a fresh `npm install` leaves, not a stale one.
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });

function node(args: string[]): void {
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: dir });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
}
const rxlab = (...args: string[]): void => node([BIN, ...args]);
const time = async (fn: () => void): Promise<number> => median(await timeRuns(RUNS, fn));

let fresh = 0;
const cold = await time(() => rxlab('run', 'perceptron.yaml', '--out', `cold-${fresh++}`));
rxlab('run', 'perceptron.yaml', '--out', 'cached');
const cached = await time(() => rxlab('run', 'perceptron.yaml', '--out', 'cached'));
const check = await time(() => rxlab('check', 'perceptron.yaml'));

const nodeStart = await time(() => node(['-e', '0']));
const cliStart = await time(() => rxlab('--version'));
const planned = await time(() => rxlab('plan', 'perceptron.yaml'));
// The engine alone, in this process: verifying every artifact and recorded output, and run.json.
const plan = planPipeline(await loadPipeline(pipeline));
const lock = await readLock(join(dir, 'perceptron.lock.json'));
const engine = await time(() => executeRun(plan, { outDir: join(dir, 'cached'), cache: { lock } }));

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
console.log(`## Reproducibility: cold run, cached re-run, check (perceptron pipeline)

| command (a new process each, median of ${RUNS}) | wall |
|---|---|
| \`rxlab run\` cold, into an empty folder (8 stages run) | ${s(cold)} |
| \`rxlab run\` again, every stage cached | ${s(cached)} (target ≤ 0.5 s: ${cached <= 500 ? 'met' : 'missed'}) |
| \`rxlab check\` (runs all 8 stages from scratch in a temp folder, compares 18 artifacts) | ${s(check)} |

Where the cached re-run's time goes:

| part | time |
|---|---|
| Node start (\`node -e 0\`) | ${fmt(nodeStart, 0)} |
| CLI start (\`rxlab --version\` − Node start) | ${fmt(cliStart - nodeStart, 0)} |
| loading, validating and planning the pipeline (\`rxlab plan\` − \`rxlab --version\`) | ${fmt(planned - cliStart, 0)} |
| the rest: cache verification (sha256 of every artifact and recorded output), run.json, the lock (cached run − \`rxlab plan\`) | ${fmt(cached - planned, 0)} |
| of which the engine, in process (\`executeRun\` with the cache, all 8 stages cached) | ${fmt(engine, 0)} |

A cached run loads no TensorFlow.js or Vega: stage set-up runs only before a stage that actually runs.`);
