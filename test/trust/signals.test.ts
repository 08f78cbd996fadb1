/**
 * Signals in every phase: Ctrl-C (SIGINT) or SIGTERM at any moment — during start-up,
 * while a large data file is checked, while millions of points are generated — stops
 * rxlab within a second, with exit code 1, no stack trace, run.json (once the run has
 * begun) saying "interrupted", no half-written file, and the folder free for the next
 * run, which then makes exactly what a clean run makes. A closed stdout
 * (`rxlab run … | head -1`) ends the run the same way, quietly.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.ts';
import { BIN, expectNoCrash, rxlab } from '../helpers/cli.ts';

/** A pipeline of synchronous stages (the generators, a CSV parse, a split) that takes most of a second. */
const PIPELINE = `name: sync
stages:
  blobs: { uses: blobs, with: { n_samples: 50000, centers: 2, random_state: 1 } }
  moons: { uses: moons, with: { n_samples: 30000, noise: 0.1, random_state: 2 } }
  csv: { uses: dataset, with: { path: points.csv } }
  split: { uses: split, inputs: { dataset: blobs }, with: { random_state: 3 } }
`;

/** 20,000 rows of two features and a label. */
const csv = (): string => ['x1,x2,label', ...Array.from({ length: 20_000 }, (_, i) => `${(i % 997) / 997},${(i % 13) / 13},${i % 2}`)].join('\n');

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
  /** From the signal to the process's exit. */
  latencyMs: number;
}

/** Runs `rxlab run sync.yaml --out out` in `dir` and sends `signal` after `delayMs` (unless it ended already). */
function interrupted(dir: string, delayMs: number, signal: NodeJS.Signals): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'run', 'sync.yaml', '--out', 'out'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr, sentAt, exitedAt] = ['', '', 0, 0];
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      sentAt = performance.now();
      child.kill(signal);
    }, delayMs);
    child.on('exit', () => {
      exitedAt = performance.now();
      clearTimeout(timer);
    });
    child.on('close', (status, killedBy) => resolve({ status, signal: killedBy, stdout, stderr, latencyMs: sentAt ? exitedAt - sentAt : 0 }));
  });
}

/** Every file under `dir` but run.json and its report (times, durations) → sha256. */
function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === 'run.json' || entry.name === 'report.html') continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

const tempFiles = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.name.includes('.rxlab-tmp-')).map((e) => e.name) : [];

/** A folder with the pipeline and its CSV. */
let template: string;
/** What a clean run leaves in out/ and the lock, by hash. */
let clean: Record<string, string>;

beforeAll(() => {
  template = tempDir();
  writeFileSync(join(template, 'sync.yaml'), PIPELINE);
  writeFileSync(join(template, 'points.csv'), csv());
  const dir = tempDir();
  cpSync(template, dir, { recursive: true });
  const result = rxlab(['run', 'sync.yaml', '--out', 'out'], { cwd: dir });
  expect(result.status, result.stderr).toBe(0);
  clean = { ...hashes(join(dir, 'out')), lock: createHash('sha256').update(readFileSync(join(dir, 'sync.lock.json'))).digest('hex') };
}, 120_000);

/** Where a signal landed: before Node ran rxlab, while rxlab started, while it checked the pipeline, during the run (which stage), or after it. */
type Phase = 'node' | 'starting' | 'checking' | 'running' | 'done';

/** Checks one interrupted run and the run after it; says where the signal landed. */
function expectStoppedCleanly(dir: string, outcome: Outcome): { phase: Phase; stages: string[] } {
  const out = join(dir, 'out');
  const what = `after ${outcome.latencyMs.toFixed(0)} ms: ${outcome.stderr}`;
  expectNoCrash(outcome);
  expect(outcome.latencyMs, what).toBeLessThan(1000);
  let landed: { phase: Phase; stages: string[] } = { phase: 'done', stages: [] };
  if (outcome.signal !== null) {
    landed = { phase: 'node', stages: [] };
    // Only before Node ran rxlab's first line (a few tens of milliseconds): nothing was written.
    expect(existsSync(out), what).toBe(false);
  } else if (outcome.status === 1) {
    expect(outcome.stderr, what).toMatch(
      /^(run interrupted after [\d.]+ s \([^)]*\): interrupted by a signal before the run finished|rxlab run: interrupted before the run started; nothing was run|rxlab: interrupted while starting; nothing was run)\n$/,
    );
    if (existsSync(join(out, 'run.json'))) {
      const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { status: string; stages: Record<string, { status: string }> };
      expect(manifest.status, what).toBe('interrupted');
      landed = { phase: 'running', stages: Object.entries(manifest.stages).flatMap(([id, st]) => (st.status === 'interrupted' ? [id] : [])) };
    } else {
      landed = { phase: outcome.stderr.startsWith('rxlab: ') ? 'starting' : 'checking', stages: [] };
    }
    expect(existsSync(join(dir, 'sync.lock.json')), 'an interrupted run never writes the lock').toBe(false);
  } else {
    expect(outcome.status, what).toBe(0); // it finished before the signal came
  }
  expect(tempFiles(out), what).toEqual([]);
  expect(existsSync(join(out, '.rxlab-run.lock')), what).toBe(false);
  const next = rxlab(['run', 'sync.yaml', '--out', 'out'], { cwd: dir });
  expect(next.status, next.stderr).toBe(0);
  expect({ ...hashes(out), lock: createHash('sha256').update(readFileSync(join(dir, 'sync.lock.json'))).digest('hex') }).toEqual(clean);
  return landed;
}

