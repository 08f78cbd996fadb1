/**
 * One run at a time per output folder: a run holds `<outDir>/.rxlab-run.lock` (created
 * exclusively, holding its pid) until it ends. A second run on the same folder refuses
 * with a message naming the holder; a lock left by a process that no longer exists
 * (killed outright) is taken over.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const LOCK_NAME = '.rxlab-run.lock';

export class OutputFolderBusyError extends Error {
  override name = 'OutputFolderBusyError';
}

interface Holder {
  pid: number;
  startedAt: string;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes the folder's run lock; returns the function that releases it. */
export async function acquireRunLock(outDir: string): Promise<() => Promise<void>> {
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, LOCK_NAME);
  const me: Holder = { pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, JSON.stringify(me), { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(file);
    if (holder && alive(holder.pid)) {
      throw new OutputFolderBusyError(
        `another rxlab run (pid ${holder.pid}, started ${holder.startedAt}) is writing to ${outDir}; wait for it to finish, or give this run its own folder with --out DIR`,
      );
    }
    await rm(file, { force: true }); // stale: its process is gone
  }
  throw new OutputFolderBusyError(`could not take the run lock ${file}; another run keeps taking it`);
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Holder;
  } catch {
    return undefined; // being written or removed this instant: treat as stale
  }
}
