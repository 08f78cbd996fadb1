import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputFolderBusyError, acquireRunLock } from '../../src/engine/record/run-lock.ts';
import { tempDir } from '../helpers/engine.ts';

describe('acquireRunLock', () => {
  it('refuses a second run on the same folder, naming the holder, and frees it on release', async () => {
    const out = tempDir();
    const release = await acquireRunLock(out);
    const second = acquireRunLock(out);
    await expect(second).rejects.toThrow(OutputFolderBusyError);
    await expect(second).rejects.toThrow(
      new RegExp(`^another rxlab run \\(pid ${process.pid}, started .+\\) is writing to ${out}; wait for it to finish, or give this run its own folder with --out DIR$`),
    );
    await release();
    expect(existsSync(join(out, '.rxlab-run.lock'))).toBe(false);
    const again = await acquireRunLock(out);
    await again();
  });

  it('takes over a lock whose process is gone', async () => {
    const out = tempDir();
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    writeFileSync(join(out, '.rxlab-run.lock'), JSON.stringify({ pid: deadPid, startedAt: 'earlier' }));
    const release = await acquireRunLock(out);
    expect(JSON.parse(readFileSync(join(out, '.rxlab-run.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    await release();
    expect(existsSync(join(out, '.rxlab-run.lock'))).toBe(false);
  });
});