describe('signals in every phase', () => {
  it('36 signals at random moments, start-up included: each run stops within a second, and the next run is byte-identical to a clean one', async () => {
    // A fixed sequence of moments (a linear congruential generator), so a failure can be replayed.
    let seed = 20_261_203;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const cases = Array.from({ length: 36 }, (_, i) => ({ delayMs: Math.floor(random() * 1000), signal: i % 2 === 0 ? ('SIGINT' as const) : ('SIGTERM' as const) }));
    // Three at a time, each in its own folder.
    const landed: { phase: Phase; stages: string[] }[] = [];
    for (let i = 0; i < cases.length; i += 3) {
      const batch = cases.slice(i, i + 3).map((c) => ({ ...c, dir: tempDir() }));
      for (const { dir } of batch) cpSync(template, dir, { recursive: true });
      const outcomes = await Promise.all(batch.map(({ dir, delayMs, signal }) => interrupted(dir, delayMs, signal)));
      batch.forEach(({ dir }, k) => landed.push(expectStoppedCleanly(dir, outcomes[k])));
    }
    // The moments cover start-up and the synchronous stages themselves, not only the quiet ends.
    const count = (phase: Phase): number => landed.filter((l) => l.phase === phase).length;
    expect(count('node') + count('starting') + count('checking'), JSON.stringify(landed)).toBeGreaterThanOrEqual(3);
    expect(count('running'), JSON.stringify(landed)).toBeGreaterThanOrEqual(8);
    expect(new Set(landed.flatMap((l) => l.stages)).size, JSON.stringify(landed)).toBeGreaterThanOrEqual(2);
  }, 600_000);

  it('during start-up, before the run has begun: it ends at once (exit 1), and the folder, its run.json included, stays as it was', async () => {
    const dir = tempDir();
    cpSync(template, dir, { recursive: true });
    expect(rxlab(['run', 'sync.yaml', '--out', 'out'], { cwd: dir }).status).toBe(0);
    const before = hashes(join(dir, 'out'));
    const record = readFileSync(join(dir, 'out', 'run.json'), 'utf8');
    // Early moments, until one lands after Node started (bin/rxlab.js then holds the signal) and before rxlab's code has loaded.
    for (const delayMs of [100, 150, 200, 300, 450, 600, 800, 1000]) {
      const outcome = await interrupted(dir, delayMs, 'SIGINT');
      expectNoCrash(outcome);
      if (outcome.signal !== null || outcome.stderr !== 'rxlab: interrupted while starting; nothing was run\n') continue;
      expect(outcome.status).toBe(1);
      expect(outcome.latencyMs).toBeLessThan(1000);
      expect(hashes(join(dir, 'out'))).toEqual(before);
      expect(readFileSync(join(dir, 'out', 'run.json'), 'utf8')).toBe(record);
      return;
    }
    expect.fail('no signal landed during start-up');
  });

  it('while a large data file is read and checked, before anything is written: "interrupted before the run started"', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sync.yaml'), 'name: sync\nstages:\n  csv: { uses: dataset, with: { path: points.csv } }\n');
    writeFileSync(join(dir, 'points.csv'), ['a,b,label', ...Array.from({ length: 600_000 }, (_, i) => `${i % 101},${i % 7},${i % 2}`)].join('\n'));
    // Until the parse has begun: the command has started its work, and the file is being read.
    for (const delayMs of [400, 600, 800, 1000, 1300]) {
      const outcome = await interrupted(dir, delayMs, 'SIGTERM');
      expectNoCrash(outcome);
      if (outcome.stderr !== 'rxlab run: interrupted before the run started; nothing was run\n') continue;
      expect(outcome.status).toBe(1);
      expect(outcome.latencyMs).toBeLessThan(1000);
      expect(existsSync(join(dir, 'out'))).toBe(false);
      return;
    }
    expect.fail('no signal landed while the data file was checked');
  });

  it('a closed stdout (rxlab run … | head -1): the run stops quietly, frees its folder and says why in run.json', async () => {
    const dir = tempDir();
    cpSync(template, dir, { recursive: true });
    const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'run', 'sync.yaml', '--out', 'out'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // As `head -1` does: read the first line, then close the pipe.
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (status) => resolve({ status, stderr }));
    });
    expectNoCrash({ status: result.status, stdout: '', stderr: result.stderr });
    expect(result.stderr).toMatch(/^run interrupted after [\d.]+ s \([^)]*\): its output was closed \(EPIPE\) before the run finished\n$/);
    expect(result.status).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'run.json'), 'utf8'))).toMatchObject({ status: 'interrupted', error: 'its output was closed (EPIPE) before the run finished' });
    expect(existsSync(join(dir, 'out', '.rxlab-run.lock'))).toBe(false);
    expect(rxlab(['run', 'sync.yaml', '--out', 'out'], { cwd: dir }).status).toBe(0);
  });
});
