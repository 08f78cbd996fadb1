import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputFolderBusyError, acquireRunLock, currentHolder, isAlive, processStartTicks } from '../../src/engine/record/run-lock.ts';
import { tempDir } from '../helpers/engine.ts';

const LOCK = '.rxlab-run.lock';

/** A pid that no process has now (a child that has exited). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

/** A stale lock as a killed run leaves it: the lock folder with its holder's file. */
function staleLock(out: string, holder: Record<string, unknown>): void {
  mkdirSync(join(out, LOCK));
  writeFileSync(join(out, LOCK, `holder-${String(holder.pid)}-0123456789ab.json`), JSON.stringify(holder));
}

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
    expect(existsSync(join(out, LOCK))).toBe(false);
    const again = await acquireRunLock(out);
    await again();
    expect(readdirSync(out)).toEqual([]);
  });

  it('takes over a lock whose process is gone', async () => {
    const out = tempDir();
    staleLock(out, { ...currentHolder(), pid: await deadPid() });
    const release = await acquireRunLock(out);
    const [holder] = readdirSync(join(out, LOCK));
    expect(JSON.parse(readFileSync(join(out, LOCK, holder), 'utf8'))).toMatchObject({ pid: process.pid });
    await release();
    expect(existsSync(join(out, LOCK))).toBe(false);
  });

  it('takes over a lock whose pid now belongs to another process (a pid reused after a crash)', async () => {
    const out = tempDir();
    // pid 1 is alive, but it did not start when the holder says it did.
    const ticks = processStartTicks(1);
    expect(ticks).toBeTypeOf('number');
    staleLock(out, { ...currentHolder(), pid: 1, startTicks: ticks! + 12345 });
    const release = await acquireRunLock(out);
    await release();
    // …whereas the same pid with its real start time holds the lock.
    staleLock(out, { ...currentHolder(), pid: 1, startTicks: ticks });
    await expect(acquireRunLock(out)).rejects.toThrow(/^another rxlab run \(pid 1, started /);
  });

  it('takes over a lock recorded before the machine rebooted, and one an older rxlab left as a file', async () => {
    const out = tempDir();
    staleLock(out, { ...currentHolder(), bootId: 'another-boot' });
    await (await acquireRunLock(out))();
    writeFileSync(join(out, LOCK), JSON.stringify({ pid: await deadPid(), startedAt: 'earlier' }));
    await (await acquireRunLock(out))();
    writeFileSync(join(out, LOCK), 'not a lock at all');
    await (await acquireRunLock(out))();
  });

  it('counts a holder on another host as alive (it cannot be checked from here) and says how to free it', async () => {
    const out = tempDir();
    staleLock(out, { ...currentHolder(), host: 'elsewhere' });
    expect(isAlive({ ...currentHolder(), host: 'elsewhere' })).toBe(true);
    await expect(acquireRunLock(out)).rejects.toThrow(`(if no run on elsewhere is using it, remove ${join(out, LOCK)})`);
    expect(hostname()).not.toBe('elsewhere');
  });

  it('of many runs racing for a stale lock, exactly one takes it (no read-then-remove race)', async () => {
    const dead = await deadPid();
    for (let round = 0; round < 15; round++) {
      const out = tempDir();
      staleLock(out, { ...currentHolder(), pid: dead });
      const attempts = await Promise.allSettled(Array.from({ length: 12 }, () => acquireRunLock(out)));
      const won = attempts.filter((a) => a.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const lost of attempts.filter((a) => a.status === 'rejected')) expect((lost as PromiseRejectedResult).reason).toBeInstanceOf(OutputFolderBusyError);
      expect(readdirSync(join(out, LOCK))).toHaveLength(1);
      await (won[0] as PromiseFulfilledResult<() => Promise<void>>).value();
    }
  });

  it('across processes too: of 6 processes racing for a stale lock, one takes it', async () => {
    const out = tempDir();
    staleLock(out, { ...currentHolder(), pid: await deadPid() });
    const script = `
      import { acquireRunLock } from ${JSON.stringify(join(import.meta.dirname, '../../src/engine/record/run-lock.ts'))};
      try { await acquireRunLock(process.argv[1]); console.log('took'); setTimeout(() => {}, 60_000); }
      catch (err) { console.log(err.name); }`;
    // The one that takes it holds it until all have answered, however slowly each started.
    const children = Array.from({ length: 6 }, () => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, out]));
    const results = await Promise.all(
      children.map(
        (child) =>
          new Promise<string>((resolve) => {
            let stdout = '';
            child.stdout.on('data', (d: Buffer) => {
              stdout += d.toString();
              if (stdout.endsWith('\n')) resolve(stdout.trim());
            });
            child.on('close', () => resolve(stdout.trim()));
          }),
      ),
    );
    for (const child of children) child.kill('SIGKILL');
    expect(results.filter((r) => r === 'took')).toHaveLength(1);
    expect(results.filter((r) => r === 'OutputFolderBusyError')).toHaveLength(5);
  });

  it('never writes through a link planted where the lock or its holder goes', async () => {
    const out = tempDir();
    const victim = tempDir();
    writeFileSync(join(victim, 'precious.txt'), 'keep\n');
    symlinkSync(victim, join(out, LOCK));
    const release = await acquireRunLock(out);
    await release();
    expect(readdirSync(victim)).toEqual(['precious.txt']);
    expect(readFileSync(join(victim, 'precious.txt'), 'utf8')).toBe('keep\n');
  });
});
