/**
 * The record of a pipeline's runs: every run — the base run, `--set` runs, sweep trials and
 * checks — as one small JSON file in `outputs/<name>/.history/`, named
 * `<start time>-<id>.json` so that a plain listing is in order of time.
 *
 * Why one file per run rather than one append-only log:
 * - Concurrent runs never write the same file, so no lock is needed between them: two
 *   processes recording at the same instant write two files. An O_APPEND log is only safe
 *   while each record goes out in one write(2) that the file system does not split (POSIX
 *   promises that for pipes up to PIPE_BUF, 4 KiB, not for files; NFS does not honour
 *   O_APPEND at all), and a record holds every param and artifact hash of a run: several KiB.
 * - A record is written whole or not at all: to a temporary name, flushed to disk (fsync),
 *   then renamed into place. A run killed in the middle of it leaves the previous version
 *   of its record, never a torn line that a reader of a log would have to repair.
 * - A run writes its record twice: `running` as it starts, then how it ended. A run killed
 *   outright (SIGKILL, power loss) keeps its `running` record, which a reader shows as
 *   ended without word once its process is gone; nothing about it is lost.
 * - Records are only ever added: a run rewrites its own record (running → ended), never
 *   another's, and nothing removes one.
 *
 * The folder name starts with a dot, which no stage id can (so it never meets a stage's
 * folder), and sits beside `runs/` and `sweeps/` in the pipeline's space. Temporary files
 * carry a marker of their own, not the engine's: a run starting in the same space sweeps
 * the engine's leftovers, and must not take a record another process is writing.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The format of a record; bumped when an older rxlab could misread a newer one. */
export const RECORD_FORMAT = 1;

/** The folder of the records, inside a pipeline's space (`outputs/<name>/`). */
export const HISTORY_DIR = '.history';

/** How a run ended, or `running` while it runs (or if it was killed before it could say). */
export type RecordStatus = 'running' | 'completed' | 'failed' | 'interrupted';

/** `run`: `rxlab run` (base or `--set`); `trial`: one trial of a sweep; `check`: `rxlab check`. */
export type RunKind = 'run' | 'trial' | 'check';

export type Direction = 'maximize' | 'minimize';

/** One run on record. */
export interface RunRecord {
  format: number;
  /** 8 hex digits, unique among the pipeline's runs; `exp diff` and `exp apply` take it (or a prefix). */
  id: string;
  /** Readable: `base`, what a `--set` run set (`lr=0.1,seed=1`), `--name`, or `check`. */
  name: string;
  kind: RunKind;
  pipeline: { name: string; file: string; sha256: string };
  /** The `--set` arguments, as given (a trial's are its values). */
  overrides: string[];
  /** For a trial: its sweep's folder and its id there (`trial-003`). */
  sweep?: { dir: string; trial: string };
  status: RecordStatus;
  error?: string;
  /** ISO 8601. */
  startedAt: string;
  /** Absent while it runs. */
  durationMs?: number;
  /** The process that ran it, on which host: a `running` record whose process is gone was killed. */
  pid: number;
  host: string;
  /** The commit checked out in the project, and whether the work tree differed from it; absent outside git. */
  git?: { commit: string; dirty: boolean };
  /** Where its artifacts are (absolute); absent for a check (its folder is temporary). */
  outDir?: string;
  /** Each stage's resolved params, defaults included, by stage id. */
  params: Record<string, Record<string, unknown>>;
  /** What became of each stage: `completed`, `cached`, `failed`, `running` (when the run stopped), `pending`; how long it took, why it ran. */
  stages: Record<string, { uses: string; status: string; durationMs?: number; reason?: string }>;
  /** Its declared metrics as it reported them: `evaluate.accuracy` → value. */
  metrics: Record<string, number>;
  /** The direction of each metric the pipeline declares, reported or not. */
  directions: Record<string, Direction>;
  /** sha256 of every artifact: `train/history.json` → hash. */
  artifacts: Record<string, string>;
  /** For a check: how its artifacts compared with the committed lock. */
  check?: { ok: boolean; same: number; changed: number; missing: number; new: number };
}

/** A record as read back: a `running` one whose process is gone shows as `interrupted`, saying so. */
export interface ReadRecords {
  records: RunRecord[];
  /** Files that are not records (unreadable, not JSON, another format), with why. */
  skipped: { file: string; reason: string }[];
}

/** Marks a record being written; never the engine's temp marker (see above). */
const TEMP = '.writing-';

/** A new record id. */
export const newRecordId = (): string => randomBytes(4).toString('hex');

/** The file a record lives in: its start time first, so names sort by time. */
const fileOf = (record: Pick<RunRecord, 'startedAt' | 'id'>): string => `${record.startedAt.replace(/[:.]/g, '')}-${record.id}.json`;

/**
 * Writes `record` into `historyDir` atomically and durably: temp file, fsync, rename. A
 * record written again (running → ended) replaces its earlier version whole.
 */
export async function writeRecord(historyDir: string, record: RunRecord): Promise<void> {
  const file = join(historyDir, fileOf(record));
  const temp = join(historyDir, `${TEMP}${fileOf(record)}.${process.pid}.${randomBytes(3).toString('hex')}`);
  await mkdir(historyDir, { recursive: true });
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(recordText(record));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** A record as its file holds it: a field a line, and a line for each entry of a map (each stage's params, each artifact). */
function recordText(record: RunRecord): string {
  const field = ([key, value]: [string, unknown]): string => {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) return ` ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
    const entries = Object.entries(value).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
    return ` ${JSON.stringify(key)}: {\n${entries.join(',\n')}\n }`;
  };
  return `{\n${Object.entries(record).map(field).join(',\n')}\n}\n`;
}

/** Whether process `pid` exists (EPERM: it does, as someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Every record in `historyDir`, oldest first. A `running` record of this host whose process
 * no longer exists is reported `interrupted`, with why; one of another host is left as it is.
 * Synchronous: the records are small, and a command reads them all before showing anything.
 */
export function readRecords(historyDir: string): ReadRecords {
  let names: string[];
  try {
    names = readdirSync(historyDir).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: [] };
    throw err;
  }
  const records: RunRecord[] = [];
  const skipped: ReadRecords['skipped'] = [];
  const here = hostname();
  for (const name of names) {
    const file = join(historyDir, name);
    let record: RunRecord;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
    } catch (err) {
      skipped.push({ file, reason: err instanceof SyntaxError ? `not JSON (${err.message})` : (err as Error).message });
      continue;
    }
    if (typeof record !== 'object' || record === null || record.format !== RECORD_FORMAT || typeof record.id !== 'string') {
      skipped.push({ file, reason: `not a run record of format ${RECORD_FORMAT}` });
      continue;
    }
    if (record.status === 'running' && record.host === here && !alive(record.pid)) {
      record.status = 'interrupted';
      record.error = `its process (pid ${record.pid}) ended without recording how the run ended: it was killed, or the machine stopped`;
    }
    records.push(record);
  }
  return { records, skipped };
}
