/**
 * Reproducibility as a user meets it, each command a new process on a copy of
 * pipelines/perceptron.yaml (so the committed lock is never touched): a cold run into an
 * empty folder, a cached re-run (target ≤ 0.5 s wall) and `check`. The cached re-run is
 * broken down into Node's start, the CLI's start, loading and planning the pipeline, and
 * what is left: verifying the cache and writing run.json and the lock.
 *
 * Commands run the bundle as bin/rxlab.js does after `npm install`, but directly: in a
 * checkout being edited, bin/rxlab.js falls back to the sources through tsx as soon as
 * any source is newer than the bundle, which would measure the edits, not rxlab.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { executeRun } from '../src/engine/run/execute.ts';
import { loadPipeline } from '../src/engine/load/load.ts';
import { readLock } from '../src/engine/record/lock.ts';
import { planPipeline } from '../src/engine/plan/plan.ts';
import { resolveStage } from '../src/stages/registry.ts';
import { fmt, median, timeRuns } from './stats.ts';

const RUNS = 5;
const BREAKDOWN_ROUNDS = 9;
const BUNDLE = pathToFileURL(resolve('dist/rxlab.mjs')).href;
/** bin/rxlab.js's bundle path, without its freshness check. */
const ENTRY = `const { main } = await import(${JSON.stringify(BUNDLE)}); process.exit(await main(process.argv.slice(1)));`;
const dir = mkdtempSync(join(tmpdir(), 'rxlab-bench-repro-'));
const pipeline = join(dir, 'perceptron.yaml');
copyFileSync('pipelines/perceptron.yaml', pipeline);
// Build first so the runs measure the bundle a fresh `npm install` leaves, not a stale one.
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });

function node(args: string[]): void {
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: dir });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
}
const rxlab = (...args: string[]): void => node(['--input-type=module', '-e', ENTRY, '--', ...args]);
const time = async (fn: () => void): Promise<number> => median(await timeRuns(RUNS, fn));

let fresh = 0;
const cold = await time(() => rxlab('run', 'perceptron.yaml', '--out', `cold-${fresh++}`));
rxlab('run', 'perceptron.yaml', '--out', 'cached');
const cached = await time(() => rxlab('run', 'perceptron.yaml', '--out', 'cached'));
const check = await time(() => rxlab('check', 'perceptron.yaml'));

// The breakdown alternates its four commands round by round and takes the median of each
// round's differences, so that load from other processes hits all of them alike.
const rounds: { node: number; cli: number; plan: number; cached: number }[] = [];
for (let i = 0; i < BREAKDOWN_ROUNDS; i++) {
  const [nodeMs] = await timeRuns(1, () => node(['-e', '0']));
  const [cliMs] = await timeRuns(1, () => rxlab('--version'));
  const [planMs] = await timeRuns(1, () => rxlab('plan', 'perceptron.yaml'));
  const [cachedMs] = await timeRuns(1, () => rxlab('run', 'perceptron.yaml', '--out', 'cached'));
  rounds.push({ node: nodeMs, cli: cliMs, plan: planMs, cached: cachedMs });
}
const part = (f: (r: (typeof rounds)[number]) => number): number => median(rounds.map(f));
// The engine alone, in this process: verifying every artifact and recorded output, and run.json.
const plan = planPipeline(await loadPipeline(pipeline, { resolve: resolveStage }));
const lock = await readLock(join(dir, 'perceptron.lock.json'));
const engine = await time(() => executeRun(plan, { outDir: join(dir, 'cached'), cache: { lock } }));

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
console.log(`## Reproducibility: cold run, cached re-run, check (perceptron pipeline)

| command (a new process each, running the bundle; median of ${RUNS}) | wall |
|---|---|
| \`rxlab run\` cold, into an empty folder (8 stages run) | ${s(cold)} |
| \`rxlab run\` again, every stage cached | ${s(cached)} (target ≤ 0.5 s: ${cached <= 500 ? 'met' : 'missed'}) |
| \`rxlab check\` (runs all 8 stages from scratch in a temp folder, compares 18 artifacts) | ${s(check)} |

Where the cached re-run's time goes (${BREAKDOWN_ROUNDS} rounds of the four commands, medians of each round's differences):

| part | time |
|---|---|
| Node start (\`node -e 0\`) | ${fmt(part((r) => r.node), 0)} |
| CLI start (\`rxlab --version\` − Node start) | ${fmt(part((r) => r.cli - r.node), 0)} |
| loading, validating and planning the pipeline (\`rxlab plan\` − \`rxlab --version\`) | ${fmt(part((r) => r.plan - r.cli), 0)} |
| the rest: cache verification (sha256 of every artifact and recorded output), run.json, the lock (cached run − \`rxlab plan\`) | ${fmt(part((r) => r.cached - r.plan), 0)} |
| of which the engine, in process (\`executeRun\` with the cache, all 8 stages cached) | ${fmt(engine, 0)} |

A cached run loads no TensorFlow.js or Vega: stage set-up runs only before a stage that actually runs.`);
