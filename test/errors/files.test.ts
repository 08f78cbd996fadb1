/**
 * Where a run writes, through the real CLI: an outputs folder that cannot be written
 * (refused before anything runs, exit 2), a full disk (the stage fails, exit 1, nothing
 * half-written, the lock untouched), artifacts changed between runs (the cache notices),
 * and two runs on one outputs folder at once (the second refuses, exit 1).
 */
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.ts';
import { FIXTURES, ROOT, copyPipeline, expectNoCrash, filesUnder, rxlab, rxlabAsync, rxlabUntil, withoutExcerpts } from '../helpers/cli.ts';

const FULL_DISK = ['--import', join(FIXTURES, 'full-disk.mjs')];
const DISK_FULL = 'the disk is full; free some space, or give the run a folder on another disk with --out DIR';

/** A folder with small.yaml run once into `out`: its lock written, every stage's artifacts there. */
let ran: string;
beforeAll(() => {
  ran = copyPipeline(join(FIXTURES, 'small.yaml')).dir;
  expect(rxlab(['run', 'small.yaml', '--out', 'out'], { cwd: ran }).status).toBe(0);
});

/** A copy of that folder for one test to change. */
function ranOnce() {
  const dir = tempDir();
  cpSync(ran, dir, { recursive: true });
  const lock = join(dir, 'small.lock.json');
  return { dir, out: join(dir, 'out'), lock, lockBefore: readFileSync(lock) };
}

const tempFiles = (dir: string): string[] => filesUnder(dir).filter((f) => f.includes('.rxlab-tmp-'));

describe('rxlab run: an outputs folder that cannot be written', () => {
  it('a file where the folder would be: names it and the fix, runs nothing (exit 2)', () => {
    // As root, permissions do not stop a write, but a file in the path does (ENOTDIR).
    const { dir } = copyPipeline(join(FIXTURES, 'small.yaml'));
    writeFileSync(join(dir, 'results'), 'a file, not a folder\n');
    const result = rxlab(['run', 'small.yaml', '--out', 'results/today'], { cwd: dir });
    expectNoCrash(result);
    expect(result.stderr).toBe(
      `rxlab run: cannot write to the outputs folder ${join(dir, 'results', 'today')}: ${join(dir, 'results')} is a file, not a folder; move it, or give the run another folder with --out DIR; nothing was run\n`,
    );
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
    expect(readFileSync(join(dir, 'results'), 'utf8')).toBe('a file, not a folder\n');
    expect(existsSync(join(dir, 'small.lock.json'))).toBe(false);
  });

  it('a folder without write permission: names the folder to make writable (exit 2)', () => {
    const { dir } = copyPipeline(join(FIXTURES, 'small.yaml'));
    mkdirSync(join(dir, 'readonly'));
    chmodSync(join(dir, 'readonly'), 0o555);
    chmodSync(dir, 0o777);
    // Root may write anywhere: as root, the CLI runs as nobody to meet the permission.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const result = rxlab(['run', 'small.yaml', '--out', 'readonly/out'], { cwd: dir, ...user });
    expectNoCrash(result);
    expect(result.stderr).toBe(
      `rxlab run: cannot write to the outputs folder ${join(dir, 'readonly', 'out')}: permission denied; make ${join(dir, 'readonly')} writable, or give the run another folder with --out DIR; nothing was run\n`,
    );
    expect(result.status).toBe(2);
  });
});

