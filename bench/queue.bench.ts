/**
 * A sweep through the queue (a redis-server of its own on a free loopback port, `rxlab
 * worker` processes started from bin/rxlab.js as a user starts them, the coordinator in
 * this process):
 *
 * 1. Its overhead per trial against a local sweep (TrialPool) of the same trials, each
 *    with one worker process: trivial trials (the swept stage is `evaluate`, everything
 *    upstream is shared and cached), so the difference is the queue's own cost: sending
 *    the trial's folder, taking the job, laying the folder out, sending the changed
 *    files back, writing them and recording the trial. Target ≤ 20 ms per trial.
 * 2. 12 trials with 1 worker process against 2: the seed's perceptron (about 0.1 s a
 *    trial, most of it charts and records) and an MLP with work in it (bench/mlp.yaml),
 *    with the CPU time of every process, which says what a second worker can gain on
 *    this machine's cores.
 *
 * Rounds alternate the two sides; figures are medians. Workers are started (and have
 * run one trial) before the clock starts: their start is not the queue's cost. Both
 * sides' workers run the bundle (dist/), as the CLI does, and both record their trials
 * as `rxlab sweep` does: a local trial in its worker, a queued one on the coordinator.
 *
 * The pipelines are copies under their own names (queue-bench-*), so their trials go on
 * record in spaces of their own, outputs/queue-bench-*, which the bench removes after.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadAndPlan, type Plan } from '../src/engine/index.ts';
import { recordRemoteTrial } from '../src/exp/record.ts';
import { checkoutIdentity } from '../src/queue/identity.ts';
import { QueueLauncher } from '../src/queue/launcher.ts';
import { resolveStage } from '../src/stages/registry.ts';
import type { Grid, Trial } from '../src/sweep/grid.ts';
import { TrialPool, type TrialOutcome, type TrialRunOptions } from '../src/sweep/trials.ts';
import { hashCode, codeFolder } from '../src/code-identity.ts';
import { tempDir } from '../test/helpers/engine.ts';
import { prepareSweep, ROOT, sleep, until } from '../test/queue/harness.ts';
import { redisMissing, startRedis } from '../test/queue/redis.ts';
import { median } from './stats.ts';

const TRIVIAL_TRIALS = 24;
const OVERHEAD_ROUNDS = 7;
const SCALE_ROUNDS = 5;
const MLP_ROUNDS = 3;

if (redisMissing) {
  console.log(`## Queue\n\nNot measured: ${redisMissing}.`);
  process.exit(0);
}

/** The bench's pipelines, inside the checkout (a queued trial's pipeline must be), relative to it. */
const BENCH_DIR = join('node_modules', '.cache', 'rxlab-bench');
const TRIVIAL = join(BENCH_DIR, 'queue-bench-trivial.yaml');
const PERCEPTRON = join(BENCH_DIR, 'queue-bench-perceptron.yaml');
const MLP = join(BENCH_DIR, 'queue-bench-mlp.yaml');
mkdirSync(join(ROOT, BENCH_DIR), { recursive: true });
writeFileSync(
  join(ROOT, TRIVIAL),
  `name: queue-bench-trivial
stages:
  data: { uses: blobs, with: { n_samples: 40, centers: [[-0.5, 0.5], [0.5, -0.5]], cluster_std: 0.4, random_state: 123 } }
  model: { uses: model, with: { layers: [2, 1], init: { seed: 2 } } }
  train: { uses: train, inputs: { dataset: data.dataset, model: model.model }, with: { optimizer: { name: sgd, lr: 0.1 }, epochs: 30 } }
  evaluate: { uses: evaluate, inputs: { model: train.model, dataset: data.dataset } }
  loss-chart: { uses: loss-chart, inputs: { history: train.history } }
`,
);
writeFileSync(join(ROOT, PERCEPTRON), readFileSync(join(ROOT, 'pipelines', 'perceptron.yaml'), 'utf8').replace(/^name: perceptron$/m, 'name: queue-bench-perceptron'));
writeFileSync(join(ROOT, MLP), readFileSync(join(ROOT, 'bench', 'mlp.yaml'), 'utf8').replace(/^name: mlp$/m, 'name: queue-bench-mlp'));
const spaces = ['queue-bench-trivial', 'queue-bench-perceptron', 'queue-bench-mlp'].map((name) => join(ROOT, 'outputs', name));
for (const space of spaces) rmSync(space, { recursive: true, force: true });

