/**
 * One writer at a time per output folder: a run (and a sweep, on its folder) holds
 * `<dir>/.rxlab-run.lock/` until it ends. A second one refuses with a message naming the
 * holder; a lock left by a process that no longer exists (killed outright) is taken over.
 *
 * The lock is a folder holding one file named after its holder (`holder-<pid>-<token>.json`),
 * made aside and renamed into place. rename(2) onto an existing folder succeeds only when
 * that folder is empty, atomically, so of two runs racing for a free lock exactly one
 * wins. A stale holder is taken over by deleting that holder's file, by its own unique
 * name, and renaming again: a run that inspects a stale holder at the same moment as
 * another can at worst delete that same stale file (already gone), never the new holder's,
 * so two runs never both take a stale lock (the read-then-remove race of a lock file).
 *
 * A holder is alive when its process exists and is the same process: on Linux its start
 * time (from /proc/<pid>/stat) and the boot it ran in must match what it recorded, so a
 * pid reused by an unrelated process after a crash does not keep the lock forever.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UnreadableFileError, readRegularFile } from '../../util/read-file.ts';
import { EnvironmentError } from '../errors.ts';
import { explainWriteError } from './fs-errors.ts';

export const RUN_LOCK_NAME = '.rxlab-run.lock';

/** Exit code 1: the folder is fine, and the same command succeeds once the other run ends. */
export class OutputFolderBusyError extends EnvironmentError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'OutputFolderBusyError';
  }
}

/** What a holder records about itself. */
export interface Holder {
  pid: number;
  /** Start time of the process, in clock ticks after boot (Linux); absent where /proc is not. */
  startTicks?: number;
  /** The boot the process ran in (Linux). */
  bootId?: string;
  host: string;
  startedAt: string;
}

const HOLDER_PREFIX = 'holder-';
/** A holder file is a few hundred bytes; anything larger is not one. */
const MAX_HOLDER_BYTES = 4096;
/** Rounds of "find the holder stale, take over" before giving up (only reached if others keep taking it). */
const ATTEMPTS = 8;

/** The start time of process `pid` in clock ticks after boot, from /proc/<pid>/stat; undefined where there is no /proc or no such process. */
export function processStartTicks(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2, the command, is in parentheses and may itself hold spaces and ')': fields 3… follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[22 - 3]);
  return Number.isSafeInteger(ticks) ? ticks : undefined;
}

let boot: string | undefined | null = null;
/** This boot's id (Linux), so that a holder recorded before a reboot is never taken for a live one. */
function bootId(): string | undefined {
  if (boot === null) {
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      boot = undefined;
    }
  }
  return boot;
}

/** This process as a holder. */
export function currentHolder(): Holder {
  const startTicks = processStartTicks(process.pid);
  const id = bootId();
  return { pid: process.pid, ...(startTicks !== undefined ? { startTicks } : {}), ...(id ? { bootId: id } : {}), host: hostname(), startedAt: new Date().toISOString() };
}

/**
 * Whether `holder` is a process that still runs. A holder on another host cannot be
 * checked from here and counts as alive (its message says so).
 */
export function isAlive(holder: Holder): boolean {
  if (holder.host !== hostname()) return true;
  const id = bootId();
  if (holder.bootId && id && holder.bootId !== id) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (holder.startTicks === undefined) return true;
  const ticks = processStartTicks(holder.pid);
  // No /proc entry for a pid that kill() found: cannot tell, so alive.
  return ticks === undefined || ticks === holder.startTicks;
}

/**
 * Takes the folder's run lock; returns the function that releases it. `dir` must exist
 * (the caller claimed it). A folder that cannot be written is an EnvironmentError with
 * exit code 2, before anything ran.
 */
