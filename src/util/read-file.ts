/**
 * Reading a file a user can point rxlab at (a pipeline file, a stage module, a data file,
 * a lock, rxlab's own records in an output folder) without trusting what is there: only a
 * regular file is read, never a FIFO (which would block forever), a device (`/dev/zero`
 * never ends) or a folder, and never more than a stated number of bytes. The file is
 * opened non-blocking and checked on the open handle (fstat), so what is read is what was
 * checked; inside an output folder a symbolic link is not followed (`noFollow`).
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';

export type UnreadableReason = 'missing' | 'not-regular' | 'too-large' | 'link' | 'denied' | 'other';

/** Why a file was not read, in words a message can end with (`…/data.csv: is a FIFO (named pipe), not a regular file`). */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';

  constructor(
    readonly path: string,
    readonly reason: UnreadableReason,
    /** `not found`, `is a folder, not a file`, `is 2 GiB; the limit is 64 MiB`, … */
    readonly why: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${why}`, options);
  }
}

export interface ReadOptions {
  /** Refuse a file larger than this (checked before reading, and while reading: a file growing meanwhile is cut off). */
  maxBytes: number;
  /** Refuse a symbolic link in the last component rather than follow it. */
  noFollow?: boolean;
}

const flags = (noFollow = false): number => constants.O_RDONLY | constants.O_NONBLOCK | (noFollow ? constants.O_NOFOLLOW : 0);

/** `2 GiB`, `64 MiB`, `812 bytes`; rounded up, so a size just over a limit never reads as equal to it. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [2 ** 30, 'GiB'],
    [2 ** 20, 'MiB'],
    [2 ** 10, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (bytes < size) continue;
    const n = bytes / size;
    return `${Number.isInteger(n) ? n : (Math.ceil(n * 10) / 10).toFixed(1).replace(/\.0$/, '')} ${unit}`;
  }
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}

/** What a file that is not a regular file is, for a message. */
export function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function openFailure(path: string, err: unknown, noFollow: boolean): UnreadableFileError {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new UnreadableFileError(path, 'missing', 'not found', { cause: err });
    case 'ELOOP':
      // O_NOFOLLOW on a link fails with ELOOP.
      return noFollow
        ? new UnreadableFileError(path, 'link', 'is a symbolic link, which rxlab does not follow here', { cause: err })
        : new UnreadableFileError(path, 'other', 'too many levels of symbolic links', { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new UnreadableFileError(path, 'denied', 'permission denied', { cause: err });
    case 'EISDIR':
      return new UnreadableFileError(path, 'not-regular', 'is a folder, not a file', { cause: err });
    case 'ENOTDIR':
      return new UnreadableFileError(path, 'missing', 'not found (a part of the path is a file, not a folder)', { cause: err });
    default:
      return new UnreadableFileError(path, 'other', `cannot be read (${code ?? (err as Error).message})`, { cause: err });
  }
}

/** `path` opened for reading (not blocking, not following a last link when `noFollow`), or an UnreadableFileError saying why not. */
async function openForReading(path: string, noFollow = false): Promise<FileHandle> {
  try {
    return await open(path, flags(noFollow));
  } catch (err) {
    throw openFailure(path, err, noFollow);
  }
}

/** `openForReading`, synchronously: a file descriptor. */
function openForReadingSync(path: string, noFollow = false): number {
  try {
    return openSync(path, flags(noFollow));
  } catch (err) {
    throw openFailure(path, err, noFollow);
  }
}

function checkStats(path: string, stats: Stats, maxBytes: number): void {
  if (!stats.isFile()) throw new UnreadableFileError(path, 'not-regular', `is ${kindOf(stats)}, not a regular file`);
  if (stats.size > maxBytes) throw new UnreadableFileError(path, 'too-large', `is ${formatBytes(stats.size)}; the limit is ${formatBytes(maxBytes)}`);
}

const tooLarge = (path: string, maxBytes: number): UnreadableFileError =>
  new UnreadableFileError(path, 'too-large', `is over ${formatBytes(maxBytes)}; the limit is ${formatBytes(maxBytes)}`);

/** The bytes of the regular file `path`, at most `maxBytes` of them; otherwise an UnreadableFileError. */
export async function readRegularFile(path: string, options: ReadOptions): Promise<Buffer> {
  const handle = await openForReading(path, options.noFollow);
  try {
    const stats = await handle.stat();
    checkStats(path, stats, options.maxBytes);
    // One byte past the size: a file that grew since fstat is noticed, not cut silently.
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, options.maxBytes) + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) {
      ({ bytesRead: n } = await handle.read(buffer, length, buffer.length - length, length));
    }
    if (length > options.maxBytes) throw tooLarge(path, options.maxBytes);
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** `readRegularFile`, synchronously (for what runs before anything is asynchronous, such as hashing a module at load time). */
export function readRegularFileSync(path: string, options: ReadOptions): Buffer {
  const fd = openForReadingSync(path, options.noFollow);
  try {
    const stats = fstatSync(fd);
    checkStats(path, stats, options.maxBytes);
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, options.maxBytes) + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, length);
    if (length > options.maxBytes) throw tooLarge(path, options.maxBytes);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** Bytes hashed per read: large files are hashed without being held in memory. */
const CHUNK = 1 << 20;

/**
 * The sha256 of the regular file `path`, read in chunks (a large data file is never held
 * whole), with its size; an UnreadableFileError for anything but a regular file.
 */
export function hashRegularFileSync(path: string, options: Omit<ReadOptions, 'maxBytes'> & { maxBytes?: number } = {}): { sha256: string; bytes: number } {
  const fd = openForReadingSync(path, options.noFollow);
  try {
    checkStats(path, fstatSync(fd), options.maxBytes ?? Number.MAX_SAFE_INTEGER);
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    let bytes = 0;
    for (let n = readSync(fd, buffer, 0, CHUNK, bytes); n > 0; n = readSync(fd, buffer, 0, CHUNK, bytes)) {
      hash.update(buffer.subarray(0, n));
      bytes += n;
    }
    return { sha256: hash.digest('hex'), bytes };
  } finally {
    closeSync(fd);
  }
}

/** `hashRegularFileSync`, without blocking: for verifying artifacts, which can be hundreds of megabytes. */
export async function hashRegularFile(path: string, options: Omit<ReadOptions, 'maxBytes'> = {}): Promise<{ sha256: string; bytes: number }> {
  const handle = await openForReading(path, options.noFollow);
  try {
    checkStats(path, await handle.stat(), Number.MAX_SAFE_INTEGER);
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, bytes);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
    }
    return { sha256: hash.digest('hex'), bytes };
  } finally {
    await handle.close();
  }
}