const quiet = { failFast: false, signal: new AbortController().signal, report: () => undefined };
const check = (outcomes: TrialOutcome[], what: string): void => {
  const bad = outcomes.find((o) => o.status !== 'completed');
  if (bad) throw new Error(`${what}: ${bad.trial.id} ${bad.status}: ${bad.error}`);
};

/** `evaluate` at another point per trial: nothing else of the pipeline runs in a trial. */
const trivialGrid: Grid = { 'evaluate.points': Array.from({ length: TRIVIAL_TRIALS }, (_, i) => [[i / 10, -1]]) };
/** 12 trials, lr × seed, for the perceptron and the MLP alike. */
const scaleGrid: Grid = { 'train.optimizer.lr': [0.01, 0.05, 0.1], 'model.init.seed': [1, 2, 3, 4] };

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

/**
 * A sweep's trials, folders (shared stages run and seeded) and `record`, as \`rxlab sweep\`
 * passes it: trials recorded with the sweep's folder, a queued one by the coordinator.
 */
async function sweepOf(file: string, grid: Grid): Promise<{ trials: Trial[]; dirOf: (t: Trial) => string; record: TrialRunOptions['record'] }> {
  const dir = tempDir();
  const { trials, dirOf } = await prepareSweep(grid, dir, join(ROOT, file));
  const plans = new Map<string, Plan>();
  for (const t of trials) plans.set(t.id, await loadAndPlan(join(ROOT, file), { resolve: resolveStage, set: t.overrides }));
  const remote = (t: Trial, ran: { host: string; pid: number }): Promise<void> => recordRemoteTrial(plans.get(t.id)!, dirOf(t), ran, { sweep: { dir, trial: t.id }, git: null });
  return { trials, dirOf, record: { sweep: dir, git: null, remote } };
}

/** The coordinator's identity of the checkout: as `rxlab sweep` from the bundle claims it (this process runs the sources). */
const bundleIdentity = checkoutIdentity(ROOT, () => hashCode({ dir: join(ROOT, 'dist'), from: 'dist' }).hash);

async function queued(url: string, file: string, grid: Grid, pids: number[] = []): Promise<Cost> {
  const { trials, dirOf, record } = await sweepOf(file, grid);
  const launcher = new QueueLauncher({ url, root: ROOT, identity: bundleIdentity });
  try {
    const cpu = (): number => ownCpu() + [...pids, redisPid].reduce((sum, pid) => sum + cpuOf(pid), 0);
    const [start, cpuStart] = [performance.now(), cpu()];
    check(await launcher.run(trials, { ...quiet, file, dirOf, record }), 'queued');
    return { wall: performance.now() - start, cpu: cpu() - cpuStart };
  } finally {
    await launcher.close();
  }
}

/** A local sweep with one worker process, started (and warmed up on one trial) before the clock starts. */
async function local(file: string, grid: Grid): Promise<Cost> {
  const { trials, dirOf, record } = await sweepOf(file, grid);
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
      record,
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

/** An \`rxlab worker\` process, as a user starts one (the queue's URL in REDIS_URL). */
interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  exited: Promise<unknown>;
}

