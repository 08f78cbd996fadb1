/**
 * One run at a time per output folder: a run holds `<outDir>/.rxlab-run.lock` (created
 * exclusively, holding its pid) until it ends. A second run on the same folder refuses
 * with a message naming the holder; a lock left by a process that no longer exists
 * (killed outright) is taken over.
 */
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.ts';
import { explainWriteError } from './fs-errors.ts';

const LOCK_NAME = '.rxlab-run.lock';

/** Exit code 1: the folder is fine, and the same command succeeds once the other run ends. */
export class OutputFolderBusyError extends EnvironmentError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'OutputFolderBusyError';
  }
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

/**
 * Takes the folder's run lock; returns the function that releases it. Being the first
 * write of a run, it is also where an outputs folder that cannot be written is found:
 * an EnvironmentError with exit code 2, before anything ran.
 */
export async function acquireRunLock(outDir: string): Promise<() => Promise<void>> {
  const file = join(outDir, LOCK_NAME);
  const me: Holder = { pid: process.pid, startedAt: new Date().toISOString() };
  // The lock appears whole or not at all (written aside, then linked into place), so a
  // run starting at the same instant never reads a half-written one and thinks it stale.
  const temp = join(outDir, `${LOCK_NAME}.${process.pid}`);
  try {
    await mkdir(outDir, { recursive: true });
    await writeFile(temp, JSON.stringify(me));
  } catch (err) {
    unusable(outDir, err);
  }
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await link(temp, file);
        return () => rm(file, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') unusable(outDir, err);
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
  } finally {
    await rm(temp, { force: true });
  }
}

/** Refuses an outputs folder that cannot be written, saying why; other errors as they are. */
function unusable(outDir: string, err: unknown): never {
  const why = explainWriteError(err, outDir);
  if (!why) throw err;
  throw new EnvironmentError(`cannot write to the outputs folder ${outDir}: ${why}; nothing was run`, 2, { cause: err });
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Holder;
  } catch {
    return undefined; // removed this instant, or not a lock we wrote: treat as stale
  }
}
