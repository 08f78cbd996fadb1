/**
 * Damaged files rxlab reads back — a lock edited or merged badly, its records in an
 * output folder, a run lock left half-made, the folder mark — never give a stack trace:
 * a lock that is not whole is refused with its file, the place in it and how to recover
 * (exit 2); a damaged record only makes its stage run again; a run lock that cannot be
 * cleared names itself and how to free it. test/errors/fuzz.test.ts throws thousands of
 * random ones at the same code.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, expectNoCrash, rxlab } from '../helpers/cli.ts';
import { TINY, project } from './helpers.ts';

const FIX = 'restore it from git, or delete it and run `rxlab run` to record a new one';

/** A project run once with `tiny.yaml`, and its lock's text. */
function ranProject(): { dir: string; lockFile: string; lock: string } {
  const dir = project(TINY);
  expect(rxlab(['run', 'tiny.yaml'], { cwd: dir }).status).toBe(0);
  const lockFile = join(dir, 'tiny.lock.json');
  return { dir, lockFile, lock: readFileSync(lockFile, 'utf8') };
}

describe('a damaged lock', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each case damages the lock in its own way
  const damages: [string, (lock: Record<string, any>) => void, RegExp][] = [
    ['a stage entry null', (l) => (l.stages.data = null), /:5:17 stages\.data: damaged lock: expected a stage entry, found null; /],
    ['its artifacts missing', (l) => delete l.stages.data.artifacts, /stages\.data\.artifacts: damaged lock: expected a map of artifact file names to sha256 hashes, found nothing; /],
    ['its inputs null', (l) => (l.stages.data.inputs = null), /stages\.data\.inputs: damaged lock: expected a map of input names to hashes, found null; /],
    ['a metric a string', (l) => (l.stages.data.metrics = { accuracy: 'high' }), /stages\.data\.metrics\.accuracy: damaged lock: expected a finite number, found "high"; /],
    ['its code a number', (l) => (l.stages.data.code = 7), /stages\.data\.code: damaged lock: expected a string, found 7; /],
    ['its params a list', (l) => (l.stages.data.params = []), /stages\.data\.params: damaged lock: expected the params as a map, found a list; /],
    ['an artifact named out of its folder', (l) => (l.stages.data.artifacts['../../escape.txt'] = 'x'), /stages\.data\.artifacts\.\.\.\/\.\.\/escape\.txt: damaged lock: an artifact name is a plain file name; /],
    ['the pipeline name missing', (l) => delete l.pipeline, /:\d+:\d+ pipeline: damaged lock: expected the pipeline's name|: pipeline: damaged lock/],
  ];
  for (const [i, [what, damage, message]] of damages.entries()) {
    // Every command reads the lock through the same function: all three on the first cases, status on the rest.
    const commands = i < 2 ? ['run', 'status', 'check'] : ['status'];
    it(`${what}: ${commands.join(', ')} refuse${commands.length === 1 ? 's' : ''}, naming the lock, the place and the fix (exit 2)`, () => {
      const { dir, lockFile, lock } = ranProject();
      const parsed = JSON.parse(lock);
      damage(parsed);
      writeFileSync(lockFile, JSON.stringify(parsed, null, 4));
      for (const command of commands) {
        const result = rxlab([command, 'tiny.yaml'], { cwd: dir });
        expectNoCrash(result);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).toContain(lockFile);
        expect(result.stderr).toContain(FIX);
        expect(result.status).toBe(2);
      }
    });
  }

  it('cut short, or not JSON at all: the same', () => {
    const { dir, lockFile, lock } = ranProject();
    writeFileSync(lockFile, lock.slice(0, lock.length / 2));
    const result = rxlab(['status', 'tiny.yaml'], { cwd: dir });
    expectNoCrash(result);
    expect(result.stderr).toMatch(new RegExp(`^${lockFile}: not a lock file: .*; ${FIX.replace(/[`()]/g, '\\$&')}\\n1 error; nothing was run\\n$`));
    expect(result.status).toBe(2);
  });
});

describe("rxlab's records in an output folder, damaged", () => {
  it('a record that is not JSON, or not a record: the stage runs again, and says why', () => {
    const { dir } = ranProject();
    const record = join(dir, 'outputs', 'tiny', '.rxlab', 'data', 'record.json');
    for (const [content, why] of [
      ['{"madeWith": nul', 'its record .rxlab/data/record.json is damaged (not JSON)'],
      ['{"madeWith": {"rxlab": 1}}', 'its record .rxlab/data/record.json is damaged (not a stage record)'],
      ['[]', 'its record .rxlab/data/record.json is damaged (not a stage record)'],
    ]) {
      writeFileSync(record, content);
      expect(rxlab(['status', 'tiny.yaml'], { cwd: dir }).stdout).toContain(why);
      const run = rxlab(['run', 'tiny.yaml'], { cwd: dir });
      expectNoCrash(run);
      expect(run.stdout).toContain(`data: started (${why})`);
    }
  });

  it('a recorded output changed: the stage runs again rather than hand it on', () => {
    const { dir } = ranProject();
    writeFileSync(join(dir, 'outputs', 'tiny', '.rxlab', 'data', 'output-dataset.json'), '{"X":[[9,9]],"y":[1]}');
    const run = rxlab(['run', 'tiny.yaml'], { cwd: dir });
    expect(run.stdout).toContain('data: started (recorded output dataset modified)');
  });

  it('the folder mark damaged: the folder is still known for rxlab\'s (it holds rxlab\'s records) and marked again', () => {
    const { dir } = ranProject();
    const mark = join(dir, 'outputs', 'tiny', '.rxlab', 'folder.json');
    writeFileSync(mark, 'garbage');
    expect(rxlab(['run', 'tiny.yaml'], { cwd: dir }).status).toBe(0);
    expect(JSON.parse(readFileSync(mark, 'utf8'))).toEqual({ rxlab: 'rxlab output folder', pipeline: '../../tiny.yaml' });
  });

  it('a run lock left half-made: a garbage holder is taken over; one rxlab cannot clear names itself and how to free the folder (exit 1)', () => {
    const { dir } = ranProject();
    const lock = join(dir, 'outputs', 'tiny', '.rxlab-run.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'holder-1-x.json'), '{"pid": "not a pid"');
    expect(rxlab(['run', 'tiny.yaml'], { cwd: dir }).status).toBe(0);
    mkdirSync(join(lock, 'a-folder'), { recursive: true });
    writeFileSync(join(lock, 'a-folder', 'x'), '');
    const result = rxlab(['run', 'tiny.yaml'], { cwd: dir });
    expectNoCrash(result);
    expect(result.stderr).toMatch(
      new RegExp(`^rxlab run: the run lock ${lock} holds a-folder, which rxlab cannot remove \\(E[A-Z]+\\); if no rxlab run is using ${join(dir, 'outputs', 'tiny')}, remove ${lock} and run again\\n$`),
    );
    expect(result.status).toBe(1);
  });
});

describe('an error rxlab did not foresee (a bug)', () => {
  it('is one line naming it as a bug, exit 1; RXLAB_DEBUG=1 adds the stack trace for the report', () => {
    const { dir } = ranProject();
    const node = ['--import', join(FIXTURES, 'unforeseen.mjs')];
    const result = rxlab(['run', 'tiny.yaml'], { cwd: dir, node });
    expectNoCrash(result);
    expect(result.stderr).toBe('rxlab run: unexpected error (a bug in rxlab, please report it): injected by test/fixtures/errors/unforeseen.mjs; RXLAB_DEBUG=1 shows where\n');
    expect(result.status).toBe(1);
    expect(rxlab(['run', 'tiny.yaml'], { cwd: dir, node, env: { RXLAB_DEBUG: '1' } }).stderr).toMatch(/^\s+at .+unforeseen\.mjs/m);
  });
});