export async function acquireRunLock(dir: string): Promise<() => Promise<void>> {
  const lock = join(dir, RUN_LOCK_NAME);
  const me = currentHolder();
  const own = `${HOLDER_PREFIX}${me.pid}-${randomBytes(6).toString('hex')}.json`;
  const aside = join(dir, `${RUN_LOCK_NAME}.${own}.tmp`);
  try {
    await mkdir(aside);
    // 'wx': created here, never through a link someone planted.
    await writeFile(join(aside, own), JSON.stringify(me), { flag: 'wx' });
  } catch (err) {
    await rm(aside, { recursive: true, force: true }).catch(() => undefined);
    unusable(dir, err);
  }
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await rename(aside, lock);
        return () => release(lock, own);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EISDIR') unusable(dir, err);
      }
      await clearStale(lock, dir);
    }
    throw new OutputFolderBusyError(`could not take the run lock ${lock}: other runs keep taking it; wait for them to finish, or give this run its own folder with --out DIR`);
  } finally {
    await rm(aside, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Frees the lock: this holder's file goes, then the folder if no one has taken it meanwhile. */
async function release(lock: string, own: string): Promise<void> {
  await rm(join(lock, own), { force: true });
  await rmdir(lock).catch(() => undefined); // ENOTEMPTY: the next run already holds it; ENOENT: gone
}

/**
 * Throws OutputFolderBusyError when a live run holds the lock; otherwise removes what
 * is in the way: stale holders (each by its own name), or a file left where the lock
 * folder goes (an older rxlab's lock file whose process is gone, or anything else).
 */
async function clearStale(lock: string, dir: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(lock);
  } catch {
    return; // released this instant: try again
  }
  if (!stats.isDirectory()) {
    // An older rxlab's lock file (its pid inside), or something else in the way: never followed, only removed when no live run is named in it.
    const holder = stats.isFile() ? await readHolder(lock) : undefined;
    if (holder && isAlive(holder)) busy(holder, dir, lock);
    await unlink(lock).catch(() => undefined);
    return;
  }
  let names: string[];
  try {
    names = await readdir(lock);
  } catch (err) {
    damaged(lock, dir, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  for (const name of names) {
    const path = join(lock, name);
    const holder = name.startsWith(HOLDER_PREFIX) ? await readHolder(path) : undefined;
    if (holder && isAlive(holder)) busy(holder, dir, lock);
  }
  for (const name of names) {
    try {
      await unlink(join(lock, name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') damaged(lock, dir, `holds ${name}, which rxlab cannot remove (${code ?? String(err)})`);
    }
  }
}

function busy(holder: Holder, dir: string, lock: string): never {
  const other = holder.host !== hostname();
  const who = `pid ${holder.pid}${other ? ` on ${holder.host}` : ''}, started ${holder.startedAt}`;
  const check = other ? ` (if no run on ${holder.host} is using it, remove ${lock})` : '';
  throw new OutputFolderBusyError(`another rxlab run (${who}) is writing to ${dir}; wait for it to finish, or give this run its own folder with --out DIR${check}`);
}

function damaged(lock: string, dir: string, what: string): never {
  throw new EnvironmentError(`the run lock ${lock} ${what}; if no rxlab run is using ${dir}, remove ${lock} and run again`, 1);
}

/** Refuses an outputs folder that cannot be written, saying why; other errors as they are. */
function unusable(dir: string, err: unknown): never {
  const why = explainWriteError(err, dir);
  if (!why) throw err;
  throw new EnvironmentError(`cannot write to the outputs folder ${dir}: ${why}; nothing was run`, 2, { cause: err });
}

/** A holder file's content; undefined for anything that is not one (it then counts as stale). */
async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    const value = JSON.parse((await readRegularFile(file, { maxBytes: MAX_HOLDER_BYTES, noFollow: true })).toString('utf8')) as Partial<Holder>;
    if (typeof value !== 'object' || value === null || !Number.isSafeInteger(value.pid) || (value.pid as number) <= 0) return undefined;
    return {
      pid: value.pid as number,
      ...(Number.isSafeInteger(value.startTicks) ? { startTicks: value.startTicks } : {}),
      ...(typeof value.bootId === 'string' ? { bootId: value.bootId } : {}),
      // An older rxlab's lock names no host: it was this one's.
      host: typeof value.host === 'string' ? value.host : hostname(),
      startedAt: typeof value.startedAt === 'string' ? value.startedAt : 'at an unknown time',
    };
  } catch (err) {
    if (err instanceof UnreadableFileError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}
