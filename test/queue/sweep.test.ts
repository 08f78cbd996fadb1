/**
 * A queued sweep end to end: a real redis-server (with a password), real worker
 * processes running real trials (test/queue/worker-process.ts, which runs each with
 * `runPipeline`), and the coordinator in this process. The tests run in order and
 * share the server and the two workers; each says what state it leaves them in.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRunLock, runMetrics, type RunManifest } from '../../src/engine/index.ts';
import { QueueLauncher, QueueUnavailableError } from '../../src/queue/launcher.ts';
import type { Trial } from '../../src/sweep/grid.ts';
import type { TrialOutcome, TrialRunOptions } from '../../src/sweep/trials.ts';
import { tempDir } from '../helpers/engine.ts';
import { GRID_FILE, hashes, prepareSweep, ROOT, runCoordinatorProcess, spawnWorker, until, type WorkerProcess } from './harness.ts';
import { redisMissing, startRedis, type TestRedis } from './redis.ts';

const PASSWORD = 'Tr1al-s3cret-9f4e';
const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const statuses = (outcomes: TrialOutcome[]): string[] => outcomes.map((o) => o.status);

interface Sweep {
  trials: Trial[];
  dirOf: (t: Trial) => string;
  lines: string[];
  /** What the launcher told `onTrial` (the live view), in order. */
  told: { id: string; status: string; metrics?: Record<string, number> }[];
  signal?: AbortSignal;
}

/** Runs the trials through a fresh launcher; every line it reports is kept (and checked for the password at the end). */
async function runQueued(url: string, sweep: Sweep, { record, ...options }: { unreachableAfterMs?: number; record?: TrialRunOptions['record'] } = {}): Promise<TrialOutcome[]> {
  const launcher = new QueueLauncher({ url, root: ROOT, stopGraceMs: 3000, ...options });
  try {
    return await launcher.run(sweep.trials, {
      ...(record ? { record } : {}),
      file: GRID_FILE,
      dirOf: sweep.dirOf,
      failFast: false,
      signal: sweep.signal ?? new AbortController().signal,
      report: (line) => void sweep.lines.push(line),
      onTrial: ({ trial, status }, metrics) => void sweep.told.push({ id: trial.id, status, ...(metrics ? { metrics } : {}) }),
    });
  } finally {
    await launcher.close();
  }
}

/** Every line the coordinators reported and every error message, checked for the password at the end. */
const everything: string[][] = [];