function startWorker(url: string): { worker: WorkerProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'rxlab.js'), 'worker'], { cwd: ROOT, env: { ...process.env, REDIS_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { worker: { child, pid: child.pid!, exited }, ready: until('a worker to be ready', () => output.includes(' takes trials from '), 60_000) };
}

spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const redis = await startRedis();
const redisPid = Number(spawnSync('pgrep', ['-f', `redis-server 127.0.0.1:${redis.port}`], { encoding: 'utf8' }).stdout.split('\n')[0]);
const started: WorkerProcess[] = [];
const workers = async (n: number): Promise<WorkerProcess[]> => {
  const list = Array.from({ length: n }, () => startWorker(redis.url));
  started.push(...list.map((w) => w.worker));
  await Promise.all(list.map((w) => w.ready));
  return list.map((w) => w.worker);
};
const stop = async (list: WorkerProcess[]): Promise<void> => {
  for (const w of list) w.child.kill('SIGTERM');
  await Promise.all(list.map((w) => w.exited));
};

try {
  // 1. Overhead per trivial trial, one worker process each side.
  const one = await workers(1);
  await queued(redis.url, TRIVIAL, { 'evaluate.points': [[[9, 9]]] }); // warms the worker
  const localRuns: Cost[] = [];
  const queuedRuns: Cost[] = [];
  for (let round = 0; round < OVERHEAD_ROUNDS; round++) {
    localRuns.push(await local(TRIVIAL, trivialGrid));
    queuedRuns.push(await queued(redis.url, TRIVIAL, trivialGrid, one.map((w) => w.pid)));
  }
  const perTrial = (runs: Cost[], what: keyof Cost): number => median(runs.map((r) => r[what])) / TRIVIAL_TRIALS;
  const differences = (what: keyof Cost): number[] => queuedRuns.map((q, i) => (q[what] - localRuns[i][what]) / TRIVIAL_TRIALS);
  const overhead = (what: keyof Cost): number => median(differences(what));
  const range = (what: keyof Cost): string => `${Math.min(...differences(what)).toFixed(1)} to ${Math.max(...differences(what)).toFixed(1)} ms`;
  await stop(one);

  // 2. 12 trials, 1 worker process against 2 (workers warmed on one trial each).
  const scaling = async (file: string, rounds: number): Promise<{ walls: Record<1 | 2, number[]>; ratios: number[]; cpu: Record<1 | 2, Cost[]> }> => {
    const walls: Record<1 | 2, number[]> = { 1: [], 2: [] };
    const cpu: Record<1 | 2, Cost[]> = { 1: [], 2: [] };
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const n of [1, 2] as const) {
        const list = await workers(n);
        await queued(redis.url, file, { 'train.optimizer.lr': [0.02, 0.03].slice(0, n), 'model.init.seed': [9] });
        const cost = await queued(redis.url, file, scaleGrid, list.map((w) => w.pid));
        walls[n].push(cost.wall);
        cpu[n].push(cost);
        await stop(list);
        await sleep(200);
      }
      ratios.push(walls[2][round] / walls[1][round]);
    }
    return { walls, ratios, cpu };
  };
  const scaled = { perceptron: await scaling(PERCEPTRON, SCALE_ROUNDS), mlp: await scaling(MLP, MLP_ROUNDS) };
  const scaleRow = (what: string, { walls, ratios, cpu }: Awaited<ReturnType<typeof scaling>>): string => {
    const cores = (n: 1 | 2): string => median(cpu[n].map((c) => c.cpu / c.wall)).toFixed(2);
    const cpuSeconds = (n: 1 | 2): string => (median(cpu[n].map((c) => c.cpu)) / 1000).toFixed(2);
    return `| ${what} | ${(median(walls[1]) / 1000).toFixed(2)} s | ${(median(walls[2]) / 1000).toFixed(2)} s | **${median(ratios).toFixed(2)}×** (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${cpuSeconds(1)} s, ${cores(1)} | ${cpuSeconds(2)} s, ${cores(2)} |`;
  };

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

12 trials (\`train.optimizer.lr\` × \`model.init.seed\`, 3 × 4) through the queue, 1 worker process against 2, warmed on one trial each. CPU time is the coordinator's, the workers' and Redis's while the trials ran; "cores" is CPU time over wall time:

| trials | 1 worker median wall | 2 workers median wall | ratio (median of paired rounds; range) | CPU, cores: 1 worker | CPU, cores: 2 workers |
|---|---:|---:|---:|---:|---:|
${scaleRow(`the seed's perceptron (${SCALE_ROUNDS} rounds)`, scaled.perceptron)}
${scaleRow(`MLP 2→64→64→1, 10,000 points, 100 epochs of Adam (bench/mlp.yaml; ${MLP_ROUNDS} rounds)`, scaled.mlp)}

Target ≤ 0.6× once the fused trainer lands; ${cpus().length} cores shared by the coordinator, Redis and the workers.

\`rxlabCodeHash()\` (computed once per process): ${srcHash.toFixed(1)} ms over the sources (${hashSizes.src}), ${distHash} over the bundle (${hashSizes.dist ?? 'no dist/: run npm run build'}); medians of 9, file system cache warm.`);
} finally {
  await stop(started.filter((w) => w.child.exitCode === null));
  await redis.stop();
  for (const space of spaces) rmSync(space, { recursive: true, force: true });
}
