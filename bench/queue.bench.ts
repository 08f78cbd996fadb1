/**
 * A sweep through the queue (a redis-server of its own on a free loopback port, worker
 * processes running test/queue/worker-process.ts, the coordinator in this process):
 *
 * 1. Its overhead per trial against a local sweep (TrialPool) of the same trials, each
 *    with one worker process: trivial trials (the swept stage is `evaluate`, everything
 *    upstream is shared and cached), so the difference is the queue's own cost: sending
 *    the trial's folder, taking the job, laying the folder out, sending the changed
 *    files back and writing them. Target ≤ 20 ms per trial.
 * 2. 12 perceptron trials with 1 worker process against 2.
 *
 * Rounds alternate the two sides; figures are medians. Workers are started (and have
 * run one trial) before the clock starts: their start is not the queue's cost. Both
 * sides' workers run bundled code, as the CLI does (a local sweep's workers run
 * dist/rxlab.mjs; the queue's worker is test/queue/worker-process.ts bundled here alike).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { QueueLauncher } from '../src/queue/launcher.ts';
import type { Grid, Trial } from '../src/sweep/grid.ts';
import { TrialPool, type TrialOutcome } from '../src/sweep/trials.ts';
import { hashCode, codeFolder } from '../src/code-identity.ts';
import { tempDir } from '../test/helpers/engine.ts';
import { prepareSweep, ROOT, sleep, spawnWorker, type WorkerProcess } from '../test/queue/harness.ts';
import { redisMissing, startRedis } from '../test/queue/redis.ts';
import { median } from './stats.ts';

const GRID_FILE = 'test/fixtures/queue/grid.yaml';
const PERCEPTRON = 'pipelines/perceptron.yaml';
const TRIVIAL_TRIALS = 24;
const OVERHEAD_ROUNDS = 7;
const SCALE_ROUNDS = 5;

if (redisMissing) {
  console.log(`## Queue\n\nNot measured: ${redisMissing}.`);
  process.exit(0);
}

const quiet = { failFast: false, signal: new AbortController().signal, report: () => undefined };
const check = (outcomes: TrialOutcome[], what: string): void => {
  const bad = outcomes.find((o) => o.status !== 'completed');
  if (bad) throw new Error(`${what}: ${bad.trial.id} ${bad.status}: ${bad.error}`);
};

/** `evaluate` at another point per trial: nothing else of the pipeline runs in a trial. */
const trivialGrid: Grid = { 'evaluate.points': Array.from({ length: TRIVIAL_TRIALS }, (_, i) => [[i / 10, -1]]) };
const perceptronGrid: Grid = { 'train.optimizer.lr': [0.01, 0.05, 0.1], 'model.init.seed': [1, 2, 3, 4] };

/** CPU milliseconds a process has used (Linux's /proc), or NaN elsewhere. */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const ownCpu = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Wall time and CPU time (this process, the worker processes and Redis, together) of a run, in ms. */
interface Cost {
  wall: number;
  cpu: number;
}

async function queued(url: string, file: string, grid: Grid, pids: number[] = []): Promise<Cost> {
  const { trials, dirOf } = await prepareSweep(grid, tempDir(), join(ROOT, file));
  const launcher = new QueueLauncher({ url, root: ROOT });
  try {
    const cpu = (): number => ownCpu() + [...pids, redisPid].reduce((sum, pid) => sum + cpuOf(pid), 0);
    const [start, cpuStart] = [performance.now(), cpu()];
    check(await launcher.run(trials, { ...quiet, file, dirOf }), 'queued');
    return { wall: performance.now() - start, cpu: cpu() - cpuStart };
  } finally {
    await launcher.close();
  }
}

