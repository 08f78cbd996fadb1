/**
 * A sweep's trial workers: trials run one after another in a long-lived process must
 * leave exactly what a standalone `rxlab run FILE --set … --out DIR` leaves; a worker
 * that is killed fails only its trial; SIGINT and SIGTERM stop the sweep and its workers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Trial } from '../../src/sweep/grid.ts';
import { TrialPool } from '../../src/sweep/trials.ts';
import { tempDir } from '../helpers/engine.ts';
import { rxlab as runRxlab } from '../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'rxlab.js');
const rxlab = (...args: string[]) => runRxlab(args, { cwd: ROOT });
const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every file of a run folder but run.json, the report (times, pids, paths) and its mark (the path to the pipeline file) → its sha256. */
function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const files = spawnSync('find', ['.', '-type', 'f', '!', '-name', 'run.json', '!', '-name', 'report.html', '!', '-path', './.rxlab/folder.json'], { cwd: dir, encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
  for (const file of files) out[file] = createHash('sha256').update(readFileSync(join(dir, file))).digest('hex');
  return out;
}

/** A pipeline with a user stage (loaded once per worker), training, model files and charts. */
function pipelineFile(epochs: number): { dir: string; file: string } {
  const dir = tempDir();
  const file = join(dir, 'warm.yaml');
  writeFileSync(
    file,
    `name: warm
stages:
  data: { uses: blobs, with: { n_samples: 60, centers: [[-0.5, 0.5], [0.5, -0.5]], cluster_std: 0.4, random_state: 123 } }
  noise: { uses: ${join(ROOT, 'stages', 'label-noise.ts')}, inputs: { dataset: data.dataset }, with: { fraction: 0.1, seed: 0 } }
  model: { uses: model, with: { layers: [2, 1], activation: tanh, init: { seed: 2 } } }
  train:
    uses: train
    inputs: { dataset: noise.dataset, model: model.model }
    with: { optimizer: { name: sgd, lr: 0.1 }, epochs: ${epochs} }
  evaluate: { uses: evaluate, inputs: { model: train.model, dataset: data.dataset } }
  loss-chart: { uses: loss-chart, inputs: { history: train.history } }
  trained-fit: { uses: decision-chart, inputs: { dataset: noise.dataset, model: train.model, predictions: evaluate.predictions } }
`,
  );
  return { dir, file };
}

const trial = (n: number, overrides: string[]): Trial => ({ id: `trial-00${n}`, values: {}, overrides });

/** The folder's run lock names the process running in it (the worker); waits for it. */
async function runningPid(dir: string): Promise<number> {
  const lock = join(dir, '.rxlab-run.lock');
  const holder = (): string | undefined => (existsSync(lock) ? readdirSync(lock).find((name) => name.startsWith('holder-')) : undefined);
  for (let i = 0; i < 600 && !holder(); i++) await sleep(50);
  return json<{ pid: number }>(join(lock, holder()!)).pid;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('sweep trial workers', () => {
  it('a warm worker leaves byte-identical artifacts to standalone runs, trial after trial', async () => {
    const { dir, file } = pipelineFile(40);
    const a = ['model.layers=[2,1]', 'noise.seed=0'];
    const b = ['model.layers=[2,3,1]', 'noise.seed=1'];
    const c = ['model.layers=[2,4,3,1]', 'train.optimizer.lr=0.5'];
    // One worker runs all four, the first trial's values again at the end (cold, then warm).
    const trials = [trial(1, a), trial(2, b), trial(3, c), trial(4, a)];
    const reports: string[] = [];
    const outcomes = await new TrialPool(1).run(trials, {
      file,
      dirOf: (t) => join(dir, 'sweep', t.id),
      failFast: false,
      signal: new AbortController().signal,
      record: { sweep: join(dir, 'sweep'), git: null },
      report: (text) => reports.push(text),
    });
    expect(outcomes.map((o) => o.status), reports.join('\n')).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(new Set(outcomes.map((o) => o.worker)).size).toBe(1);
    expect(outcomes[0].worker).toBeGreaterThan(0);

    for (const [name, overrides] of Object.entries({ a, b, c })) {
      const result = rxlab('run', file, ...overrides.flatMap((o) => ['--set', o]), '--out', join(dir, name), '--json');
      expect(result.status, result.stderr).toBe(0);
    }
    const standalone = { a: hashes(join(dir, 'a')), b: hashes(join(dir, 'b')), c: hashes(join(dir, 'c')) };
    // model.json, weights.bin, the charts, the user stage's dataset, every record and the lock.
    expect(Object.keys(standalone.a)).toEqual(expect.arrayContaining(['./train/model.json', './train/weights.bin', './trained-fit/chart.svg', './noise/dataset.json', './rxlab.lock.json']));
    expect(hashes(join(dir, 'sweep', 'trial-001'))).toEqual(standalone.a);
    expect(hashes(join(dir, 'sweep', 'trial-002'))).toEqual(standalone.b);
    expect(hashes(join(dir, 'sweep', 'trial-003'))).toEqual(standalone.c);
    expect(hashes(join(dir, 'sweep', 'trial-004'))).toEqual(standalone.a);
  });

  it('a worker killed mid-trial fails that trial; a new worker runs the rest', async () => {
    const { dir, file } = pipelineFile(30);
    const out = join(dir, 'sweep');
    const child = spawn(process.execPath, [BIN, 'sweep', file, '--grid', 'train.epochs=1000000,20,30', '--jobs', '1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const worker = await runningPid(join(out, 'trial-001'));
    process.kill(worker, 'SIGKILL');
    expect(await exited).toBe(1);
    expect(stdout).toContain('trial-001 (train.epochs=1000000): failed: the worker process running it was killed by SIGKILL');
    expect(stdout).toContain('2 of 3 trials completed');
    const summary = json<{ trials: { status: string }[] }>(join(out, 'sweep.json'));
    expect(summary.trials.map((t) => t.status)).toEqual(['failed', 'completed', 'completed']);
    // A run that is killed outright leaves its run lock; the next run of that folder takes it over.
    const again = rxlab('run', file, '--set', 'train.epochs=20', '--out', join(out, 'trial-001'));
    expect(again.status, again.stderr).toBe(0);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} stops the sweep and its workers within 1 s; running trials end interrupted`, async () => {
      const { dir, file } = pipelineFile(1_000_000);
      const out = join(dir, 'sweep');
      // detached: its own process group, so SIGINT can go to the whole group as Ctrl-C on a terminal does.
      const child = spawn(process.execPath, [BIN, 'sweep', file, '--grid', 'train.optimizer.lr=0.1,0.2,0.3', '--jobs', '2', '--out', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: signal === 'SIGINT',
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      let exitedAt = 0;
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => {
          exitedAt = performance.now();
          resolve(code);
        }),
      );
      const workers = [await runningPid(join(out, 'trial-001')), await runningPid(join(out, 'trial-002'))];
      // The engine makes a stage's folder after its set-up (tfjs loaded): both trials are then training.
      for (let i = 0; i < 600 && !['trial-001', 'trial-002'].every((id) => existsSync(join(out, id, 'train'))); i++) await sleep(50);
      await sleep(300);
      const sentAt = performance.now();
      if (signal === 'SIGINT') process.kill(-child.pid!, 'SIGINT');
      else child.kill('SIGTERM');
      expect(await exited).toBe(1);
      expect(exitedAt - sentAt, stdout).toBeLessThan(1000);
      const summary = json<{ trials: { status: string }[] }>(join(out, 'sweep.json'));
      expect(summary.trials.map((t) => t.status), stdout).toEqual(['interrupted', 'interrupted', 'not run']);
      for (const id of ['trial-001', 'trial-002']) {
        expect(json<{ status: string }>(join(out, id, 'run.json')).status).toBe('interrupted');
        // The trial's lock holds the shared stages it was seeded with, and nothing of the interrupted run.
        expect(Object.keys(json<{ stages: object }>(join(out, id, 'rxlab.lock.json')).stages).sort()).toEqual(['data', 'model', 'noise']);
      }
      for (let i = 0; i < 20 && workers.some(alive); i++) await sleep(50);
      expect(workers.filter(alive)).toEqual([]);
    });
  }
});
