/**
 * Writing what a run produces: every file goes to a temporary name beside its target
 * and is renamed into place, so a reader (or a killed run) never sees half a file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EnvironmentError } from '../errors.ts';
import { explainWriteError } from './fs-errors.ts';
import { sha256 } from '../../util/canonical.ts';
import { stopIfAborted } from '../../util/steps.ts';

/** What a file is written from: a text, bytes, or a text in parts (a large JSON value, never joined into one string). */
export type FileContent = string | Uint8Array | readonly string[];

/** The size of `content` in bytes, as written (UTF-8). */
export function byteLength(content: FileContent): number {
  if (typeof content === 'string') return Buffer.byteLength(content);
  if (content instanceof Uint8Array) return content.byteLength;
  let bytes = 0;
  for (const part of content) bytes += Buffer.byteLength(part);
  return bytes;
}

/** Temporary files are hidden and carry this marker, so a later run can sweep leftovers. */
const TEMP_MARKER = '.rxlab-tmp-';

/** Writes still in progress, by temp file: a run that is interrupted waits for them to stop, and removes what they left. */
const inFlight = new Map<string, Promise<unknown>>();

/**
 * Writes `content` to `file` atomically (temp file + rename) and returns its sha256. A
 * failed write leaves nothing behind (not even part of the temp file) and rejects with an
 * EnvironmentError saying why (the disk is full, …) when the file system says so. Once
 * `signal` aborts, the write stops where it is (before the rename: no file appears) and
 * rejects with an `interrupted` error.
 */
export function writeAtomic(file: string, content: FileContent, signal?: AbortSignal): Promise<string> {
  const temp = join(dirname(file), `.${basename(file)}${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
  const writing = write(file, temp, content, signal);
  inFlight.set(temp, writing);
  return writing.finally(() => inFlight.delete(temp));
}

async function write(file: string, temp: string, content: FileContent, signal: AbortSignal | undefined): Promise<string> {
  let hash: string;
  try {
    stopIfAborted(signal);
    await mkdir(dirname(file), { recursive: true });
    // 'wx': the temp file is created here (O_EXCL), never opened through a link planted at its name.
    const handle = await open(temp, 'wx');
    try {
      if (typeof content === 'string' || content instanceof Uint8Array) {
        await handle.writeFile(content);
        hash = sha256(content);
      } else hash = await writeParts(handle, content, signal);
    } finally {
      await handle.close();
    }
    stopIfAborted(signal);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined); // e.g. ENOTDIR: there is no temp file
    const why = explainWriteError(err, file);
    throw why ? new EnvironmentError(`could not write ${file}: ${why}`, 1, { cause: err }) : err;
  }
  return hash;
}

/**
 * Parts written (and hashed) a megabyte or so at a time, so a large text never holds the
 * process for long (writeFile goes on from where the last write ended); returns the sha256.
 */
async function writeParts(handle: FileHandle, parts: readonly string[], signal: AbortSignal | undefined): Promise<string> {
  const hash = createHash('sha256');
  let batch: string[] = [];
  let length = 0;
  const flush = async (): Promise<void> => {
    stopIfAborted(signal);
    const text = batch.join('');
    hash.update(text);
    await handle.writeFile(text);
    [batch, length] = [[], 0];
  };
  for (const part of parts) {
    batch.push(part);
    length += part.length;
    if (length >= 1 << 20) await flush();
  }
  if (batch.length > 0) await flush();
  return hash.digest('hex');
}

/**
 * Waits for the writes still in progress to end (an interrupted run's stop at their next
 * step), then removes any temp file left: called on SIGINT/SIGTERM, before run.json is
 * written, so that nothing half-written stays and nothing appears after the record.
 */
export async function settleInFlightWrites(): Promise<void> {
  const pending = [...inFlight];
  await Promise.allSettled(pending.map(([, writing]) => writing));
  await Promise.all(pending.map(([temp]) => rm(temp, { force: true })));
}

/** Empties a stage's folder before it runs, so no artifact of an earlier run is mistaken for a new one. */
export async function resetDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

/**
 * Removes temp files left by a run that was killed outright (SIGKILL, power loss), in
 * `dir` itself and in the folders of `stageIds` there (and their records): only rxlab's
 * own folders, each read without descending further, and never through a link, so the
 * runs of other folders nested in this one (`runs/`, `sweeps/`) are left alone.
 */
export async function sweepTempFiles(dir: string, stageIds: readonly string[], stateDir: string): Promise<void> {
  const folders = [dir, join(dir, stateDir), ...stageIds.flatMap((id) => [join(dir, id), join(dir, stateDir, id)])];
  await Promise.all(folders.map(sweepFolder));
}

async function sweepFolder(folder: string): Promise<void> {
  let names: string[];
  try {
    // A link (or anything but a real folder) is never read through.
    if (!(await lstat(folder)).isDirectory()) return;
    names = await readdir(folder);
  } catch {
    return;
  }
  // unlink, never a recursive removal: a temp file is a file.
  await Promise.all(names.filter((n) => n.includes(TEMP_MARKER)).map((n) => unlink(join(folder, n)).catch(() => undefined)));
}