/** A local sweep with one worker process, started (and warmed up on one trial) before the clock starts. */
async function local(file: string, grid: Grid): Promise<Cost> {
  const { trials, dirOf } = await prepareSweep(grid, tempDir(), join(ROOT, file));
  const warmUp: Trial = { ...trials[0], id: 'warm-up' };
  const pool = new TrialPool(1);
  try {
    // A pool runs one list: the warm-up goes first in the same list, and the clock starts when it completes.
    let worker = 0;
    const cpu = (): number => ownCpu() + cpuOf(worker);
    let start = 0;
    let cpuStart = 0;
    let cpuEnd = 0;
    const last = trials.at(-1)!.id;
    const outcomes = await pool.run([warmUp, ...trials], {
      ...quiet,
      file: join(ROOT, file),
      dirOf: (t) => (t === warmUp ? join(dirOf(trials[0]), '..', 'warm-up') : dirOf(t)),
      report: (line) => {
        worker ||= Number(spawnSync('pgrep', ['-P', String(process.pid), '-f', '__trial-worker'], { encoding: 'utf8' }).stdout.split('\n')[0]);
        if (line.startsWith('warm-up') && line.includes('completed')) [start, cpuStart] = [performance.now(), cpu()];
        // Read before the pool retires its worker.
        if (line.startsWith(last) && line.includes('completed')) cpuEnd = cpu();
      },
    });
    check(outcomes, 'local');
    return { wall: performance.now() - start, cpu: cpuEnd - cpuStart };
  } finally {
    await pool.close();
  }
}

