/**
 * For the queue's tests: worker processes, a sweep's folders prepared as `rxlab sweep`
 * prepares them (shared stages run once, each trial's folder seeded with them), and a
 * run folder's files by hash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAndPlan } from '../../src/engine/index.ts';
import { resolveStage } from '../../src/stages/registry.ts';
import { expandGrid, type Grid, type Trial } from '../../src/sweep/grid.ts';
import { runShared, seedTrial } from '../../src/sweep/prepare.ts';
import { sharedStages } from '../../src/sweep/shared.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
/** The pipeline the tests sweep, relative to the checkout as a queued sweep's file must be. */
export const GRID_FILE = 'test/fixtures/queue/grid.yaml';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!ok()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it printed (stdout and stderr). */
  output: () => string;
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/**
 * Starts test/queue/worker-process.ts (or `script`, a bundle of it); the URL goes in its
 * environment, never on its command line.
 */
export function spawnWorker(url: string, options: Record<string, unknown> = {}, { script, env = {} }: { script?: string; env?: Record<string, string> } = {}): WorkerProcess {
  const args = script ? [script] : ['--import', 'tsx', join(import.meta.dirname, 'worker-process.ts')];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, REDIS_URL: url, RXLAB_TEST_WORKER: JSON.stringify({ lockDuration: 2000, stalledInterval: 1000, cancelPollMs: 100, ...options }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = until('a worker to be ready', () => output.includes('ready '), 60_000).then(() => undefined);
  void exited.then(() => (output += '\n(exited)\n'));
  return { child, pid: child.pid!, output: () => output, ready, exited };
}

/** Runs test/queue/coordinator-process.ts over `trials`; resolves with what it printed once it exits. */
export function runCoordinatorProcess(url: string, trials: Trial[], dirOf: (t: Trial) => string, env: Record<string, string> = {}): { output: () => string; child: ChildProcess; exited: Promise<number | null> } {
  const sweep = { file: GRID_FILE, root: ROOT, trials, dirs: Object.fromEntries(trials.map((t) => [t.id, dirOf(t)])) };
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'coordinator-process.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env, REDIS_URL: url, RXLAB_TEST_SWEEP: JSON.stringify(sweep) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { output: () => output, child, exited: new Promise((resolve) => child.on('exit', resolve)) };
}

/** A sweep's trials and folders under `dir`, the shared stages already run and seeded into each trial's folder. */
export async function prepareSweep(grid: Grid, dir: string, file = join(ROOT, GRID_FILE)): Promise<{ trials: Trial[]; dirOf: (t: Trial) => string }> {
  const plan = await loadAndPlan(file, { resolve: resolveStage });
  const shared = sharedStages(plan, new Set(Object.keys(grid).map((k) => k.split('.')[0])));
  const { lock } = await runShared(file, resolveStage, [], shared, join(dir, 'shared'), new AbortController().signal, () => undefined);
  const trials = expandGrid(grid);
  for (const trial of trials) await seedTrial(join(dir, trial.id), join(dir, 'shared'), lock!, file);
  return { trials, dirOf: (t) => join(dir, t.id) };
}

/** Every file of a run folder but run.json and the report drawn from it (times, paths) → its sha256. */
export function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'run.json' && e.name !== 'report.html')
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
  for (const file of files) out[file] = createHash('sha256').update(readFileSync(join(dir, file))).digest('hex');
  return out;
}