describe.skipIf(redisMissing)(`a sweep through the queue${redisMissing ? ` (skipped: ${redisMissing})` : ''}`, () => {
  let redis: TestRedis;
  let workers: WorkerProcess[] = [];
  /** Every worker process started, for their output. */
  const started: WorkerProcess[] = [];
  const startWorker = (options?: Record<string, unknown>): WorkerProcess => {
    const worker = spawnWorker(redis.url, options);
    started.push(worker);
    return worker;
  };
  const sweepDirs: string[] = [];
  const newSweep = async (grid: Record<string, unknown[]>): Promise<Sweep> => {
    const dir = tempDir();
    sweepDirs.push(dir);
    return { ...(await prepareSweep(grid, dir)), lines: [], told: [] };
  };
  const keep = (sweep: Sweep): Sweep => (everything.push(sweep.lines), sweep);

  beforeAll(async () => {
    redis = await startRedis({ password: PASSWORD });
    workers = [startWorker(), startWorker()];
    await Promise.all(workers.map((w) => w.ready));
  });

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await redis?.stop();
  });

  it('runs a 2×3 grid on two workers into folders byte-identical to a local sweep; running it again reuses every trial', async () => {
    const grid = { 'model.init.seed': [1, 2], 'train.optimizer.lr': [0.01, 0.1, 0.5] };
    const sweep = keep(await newSweep(grid));
    const outcomes = await runQueued(redis.url, sweep);
    expect(statuses(outcomes), sweep.lines.join('\n')).toEqual(Array(6).fill('completed'));
    expect(new Set(outcomes.map((o) => o.worker))).toEqual(new Set(workers.map((w) => w.pid)));
    expect(sweep.lines).toContain('trial-001 (model.init.seed=1, train.optimizer.lr=0.01): started on ' + `${workerName(outcomes[0].worker!)}`);

    const local = tempDir();
    const args = ['sweep', GRID_FILE, '--grid', 'model.init.seed=1,2', '--grid', 'train.optimizer.lr=0.01,0.1,0.5', '--jobs', '2', '--out', local];
    const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'rxlab.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    for (const trial of sweep.trials) {
      const queued = hashes(sweep.dirOf(trial));
      // The user stage's output, the model's files, the chart, every record and the lock.
      expect(Object.keys(queued)).toEqual(
        expect.arrayContaining(['shifted/dataset.json', 'train/weights.bin', 'train/model.json', 'loss-chart/chart.svg', 'evaluate/metrics.json', 'rxlab.lock.json', '.rxlab/train/record.json', '.rxlab/train/output-model.json']),
      );
      expect(queued, trial.id).toEqual(hashes(join(local, trial.id)));
      expect(json<{ status: string }>(join(sweep.dirOf(trial), 'run.json')).status).toBe('completed');
      // The live view is told each trial's start, then its end with its metrics, as by local workers.
      const manifest = json<RunManifest>(join(sweep.dirOf(trial), 'run.json'));
      expect(sweep.told.filter((t) => t.id === trial.id)).toEqual([
        { id: trial.id, status: 'running' },
        { id: trial.id, status: 'completed', metrics: runMetrics(manifest) },
      ]);
    }
    expect(Object.keys(sweep.told.find((t) => t.status === 'completed')!.metrics!)).toEqual(['train.loss', 'evaluate.accuracy']);

    const again = keep({ ...sweep, lines: [], told: [] });
    expect(statuses(await runQueued(redis.url, again))).toEqual(Array(6).fill('completed'));
    for (const trial of sweep.trials) {
      const stages = json<{ stages: Record<string, { status: string }> }>(join(sweep.dirOf(trial), 'run.json')).stages;
      expect(Object.values(stages).map((s) => s.status), trial.id).toEqual(Array(6).fill('cached'));
      expect(hashes(sweep.dirOf(trial))).toEqual(hashes(join(local, trial.id)));
    }
  });

  it('puts each trial on record through the sweep once its files are written; one that cannot be recorded still completes, and the sweep says why', async () => {
    const sweep = keep(await newSweep({ 'train.optimizer.lr': [0.2, 0.3] }));
    const asked: { trial: string; host: string; pid: number; run: string }[] = [];
    const remote = async (trial: Trial, ran: { host: string; pid: number }): Promise<void> => {
      // Its files are all in its folder by now: the record is made from its run.json.
      asked.push({ trial: trial.id, ...ran, run: json<{ status: string }>(join(sweep.dirOf(trial), 'run.json')).status });
      if (trial.id === 'trial-002') throw new Error('the disk is full');
    };
    const outcomes = await runQueued(redis.url, sweep, { record: { sweep: 'unused', git: null, remote } });
    expect(statuses(outcomes), sweep.lines.join('\n')).toEqual(['completed', 'completed']);
    expect(asked.sort((a, b) => a.trial.localeCompare(b.trial))).toEqual(
      outcomes.map((o) => ({ trial: o.trial.id, host: hostname(), pid: o.worker, run: 'completed' })),
    );
    expect(sweep.lines).toContain('trial-002 (train.optimizer.lr=0.3): not recorded: the disk is full');
  });

  it("refuses to start while another run writes one of its trials' folders, saying which, and holds none of the others", async () => {
    const sweep = keep(await newSweep({ 'train.optimizer.lr': [0.4, 0.6, 0.8] }));
    const release = await acquireRunLock(sweep.dirOf(sweep.trials[1]));
    try {
      await expect(runQueued(redis.url, sweep)).rejects.toThrow(new RegExp(`^another rxlab run \\(.*pid ${process.pid}.*\\) is writing to ${sweep.dirOf(sweep.trials[1])}; wait for it to finish`));
    } finally {
      await release();
    }
    expect(sweep.lines.filter((l) => l.includes('started on'))).toEqual([]);
    // The folders it had locked are free again.
    for (const trial of [sweep.trials[0], sweep.trials[2]]) await (await acquireRunLock(sweep.dirOf(trial)))();
  });

  it('a worker SIGKILLed mid-trial loses nothing: the other worker runs the trial', async () => {
    const sweep = keep(await newSweep({ 'train.epochs': [1500] }));
    const running = runQueued(redis.url, sweep);
    await until('the trial to start', () => sweep.lines.some((l) => l.includes('started on')));
    const victim = workers.find((w) => sweep.lines.some((l) => l.endsWith(`started on ${workerName(w.pid)}`)))!;
    victim.child.kill('SIGKILL');
    const outcomes = await running;
    const survivor = workers.find((w) => w !== victim)!;
    expect(statuses(outcomes), sweep.lines.join('\n')).toEqual(['completed']);
    expect(outcomes[0].worker).toBe(survivor.pid);
    expect(sweep.lines).toContain('trial-001 (train.epochs=1500): its worker stopped answering; the trial is back in the queue for another worker');
    expect(json<{ status: string }>(join(sweep.dirOf(sweep.trials[0]), 'run.json')).status).toBe('completed');
    workers = [survivor, startWorker()];
    await workers[1].ready;
  });

  it('a worker stopped with SIGTERM mid-trial hands the trial back and exits; another worker runs it', async () => {
    const sweep = keep(await newSweep({ 'train.epochs': [1501] }));
    const running = runQueued(redis.url, sweep);
    await until('the trial to start', () => sweep.lines.some((l) => l.includes('started on')));
    const stopping = workers.find((w) => sweep.lines.some((l) => l.endsWith(`started on ${workerName(w.pid)}`)))!;
    const sentAt = performance.now();
    stopping.child.kill('SIGTERM');
    expect(await stopping.exited).toBe(0);
    expect(performance.now() - sentAt).toBeLessThan(3000);
    const outcomes = await running;
    const other = workers.find((w) => w !== stopping)!;
    expect(statuses(outcomes), sweep.lines.join('\n')).toEqual(['completed']);
    expect(outcomes[0].worker).toBe(other.pid);
    expect(sweep.lines).toContain('trial-001 (train.epochs=1501): handed back to the queue by its worker');
    expect(stopping.output()).toContain(': handed back to the queue');
    workers = [other, startWorker()];
    await workers[1].ready;
  });

  it('a stopped sweep ends its running trials interrupted and the rest not run; run again, it finishes', async () => {
    // On TensorFlow.js's cpu backend, so that a trial lasts long enough to be stopped (the fused trainer finishes these in a blink).
    const sweep = keep(await newSweep({ 'train.epochs': [4000, 4001, 4002, 4003], 'train.backend': ['cpu'] }));
    const controller = new AbortController();
    const running = runQueued(redis.url, { ...sweep, signal: controller.signal });
    await until('two trials to start', () => sweep.lines.filter((l) => l.includes('started on')).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stoppedAt = performance.now();
    controller.abort();
    const outcomes = await running;
    expect(performance.now() - stoppedAt, sweep.lines.join('\n')).toBeLessThan(2000);
    expect(statuses(outcomes), sweep.lines.join('\n')).toEqual(['interrupted', 'interrupted', 'not run', 'not run']);
    for (const trial of sweep.trials.slice(0, 2)) {
      // Sent back by the worker: what an interrupted local trial leaves.
      expect(json<{ status: string }>(join(sweep.dirOf(trial), 'run.json')).status).toBe('interrupted');
      expect(Object.keys(json<{ stages: object }>(join(sweep.dirOf(trial), 'rxlab.lock.json')).stages).sort()).toEqual(['data', 'model', 'shifted']);
    }
    for (const trial of sweep.trials.slice(2)) expect(existsSync(join(sweep.dirOf(trial), 'run.json'))).toBe(false);
    // Both workers are still there, idle, for the next sweep.
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true);

    const again = keep({ ...sweep, lines: [], told: [] });
    const resumed = await runQueued(redis.url, again);
    expect(statuses(resumed), again.lines.join('\n')).toEqual(Array(4).fill('completed'));
    for (const trial of sweep.trials) expect(json<{ status: string }>(join(sweep.dirOf(trial), 'run.json')).status).toBe('completed');
  });

  it('a sweep whose coordinator was killed: its trials finish on the workers, and the same sweep run again collects them', async () => {
    const sweep = keep(await newSweep({ 'train.epochs': [1500, 1501, 1502, 1503] }));
    const coordinator = runCoordinatorProcess(redis.url, sweep.trials, sweep.dirOf);
    const said = coordinator.output;
    await until('two trials to start', () => said().split('started on').length === 3);
    coordinator.child.kill('SIGKILL');
    await coordinator.exited;
    everything.push([said()]);
    const sweepId = /\(sweep ([0-9a-f]+)\)/.exec(said())![1];
    const finished = (): number => workers.map((w) => w.output().split('\n').filter((l) => l.includes(`of sweep ${sweepId}: completed`)).length).reduce((a, b) => a + b, 0);
    await until('the workers to finish every trial', () => finished() === 4);
    for (const trial of sweep.trials) expect(existsSync(join(sweep.dirOf(trial), 'run.json'))).toBe(false);

    const again = keep({ ...sweep, lines: [], told: [] });
    expect(statuses(await runQueued(redis.url, again)), again.lines.join('\n')).toEqual(Array(4).fill('completed'));
    // Collected, not run again: each trial started once, and its run trained.
    expect(again.lines.filter((l) => l.includes('started on'))).toEqual([]);
    const starts = workers.flatMap((w) => w.output().split('\n')).filter((l) => l.includes(`of sweep ${sweepId}: started`));
    expect(starts.length).toBe(4);
    for (const trial of sweep.trials) {
      const run = json<{ status: string; stages: Record<string, { status: string }> }>(join(sweep.dirOf(trial), 'run.json'));
      expect([run.status, run.stages.train.status]).toEqual(['completed', 'completed']);
    }
  });

  it('Redis killed mid-sweep: a clear error naming the URL without its password, no folder half-written, and the sweep resumes once Redis is back', async () => {
    const sweep = keep(await newSweep({ 'train.epochs': [2000, 2001, 2002, 2003, 2004, 2005] }));
    const running = runQueued(redis.url, sweep, { unreachableAfterMs: 1500 });
    await until('a trial to complete', () => sweep.lines.some((l) => l.includes(': completed in')));
    await redis.kill();
    const error = await running.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(QueueUnavailableError);
    const message = (error as Error).message;
    everything.push([message]);
    expect(message).toMatch(new RegExp(`^lost the queue at redis://\\*\\*\\*@127\\.0\\.0\\.1:${redis.port} \\(.*\\): no answer for 2 s\\. The trials that finished are in their folders; \\d did not finish: run the same sweep again once Redis is back, and it picks up where it stopped$`));
    const outcomes = (error as QueueUnavailableError).outcomes;
    expect(outcomes.filter((o) => o.status === 'completed').length).toBeGreaterThan(0);
    for (const outcome of outcomes) {
      const dir = outcome.outDir;
      expect(readdirSync(dir, { recursive: true }).filter((f) => String(f).includes('.rxlab-tmp-'))).toEqual([]);
      const stages = Object.keys(json<{ stages: object }>(join(dir, 'rxlab.lock.json')).stages).sort();
      if (outcome.status === 'completed') {
        expect(json<{ status: string }>(join(dir, 'run.json')).status).toBe('completed');
        expect(stages).toEqual(['data', 'evaluate', 'loss-chart', 'model', 'shifted', 'train']);
      } else {
        // Untouched: as the sweep seeded it.
        expect(existsSync(join(dir, 'run.json'))).toBe(false);
        expect(stages).toEqual(['data', 'model', 'shifted']);
      }
    }

    await redis.restart();
    const again = keep({ ...sweep, lines: [], told: [] });
    expect(statuses(await runQueued(redis.url, again)), again.lines.join('\n')).toEqual(Array(6).fill('completed'));
  });

  it('a worker whose checkout has another pipeline refuses the trials, saying what differs', async () => {
    // Its checkout: the same rxlab and stages, the pipeline with other epochs.
    const checkout = tempDir();
    mkdirSync(join(checkout, 'test', 'fixtures'), { recursive: true });
    cpSync(join(ROOT, 'test', 'fixtures', 'queue'), join(checkout, 'test', 'fixtures', 'queue'), { recursive: true });
    cpSync(join(ROOT, 'src'), join(checkout, 'src'), { recursive: true });
    const file = join(checkout, GRID_FILE);
    writeFileSync(file, readFileSync(file, 'utf8').replace('epochs: 30', 'epochs: 31'));
    // Only the odd worker listens: the two others stop (their jobs would be taken otherwise).
    for (const w of workers) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
    const odd = startWorker({ root: checkout });
    workers = [odd];
    await odd.ready;

    const sweep = keep(await newSweep({ 'train.optimizer.lr': [0.2] }));
    const outcomes = await runQueued(redis.url, sweep);
    expect(statuses(outcomes)).toEqual(['failed']);
    const expected = `worker ${workerName(odd.pid)} refused trial-001: its checkout (${checkout}) differs from the coordinator's in the pipeline ${GRID_FILE} (sha256 `;
    expect(outcomes[0].error).toContain(expected);
    expect(outcomes[0].error).not.toContain('stage module');
    await until('the worker to log it', () => odd.output().includes(expected));
    expect(existsSync(join(sweep.dirOf(sweep.trials[0]), 'run.json'))).toBe(false);
  });

  afterAll(() => {
    // Neither the coordinator's lines and errors, nor the workers' output, nor any file the sweeps left holds the password.
    const output = [...everything.flat(), ...started.map((w) => w.output())].join('\n');
    expect(output).not.toContain(PASSWORD);
    expect(output).toContain('redis://***@127.0.0.1:');
    // Every error of the Redis client was handled (ioredis prints the ones nobody listens to).
    expect(output).not.toContain('Unhandled error event');
    if (process.env.RXLAB_SHOW_WORKERS) console.log(started.map((w) => w.output()).join('\n----\n'));
    for (const dir of sweepDirs) {
      const grep = spawnSync('grep', ['-r', '-l', PASSWORD, dir], { encoding: 'utf8' });
      expect(grep.stdout).toBe('');
    }
  });
});

/** `host:pid`, as workers call themselves. */
const workerName = (pid: number): string => `${hostname()}:${pid}`;
