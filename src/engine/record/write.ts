/**
 * Writing what a run produces: every file goes to a temporary name beside its target
 * and is renamed into place, so a reader (or a killed run) never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EnvironmentError } from '../errors.ts';
import { explainWriteError } from './fs-errors.ts';
import { sha256 } from '../../util/canonical.ts';

/** Temporary files are hidden and carry this marker, so a later run can sweep leftovers. */
const TEMP_MARKER = '.rxlab-tmp-';

/** Temp files of writes still in progress, removed if the process is interrupted. */
const inFlight = new Set<string>();

/**
 * Writes `content` to `file` atomically (temp file + rename) and returns its sha256. A
 * failed write leaves nothing behind (not even part of the temp file) and rejects with an
 * EnvironmentError saying why (the disk is full, …) when the file system says so.
 */
export async function writeAtomic(file: string, content: string | Uint8Array): Promise<string> {
  const temp = join(dirname(file), `.${basename(file)}${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
  inFlight.add(temp);
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(temp, content);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined); // e.g. ENOTDIR: there is no temp file
    const why = explainWriteError(err, file);
    throw why ? new EnvironmentError(`could not write ${file}: ${why}`, 1, { cause: err }) : err;
  } finally {
    inFlight.delete(temp);
  }
  return sha256(content);
}

/** Removes the temp files of writes that were still in progress (called on SIGINT/SIGTERM). */
export async function removeInFlightWrites(): Promise<void> {
  await Promise.all([...inFlight].map((temp) => rm(temp, { force: true })));
}

/** Empties a stage's folder before it runs, so no artifact of an earlier run is mistaken for a new one. */
export async function resetDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

/** Removes temp files left by a run that was killed outright (SIGKILL, power loss). */
export async function sweepTempFiles(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch {
    return;
  }
  await Promise.all(entries.filter((e) => e.includes(TEMP_MARKER)).map((e) => rm(join(dir, e), { force: true })));
}