describe('rxlab run: files it reads', () => {
  it('a lock that cannot be read (a folder in its place): names it and the fix, runs nothing (exit 2)', () => {
    const { dir, lock } = copyPipeline(join(FIXTURES, 'small.yaml'));
    mkdirSync(lock);
    const result = rxlab(['run', 'small.yaml', '--out', 'out'], { cwd: dir });
    expectNoCrash(result);
    expect(result.stderr).toBe(
      `${lock}: the lock file is a folder, not a regular file; restore it from git, or delete it and run \`rxlab run\` to record a new one\n1 error; nothing was run\n`,
    );
    expect(result.status).toBe(2);
  });

  it('a data file that is not there: refused before anything runs, with the path it looked for (exit 2)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.yaml'), 'name: p\nstages:\n  data:\n    uses: dataset\n    with: { path: data/points.csv }\n');
    const result = rxlab(['run', 'p.yaml', '--out', 'out'], { cwd: dir });
    expectNoCrash(result);
    expect(withoutExcerpts(result.stderr)).toBe(
      `p.yaml:5:19 stages.data.with.path: data/points.csv: not found (looked for ${join(dir, 'data', 'points.csv')}); path is relative to the pipeline file\n1 error; nothing was run\n`,
    );
    expect(result.status).toBe(2);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('rxlab run: the disk full (a write failing with ENOSPC, injected by test/fixtures/errors/full-disk.mjs)', () => {
  // A real full disk needs a small file system mounted for the test, which CI cannot do;
  // the injected failure is the one the kernel gives, after half the bytes were written.
  it('while writing an artifact: the stage fails naming the file, nothing half-written, the lock untouched (exit 1)', () => {
    const { dir, out, lock, lockBefore } = ranOnce();
    const result = rxlab(['run', 'small.yaml', '--out', 'out', '--force', 'train'], { cwd: dir, node: FULL_DISK, env: { RXLAB_FULL_DISK: 'history.json' } });
    expectNoCrash(result);
    expect(result.stderr).toMatch(/^run failed after [\d.]+ s \([^)]*\): stage "train" failed: could not write (.+): (.+)\n$/);
    expect(result.stderr).toContain(`could not write ${join(out, 'train', 'history.json')}: ${DISK_FULL}\n`);
    expect(result.status).toBe(1);
    expect(tempFiles(out)).toEqual([]);
    expect(existsSync(join(out, 'train', 'history.json'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect([manifest.status, manifest.stages.train.status]).toEqual(['failed', 'failed']);
    expect(readFileSync(lock)).toEqual(lockBefore);
  });

  it('and run.json too: both said, and no run.json of an earlier run left to describe files that are gone', () => {
    const { dir, out, lock, lockBefore } = ranOnce();
    const result = rxlab(['run', 'small.yaml', '--out', 'out', '--force', 'train'], {
      cwd: dir,
      node: FULL_DISK,
      env: { RXLAB_FULL_DISK: 'history.json,run.json' },
    });
    expectNoCrash(result);
    expect(result.stderr).toContain(
      `could not write ${join(out, 'train', 'history.json')}: ${DISK_FULL}; run.json was not written either: could not write ${join(out, 'run.json')}: ${DISK_FULL}\n`,
    );
    expect(result.status).toBe(1);
    expect(existsSync(join(out, 'run.json'))).toBe(false);
    expect(tempFiles(out)).toEqual([]);
    expect(readFileSync(lock)).toEqual(lockBefore);
  });

  it('while writing the lock after a completed run: says so, and the old lock stays whole (exit 1)', () => {
    const { dir, lock, lockBefore } = ranOnce();
    const result = rxlab(['run', 'small.yaml', '--out', 'out', '--set', 'train.epochs=5', '--update-lock'], {
      cwd: dir,
      node: FULL_DISK,
      env: { RXLAB_FULL_DISK: 'small.lock.json' },
    });
    expectNoCrash(result);
    expect(result.stderr).toBe(`rxlab run: could not write ${lock}: ${DISK_FULL}\n`);
    expect(result.status).toBe(1);
    expect(readFileSync(lock)).toEqual(lockBefore);
    expect(tempFiles(dir)).toEqual([]);
  });
});

describe('rxlab status and run: artifacts changed between runs', () => {
  // The cache's and status's unit tests: test/engine/cache.test.ts ("never trusts a
  // tampered or missing file") and test/engine/status.test.ts ("finds a tampered or
  // missing file"). `rxlab check` runs from scratch in a temporary folder and compares with
  // the lock, so what is in the outputs folder does not enter into it.
  it('status names the deleted and the altered artifact (exit 1); run makes them again, byte for byte', () => {
    const { dir, out, lock, lockBefore } = ranOnce();
    const history = readFileSync(join(out, 'train', 'history.json'));
    const params = readFileSync(join(out, 'model', 'params.json'));
    appendFileSync(join(out, 'train', 'history.json'), ' ');
    rmSync(join(out, 'model', 'params.json'));

    const status = rxlab(['status', 'small.yaml', '--out', 'out'], { cwd: dir });
    expect(status.stdout).toMatch(/^model +changed +artifact params\.json missing$/m);
    expect(status.stdout).toMatch(/^train +changed +artifact history\.json modified$/m);
    expect(status.status).toBe(1);

    const run = rxlab(['run', 'small.yaml', '--out', 'out'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('model: started (no params.json in the output folder)');
    expect(run.stdout).toContain('train: started (artifact history.json modified)');
    expect(readFileSync(join(out, 'model', 'params.json'))).toEqual(params);
    expect(readFileSync(join(out, 'train', 'history.json'))).toEqual(history);
    expect(readFileSync(lock)).toEqual(lockBefore);
  });
});

describe('rxlab run: two runs on one outputs folder at once', () => {
  it('the second refuses, naming the first and the fix (exit 1), and touches nothing', async () => {
    const dir = tempDir();
    const stage = join(ROOT, 'test', 'fixtures', 'stages', 'slow-steps.ts');
    writeFileSync(join(dir, 'slow.yaml'), `name: slow\nstages:\n  steps:\n    uses: ${stage}\n    with: { steps: 1000, every_ms: 10 }\n`);
    const out = join(dir, 'out');
    let second: Promise<Awaited<ReturnType<typeof rxlabAsync>>> | undefined;
    let firstPid = 0;
    const first = rxlabUntil(
      ['run', 'slow.yaml', '--out', 'out'],
      'steps: started',
      (child) => {
        firstPid = child.pid!;
        second = rxlabAsync(['run', 'slow.yaml', '--out', 'out'], { cwd: dir });
        void second.then(() => child.kill('SIGINT'));
      },
      dir,
    );
    const [firstResult, secondResult] = [await first, await second!];
    expectNoCrash(secondResult);
    expect(secondResult.stderr).toMatch(
      new RegExp(`^rxlab run: another rxlab run \\(pid ${firstPid}, started [^)]+\\) is writing to ${out}; wait for it to finish, or give this run its own folder with --out DIR\\n$`),
    );
    expect(secondResult.stdout).toBe('');
    expect(secondResult.status).toBe(1);

    // The first went on until it was interrupted, and its record is its own.
    expect(firstResult.status).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).status).toBe('interrupted');
    expect(existsSync(join(out, '.rxlab-run.lock'))).toBe(false);
    expect(rxlab(['run', 'slow.yaml', '--out', 'out', '--set', 'steps.steps=1'], { cwd: dir }).status).toBe(0);
  });
});