/** test/queue/worker-process.ts as one ES module, built as scripts/build.mjs builds the CLI (under the checkout, where rxlab finds its package.json). */
async function bundleWorker(): Promise<string> {
  const outfile = join(ROOT, 'node_modules', '.cache', 'rxlab-bench', 'queue-worker.mjs');
  const rxjs = dirname(createRequire(import.meta.url).resolve('rxjs/package.json'));
  await build({
    entryPoints: [join(ROOT, 'test', 'queue', 'worker-process.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm', 'tsx', 'tsx/*'],
    banner: { js: "import { createRequire as __rxlabRequire } from 'node:module'; const require = __rxlabRequire(import.meta.url);" },
    alias: { rxjs: join(rxjs, 'dist/esm/index.js'), 'rxjs/operators': join(rxjs, 'dist/esm/operators/index.js') },
    logLevel: 'warning',
  });
  return outfile;
}

execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const script = await bundleWorker();
const redis = await startRedis();
const redisPid = Number(spawnSync('pgrep', ['-f', `redis-server 127.0.0.1:${redis.port}`], { encoding: 'utf8' }).stdout.split('\n')[0]);
const started: WorkerProcess[] = [];
const workers = async (n: number): Promise<WorkerProcess[]> => {
  const options = { lockDuration: 30_000, stalledInterval: 15_000, rxlabSources: join(ROOT, 'src') };
  const list = Array.from({ length: n }, () => spawnWorker(redis.url, options, { script }));
  started.push(...list);
  await Promise.all(list.map((w) => w.ready));
  return list;
};
const stop = async (list: WorkerProcess[]): Promise<void> => {
  for (const w of list) w.child.kill('SIGTERM');
  await Promise.all(list.map((w) => w.exited));
};

try {
  // 1. Overhead per trivial trial, one worker process each side.
  const one = await workers(1);
  await queued(redis.url, GRID_FILE, { 'evaluate.points': [[[9, 9]]] }); // warms the worker
  const localRuns: Cost[] = [];
  const queuedRuns: Cost[] = [];
  for (let round = 0; round < OVERHEAD_ROUNDS; round++) {
    localRuns.push(await local(GRID_FILE, trivialGrid));
    queuedRuns.push(await queued(redis.url, GRID_FILE, trivialGrid, one.map((w) => w.pid)));
  }
  const perTrial = (runs: Cost[], what: keyof Cost): number => median(runs.map((r) => r[what])) / TRIVIAL_TRIALS;
  const differences = (what: keyof Cost): number[] => queuedRuns.map((q, i) => (q[what] - localRuns[i][what]) / TRIVIAL_TRIALS);
  const overhead = (what: keyof Cost): number => median(differences(what));
  const range = (what: keyof Cost): string => `${Math.min(...differences(what)).toFixed(1)} to ${Math.max(...differences(what)).toFixed(1)} ms`;
  await stop(one);

  // 2. 12 perceptron trials, 1 worker process against 2 (workers warmed on one trial each).
  const walls: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const ratios: number[] = [];
  for (let round = 0; round < SCALE_ROUNDS; round++) {
    for (const n of [1, 2] as const) {
      const list = await workers(n);
      await queued(redis.url, PERCEPTRON, { 'train.optimizer.lr': [0.02, 0.03].slice(0, n), 'model.init.seed': [9] });
      walls[n].push((await queued(redis.url, PERCEPTRON, perceptronGrid)).wall);
      await stop(list);
      await sleep(200);
    }
    ratios.push(walls[2][round] / walls[1][round]);
  }

  // What rxlabCodeHash() costs, once per process (the file system's cache warm).
  const hashMs = (from: 'src' | 'dist'): number => {
    const dir = from === 'src' ? codeFolder(join(ROOT, 'src', 'code-identity.ts')).dir : join(ROOT, 'dist');
    const times: number[] = [];
    let files = 0;
    let bytes = 0;
    for (let i = 0; i < 9; i++) {
      const start = performance.now();
      ({ files, bytes } = hashCode({ dir, from }));
      times.push(performance.now() - start);
    }
    hashSizes[from] = `${files} files, ${(bytes / 2 ** 20).toFixed(1)} MiB`;
    return median(times);
  };
  const hashSizes: Record<string, string> = {};
  const srcHash = hashMs('src');
  const distHash = existsSync(join(ROOT, 'dist')) ? `${hashMs('dist').toFixed(1)} ms` : 'not measured';

  console.log(`## Queue: a sweep through BullMQ and Redis

Overhead per trial against a local sweep of the same ${TRIVIAL_TRIALS} trivial trials (the swept stage is \`evaluate\`; everything upstream is shared and reused from the cache), one worker process each, warm. CPU time is the coordinator's, the worker process's and (queued) Redis's together: unlike wall time, it does not grow when other work shares the machine.

| | local sweep (TrialPool) per trial | queued sweep per trial | queue's overhead per trial (median of paired rounds) |
|---|---:|---:|---:|
| wall | ${perTrial(localRuns, 'wall').toFixed(1)} ms | ${perTrial(queuedRuns, 'wall').toFixed(1)} ms | **${overhead('wall').toFixed(1)} ms** (rounds: ${range('wall')}) |
| CPU | ${perTrial(localRuns, 'cpu').toFixed(1)} ms | ${perTrial(queuedRuns, 'cpu').toFixed(1)} ms | ${overhead('cpu').toFixed(1)} ms (rounds: ${range('cpu')}) |

Target ≤ 20 ms (wall): ${overhead('wall') <= 20 ? 'met' : 'missed'}. ${OVERHEAD_ROUNDS} rounds alternating the two (the overhead is the median of each round's difference, so it need not be the difference of the columns' medians); a redis-server on the loopback; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores when the rounds ended.

12 perceptron trials (\`train.optimizer.lr\` × \`model.init.seed\`, 3 × 4) through the queue, 1 worker process against 2:

| 1 worker median wall | 2 workers median wall | ratio (median of paired rounds) |
|---:|---:|---:|
| ${(median(walls[1]) / 1000).toFixed(2)} s | ${(median(walls[2]) / 1000).toFixed(2)} s | **${median(ratios).toFixed(2)}×** |

Target ≤ 0.6× once the fused trainer lands; ${SCALE_ROUNDS} rounds, ${cpus().length} cores shared with the coordinator and Redis.

\`rxlabCodeHash()\` (computed once per process): ${srcHash.toFixed(1)} ms over the sources (${hashSizes.src}), ${distHash} over the bundle (${hashSizes.dist ?? 'no dist/: run npm run build'}); medians of 9, file system cache warm.`);
} finally {
  await stop(started.filter((w) => w.child.exitCode === null));
  await redis.stop();
}
