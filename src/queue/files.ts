/**
 * A trial's folder as a list of files, and its contents moved through Redis: laid out in
 * a worker's temporary folder before the run, sent back after it, and written into the
 * coordinator's trial folder — each file checked against its sha256 on arrival, and
 * written only once every file of the trial has arrived whole.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import type { Redis } from 'ioredis';
import { writeAtomic } from '../engine/index.ts';
import type { FileEntry } from './protocol.ts';

const sha256 = (content: Uint8Array): string => createHash('sha256').update(content).digest('hex');

/**
 * Not part of a trial's folder: the run lock a process holds while it writes there and
 * the temporary files of writes in progress (the names engine/record/run-lock.ts and
 * engine/record/write.ts give them).
 */
const transient = (path: string): boolean => path.split('/').some((part) => part.startsWith('.rxlab-run.lock') || part.includes('.rxlab-tmp-'));

/** What tells a file's content unchanged without reading it: an atomic rewrite (temp + rename) brings a new inode. */
type Stamps = Map<string, string>;
const stampOf = (s: { ino: number; size: number; mtimeMs: number }): string => `${s.ino}:${s.size}:${s.mtimeMs}`;
const pathIn = (dir: string, path: string): string => join(dir, ...path.split('/'));

/**
 * Every file of `dir` (none when it does not exist), sorted by path, with its sha256 and
 * size, and the stamps of those `known` holds: a file whose stamp is still the one there
 * keeps its entry instead of being read again. `transient` lists run locks and temporary
 * files, which are not part of a folder.
 */
async function scan(dir: string, known?: { stamps: Stamps; files: readonly FileEntry[] }): Promise<{ files: FileEntry[]; stamps: Stamps; transient: string[] }> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], stamps: new Map(), transient: [] };
    throw err;
  }
  const relative = (e: (typeof entries)[number]): string => join(e.parentPath, e.name).slice(dir.length + 1).split(sep).join('/');
  const paths = entries
    .filter((e) => e.isFile() && !transient(relative(e)))
    .map(relative)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const before = new Map(known?.files.map((f) => [f.path, f]));
  const stamps: Stamps = new Map();
  const files = await Promise.all(
    paths.map(async (path) => {
      const same = before.get(path);
      if (known) stamps.set(path, stampOf(await stat(pathIn(dir, path))));
      if (same && known?.stamps.get(path) === stamps.get(path)) return same;
      const content = await readFile(pathIn(dir, path));
      return { path, sha256: sha256(content), bytes: content.length };
    }),
  );
  return { files, stamps, transient: entries.filter((e) => e.isFile() && transient(relative(e))).map(relative) };
}

/** Every file of `dir` (none when it does not exist), sorted by path, with its sha256 and size. */
export const listFolder = async (dir: string): Promise<FileEntry[]> => (await scan(dir)).files;

/**
 * The folder a worker runs trials in, kept from one trial to the next: it is brought to
 * each trial's seed by writing only the files it lacks and removing those the seed does
 * not have, so the files every trial of a sweep shares are sent and written once per
 * worker, not once per trial. It is the worker's own (a private temporary folder), so
 * what it holds is known from the last listing.
 */
export class TrialFolder {
  private files: FileEntry[] = [];
  private stamps: Stamps = new Map();

  private constructor(readonly dir: string) {}

  static async create(): Promise<TrialFolder> {
    return new TrialFolder(await mkdtemp(join(tmpdir(), 'rxlab-trial-')));
  }

  /** Makes the folder hold exactly `seed`; `fetch` gives the contents of the files it lacks. */
  async become(seed: readonly FileEntry[], fetch: (missing: FileEntry[]) => Promise<Buffer[]>): Promise<void> {
    const wanted = fileKeys(seed);
    const held = fileKeys(this.files);
    const stale = this.files.filter((f) => !wanted.has(`${f.path} ${f.sha256}`));
    const missing = seed.filter((f) => !held.has(`${f.path} ${f.sha256}`));
    const contents = await fetch(missing);
    await Promise.all(stale.map((f) => rm(pathIn(this.dir, f.path), { force: true })));
    // Folders the stale files leave empty go too (deepest first; one still in use refuses).
    const emptied = new Set<string>();
    for (const f of stale) for (let d = dirname(pathIn(this.dir, f.path)); d !== this.dir; d = dirname(d)) emptied.add(d);
    for (const folder of [...emptied].sort((a, b) => b.length - a.length)) await rmdir(folder).catch(() => undefined);
    const folders = new Set(missing.map((f) => dirname(pathIn(this.dir, f.path))));
    await Promise.all([...folders].map((folder) => mkdir(folder, { recursive: true })));
    await Promise.all(missing.map((f, i) => writeFile(pathIn(this.dir, f.path), contents[i])));
    for (const f of stale) this.stamps.delete(f.path);
    await Promise.all(missing.map(async (f) => this.stamps.set(f.path, stampOf(await stat(pathIn(this.dir, f.path))))));
    this.files = [...seed];
  }

  /** The folder's files now (after a run): those it held unchanged are known by their stamps, the rest are read. */
  async list(): Promise<FileEntry[]> {
    const { files, stamps, transient } = await scan(this.dir, { stamps: this.stamps, files: this.files });
    await Promise.all(transient.map((path) => rm(pathIn(this.dir, path), { force: true })));
    this.files = files;
    this.stamps = stamps;
    return files;
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

/** `path sha256` pairs, to tell which files of one list another holds unchanged. */
export const fileKeys = (files: readonly FileEntry[]): Set<string> => new Set(files.map((f) => `${f.path} ${f.sha256}`));

/** Stores each file's content under `keyOf(file)`, expiring after `ttlSeconds`. */
export async function upload(redis: Redis, dir: string, files: readonly FileEntry[], keyOf: (file: FileEntry) => string, ttlSeconds: number): Promise<void> {
  if (files.length === 0) return;
  const contents = await Promise.all(files.map((f) => readFile(pathIn(dir, f.path))));
  const batch = redis.pipeline();
  for (const [i, file] of files.entries()) batch.set(keyOf(file), contents[i], 'EX', ttlSeconds);
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

/**
 * Brings a trial's folder from `before` to `after`: removes the files the run removed,
 * then writes the changed ones, each atomically, the lock and run.json last, so a
 * folder caught half-way still has a lock and run.json that describe it (the cache
 * checks every artifact's hash, and a run.json gone says the run did not finish).
 */
export async function applyFolder(dir: string, before: readonly FileEntry[], after: readonly FileEntry[], contents: ReadonlyMap<string, Buffer>): Promise<void> {
  const kept = new Set(after.map((f) => f.path));
  const write = (path: string): Promise<string> => writeAtomic(pathIn(dir, path), contents.get(path)!);
  if (contents.has('run.json')) await rm(join(dir, 'run.json'), { force: true });
  await Promise.all(before.filter((f) => !kept.has(f.path)).map((f) => rm(pathIn(dir, f.path), { force: true })));
  const last = ['rxlab.lock.json', 'run.json'];
  await Promise.all([...contents.keys()].filter((path) => !last.includes(path)).map(write));
  for (const path of last) if (contents.has(path)) await write(path);
}
