/**
 * Only regular files are read, each with a size limit: a FIFO (which would block a read
 * forever), a device (`/dev/zero` never ends) or a folder given as a pipeline file, a
 * stage module, a data file or a lock is refused at once with a message naming it, as is
 * a file over its limit; `plan` and `status` too. Every case runs in a child process
 * with a timeout, so a hang fails the test instead of stalling it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, expectNoCrash } from '../helpers/cli.ts';
import { TINY, project } from './helpers.ts';

/** `rxlab …args` in `cwd`, killed if it takes more than 20 s (it would hang on a FIFO). */
function rxlabTimed(cwd: string, ...args: string[]) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, signal: result.signal, ms: performance.now() - started };
}

const fifo = (path: string): void => void execFileSync('mkfifo', [path]);

/** Refused at once (no hang), exit 2, with `message` on stderr. */
function expectRefusedNow(result: ReturnType<typeof rxlabTimed>, message: string | RegExp): void {
  expect(result.signal, 'it hung and was killed').toBeNull();
  expectNoCrash(result);
  if (typeof message === 'string') expect(result.stderr).toContain(message);
  else expect(result.stderr).toMatch(message);
  expect(result.status).toBe(2);
}

describe('only regular files are read', () => {
  it('a FIFO, a device or a folder as the pipeline file', () => {
    const dir = project();
    fifo(join(dir, 'fifo.yaml'));
    mkdirSync(join(dir, 'folder.yaml'));
    for (const command of ['run', 'plan', 'status']) {
      expectRefusedNow(rxlabTimed(dir, command, 'fifo.yaml'), 'fifo.yaml: is a FIFO (named pipe), not a regular file; give a pipeline .yaml file\n');
    }
    expectRefusedNow(rxlabTimed(dir, 'plan', '/dev/zero'), '/dev/zero: is a character device, not a regular file; give a pipeline .yaml file\n');
    expectRefusedNow(rxlabTimed(dir, 'plan', 'folder.yaml'), 'folder.yaml: is a directory; give a pipeline .yaml file\n');
  });

  it('a FIFO or a device as a stage module (uses:)', () => {
    const dir = project(`stages:\n  a: { uses: ./stage.ts }\n  b: { uses: /dev/zero }\n`, 'p.yaml');
    fifo(join(dir, 'stage.ts'));
    for (const command of ['run', 'plan', 'status']) {
      const result = rxlabTimed(dir, command, 'p.yaml');
      expectRefusedNow(result, 'p.yaml:2:14 stages.a.uses: stage module ./stage.ts is a FIFO (named pipe), not a regular file; give the module\'s file\n');
      expect(result.stderr).toContain("p.yaml:3:14 stages.b.uses: stage module /dev/zero is a character device, not a regular file; give the module's file\n");
    }
  });

  it('a FIFO, a device, a folder or an oversized file as a data file', () => {
    const dir = project(`stages:
  a: { uses: dataset, with: { path: fifo.csv } }
  b: { uses: dataset, with: { path: /dev/zero } }
  c: { uses: dataset, with: { path: folder.csv } }
  d: { uses: dataset, with: { path: huge.csv } }
`, 'p.yaml');
    fifo(join(dir, 'fifo.csv'));
    mkdirSync(join(dir, 'folder.csv'));
    writeFileSync(join(dir, 'huge.csv'), '');
    truncateSync(join(dir, 'huge.csv'), 300 * 2 ** 20);
    for (const command of ['run', 'plan', 'status']) {
      const result = rxlabTimed(dir, command, 'p.yaml');
      expectRefusedNow(result, /^p\.yaml:2:37 stages\.a\.with\.path: fifo\.csv: is a FIFO \(named pipe\), not a regular file$/m);
      expect(result.stderr).toMatch(/^p\.yaml:3:37 stages\.b\.with\.path: \/dev\/zero: is a character device, not a regular file$/m);
      expect(result.stderr).toMatch(/^p\.yaml:4:37 stages\.c\.with\.path: folder\.csv: is a folder, not a regular file$/m);
      expect(result.stderr).toMatch(/^p\.yaml:5:37 stages\.d\.with\.path: (huge\.csv: is 300 MiB; the limit is 256 MiB|needs about [\d.]+ GiB of memory for reading huge\.csv \(300 MiB\).*)$/m);
    }
  });

  it("a FIFO among the files a user's stage reads (its `reads`): the same refusal, at the param naming it", () => {
    const dir = project(`stages:\n  mine: { uses: ./mine.mts, with: { table: fifo.txt } }\n`, 'p.yaml');
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(
      join(dir, 'mine.mts'),
      `import { EMPTY } from 'rxjs';
import { defineStage } from ${JSON.stringify(join(ROOT, 'src', 'contract', 'stage.ts'))};
export default defineStage({
  name: 'mine', description: 'reads a table', params: { type: 'object', properties: { table: { type: 'string' } }, required: ['table'] },
  reads: (p) => [p.table], run: () => EMPTY,
});
`,
    );
    fifo(join(dir, 'fifo.txt'));
    expectRefusedNow(rxlabTimed(dir, 'run', 'p.yaml'), /^p\.yaml:2:44 stages\.mine\.with\.table: fifo\.txt: is a FIFO \(named pipe\), not a regular file$/m);
  });

  it('a FIFO or a folder where the lock file goes', () => {
    const dir = project();
    fifo(join(dir, 'tiny.lock.json'));
    for (const command of ['run', 'status', 'check']) {
      expectRefusedNow(
        rxlabTimed(dir, command, 'tiny.yaml'),
        `${join(dir, 'tiny.lock.json')}: the lock file is a FIFO (named pipe), not a regular file; restore it from git, or delete it and run \`rxlab run\` to record a new one\n`,
      );
    }
  });

  it('a FIFO among rxlab\'s own records in an output folder: not read, the stage runs again', () => {
    const dir = project(TINY);
    expect(rxlabTimed(dir, 'run', 'tiny.yaml').status).toBe(0);
    const record = join(dir, 'outputs', 'tiny', '.rxlab', 'data', 'record.json');
    execFileSync('rm', [record]);
    fifo(record);
    const status = rxlabTimed(dir, 'status', 'tiny.yaml');
    expect(status.signal).toBeNull();
    expect(status.stdout).toMatch(/^data +changed +its record \.rxlab\/data\/record\.json is damaged \(is a FIFO \(named pipe\), not a regular file\)$/m);
    const run = rxlabTimed(dir, 'run', 'tiny.yaml');
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
  });
});
