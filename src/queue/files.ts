/**
 * A trial's folder as a list of files, and its contents moved through Redis: laid out in
 * a worker's temporary folder before the run, sent back after it, and written into the
 * coordinator's trial folder — each file checked against its sha256 on arrival, and
 * written only once every file of the trial has arrived whole.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { Redis } from 'ioredis';
import { writeAtomic } from '../engine/record.ts';
import type { FileEntry } from './protocol.ts';

const sha256 = (content: Uint8Array): string => createHash('sha256').update(content).digest('hex');

/**
 * Not part of a trial's folder: the run lock a process holds while it writes there and
 * the temporary files of writes in progress (the names engine/run-lock.ts and
 * engine/record.ts give them).
 */
const transient = (name: string): boolean => name.startsWith('.rxlab-run.lock') || name.includes('.rxlab-tmp-');

/** Every file of `dir` (none when it does not exist), sorted by path, with its sha256 and size. */
export async function listFolder(dir: string): Promise<FileEntry[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const paths = entries
    .filter((e) => e.isFile() && !transient(e.name))
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1).split(sep).join('/'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(
    paths.map(async (path) => {
      const content = await readFile(join(dir, path));
      return { path, sha256: sha256(content), bytes: content.length };
    }),
  );
}

/** `path sha256` pairs, to tell which files of one list another holds unchanged. */
export const fileKeys = (files: readonly FileEntry[]): Set<string> => new Set(files.map((f) => `${f.path} ${f.sha256}`));

/** Stores each file's content under `keyOf(file)`, expiring after `ttlSeconds`. */
export async function upload(redis: Redis, dir: string, files: readonly FileEntry[], keyOf: (file: FileEntry) => string, ttlSeconds: number): Promise<void> {
  if (files.length === 0) return;
  const batch = redis.pipeline();
  for (const file of files) batch.set(keyOf(file), await readFile(join(dir, ...file.path.split('/'))), 'EX', ttlSeconds);
  for (const [err] of (await batch.exec()) ?? []) if (err) throw err;
}

/** A file whose content is missing from Redis or is not what its entry says. */
export class TransferError extends Error {
  override name = 'TransferError';
}

/** Reads every file's content from Redis and checks it against its sha256 and size; nothing is written. */
export async function download(redis: Redis, files: readonly FileEntry[], keyOf: (file: FileEntry) => string): Promise<Buffer[]> {
  if (files.length === 0) return [];
  const contents = await redis.mgetBuffer(...files.map(keyOf));
  return files.map((file, i) => {
    const content = contents[i];
    if (content === null) throw new TransferError(`${file.path} is no longer in Redis (expired or evicted)`);
    if (content.length !== file.bytes || sha256(content) !== file.sha256) {
      throw new TransferError(`${file.path} arrived with sha256 ${sha256(content).slice(0, 12)}… (${content.length} bytes), not the ${file.sha256.slice(0, 12)}… (${file.bytes} bytes) it was sent as`);
    }
    return content;
  });
}

/** Lays files out in a fresh folder (a worker's, before the run). */
export async function layOut(dir: string, files: readonly FileEntry[], contents: readonly Buffer[]): Promise<void> {
  for (const [i, file] of files.entries()) {
    const target = join(dir, ...file.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, contents[i]);
  }
}

/**
 * Brings a trial's folder from `before` to `after`: removes the files the run removed,
 * then writes the changed ones, each atomically, the lock and run.json last, so a
 * folder caught half-way still has a lock and run.json that describe it (the cache
 * checks every artifact's hash, and a run.json gone says the run did not finish).
 */
export async function applyFolder(dir: string, before: readonly FileEntry[], after: readonly FileEntry[], contents: ReadonlyMap<string, Buffer>): Promise<void> {
  const kept = new Set(after.map((f) => f.path));
  const last = (path: string): number => (path === 'run.json' ? 2 : path === 'rxlab.lock.json' ? 1 : 0);
  if (contents.has('run.json')) await rm(join(dir, 'run.json'), { force: true });
  for (const file of before) if (!kept.has(file.path)) await rm(join(dir, ...file.path.split('/')), { force: true });
  const changed = after.filter((f) => contents.has(f.path)).sort((a, b) => last(a.path) - last(b.path));
  for (const file of changed) await writeAtomic(join(dir, ...file.path.split('/')), contents.get(file.path)!);
}
