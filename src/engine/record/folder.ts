/**
 * Which folders are rxlab's to write in. rxlab writes only in a folder it created or
 * found empty, and marks each such folder as its own (`<dir>/.rxlab/folder.json`, naming
 * the pipeline file it belongs to). A folder that holds anything without that mark is
 * the user's: it is refused (exit 2, nothing run), never emptied. Inside its folders
 * rxlab follows no symbolic link: `.rxlab` must be a real folder, and the folders between
 * a pipeline's space and a run's (`runs/`, `sweeps/`) too.
 *
 * A pipeline's space (`outputs/<name>/`) belongs to one pipeline file: a copy of a
 * pipeline that kept its `name:` is refused rather than let to write over (and race
 * with) the original's runs. A folder named with `--out` is the user's explicit choice
 * and may hold runs of any pipeline, as long as rxlab made it.
 */
import { lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { UnreadableFileError, readRegularFile } from '../../util/read-file.ts';
import { shown } from '../../util/paths.ts';
import { EnvironmentError } from '../errors.ts';
import { explainWriteError } from './fs-errors.ts';
import { writeAtomic } from './write.ts';

/** rxlab's own records inside an output folder (hidden, so no artifact can take the name). */
export const STATE_DIR = '.rxlab';
/** The mark of a folder rxlab made, inside STATE_DIR. */
export const MARK_FILE = 'folder.json';

interface Mark {
  /** Always "rxlab output folder": says what the file is to someone who finds it. */
  rxlab: string;
  /** The pipeline file whose runs the folder holds, relative to the folder (so moving the project keeps it). */
  pipeline?: string;
}

const MARK_TEXT = 'rxlab output folder';
const MAX_MARK_BYTES = 64 * 1024;

export interface ClaimOptions {
  /** The pipeline file (absolute) whose run is about to write in the folder, and its name (for messages; default the folder's). */
  pipeline: string;
  name?: string;
  /** Refuse the folder when another pipeline file, still there, owns it (a pipeline's own space). */
  exclusive?: boolean;
  /** A folder of rxlab's that `dir` is inside: every folder between them must be a real folder, not a link. */
  within?: string;
}

/** A folder rxlab will not write in: exit code 2, nothing was run. */
const refuse = (message: string): never => {
  throw new EnvironmentError(`${message}; nothing was run`, 2);
};

/**
 * Makes sure rxlab may write in `dir`, creating and marking it when it is new or empty.
 * Throws an EnvironmentError (exit 2) naming the folder and the fix otherwise.
 */
export async function claimFolder(dir: string, options: ClaimOptions): Promise<void> {
  if (options.within) await checkBetween(options.within, dir);
  let stats;
  try {
    // The folder itself may be a link the user made (outputs/ on another disk): that is their choice.
    stats = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') unusable(dir, err);
    try {
      await mkdir(dir, { recursive: true });
    } catch (mkdirErr) {
      unusable(dir, mkdirErr);
    }
    await writeMark(dir, options.pipeline);
    return;
  }
  if (!stats.isDirectory()) refuse(`cannot write to the outputs folder ${dir}: it is a file, not a folder; move it, or give the run another folder with --out DIR`);
  const mark = await readMark(dir);
  if (mark === 'none') {
    const entries = await readdir(dir).catch((err: unknown) => unusable(dir, err));
    if (entries.length > 0) {
      const listed = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, … (${entries.length} in all)` : '');
      refuse(
        `the outputs folder ${dir} holds files rxlab did not make (${listed}); rxlab writes only in folders it made (they carry ${join(STATE_DIR, MARK_FILE)}), so it leaves these alone: give the run a new or empty folder with --out DIR, or move those files away`,
      );
    }
    await writeMark(dir, options.pipeline);
    return;
  }
  const owner = mark === 'adopt' ? undefined : mark.pipeline === undefined ? undefined : resolve(dir, mark.pipeline);
  if (owner === options.pipeline) return;
  if (owner !== undefined && options.exclusive && (await exists(owner))) {
    refuse(
      `${shown(dir)} holds the runs of ${shown(owner)}, which is also named "${options.name ?? basename(dir)}"; give ${shown(options.pipeline)} a name of its own (name: in the file), or its own folder with --out DIR`,
    );
  }
  // A folder an older rxlab made, or whose pipeline file is gone (renamed, moved): this pipeline's from now on.
  if (options.exclusive || owner === undefined) await writeMark(dir, options.pipeline);
}

/** What `dir` says about itself: its mark; `adopt` for a folder an older rxlab made (a `.rxlab` folder, no mark) or whose mark is damaged; `none`. */
async function readMark(dir: string): Promise<Mark | 'adopt' | 'none'> {
  const state = join(dir, STATE_DIR);
  let stats;
  try {
    stats = await lstat(state);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    return unusable(dir, err);
  }
  if (stats.isSymbolicLink()) {
    refuse(`${state} is a symbolic link; rxlab follows no link inside its folders, and did not make this one: remove it, or give the run another folder with --out DIR`);
  }
  if (!stats.isDirectory()) refuse(`${state} is not rxlab's (a file where rxlab keeps its records); remove it, or give the run another folder with --out DIR`);
  let text: string;
  try {
    text = (await readRegularFile(join(state, MARK_FILE), { maxBytes: MAX_MARK_BYTES, noFollow: true })).toString('utf8');
  } catch (err) {
    if (err instanceof UnreadableFileError && (err.reason === 'missing' || err.reason === 'too-large' || err.reason === 'not-regular' || err.reason === 'link')) return 'adopt';
    throw err;
  }
  try {
    const mark = JSON.parse(text) as Partial<Mark>;
    if (typeof mark === 'object' && mark !== null && mark.rxlab === MARK_TEXT) return { rxlab: MARK_TEXT, ...(typeof mark.pipeline === 'string' ? { pipeline: mark.pipeline } : {}) };
  } catch {
    // Damaged: rewritten below, as for a folder an older rxlab made.
  }
  return 'adopt';
}

async function writeMark(dir: string, pipeline: string): Promise<void> {
  const mark: Mark = { rxlab: MARK_TEXT, pipeline: relative(dir, pipeline) };
  try {
    await mkdir(join(dir, STATE_DIR), { recursive: true });
    await writeAtomic(join(dir, STATE_DIR, MARK_FILE), `${JSON.stringify(mark, null, 2)}\n`);
  } catch (err) {
    if (err instanceof EnvironmentError) refuse(`cannot write to the outputs folder ${dir}: ${err.message.replace(/^could not write [^:]*: /, '')}`);
    unusable(dir, err);
  }
}

/** Every folder strictly between `top` and `dir` must be a real folder or not exist yet: a link there would lead out of rxlab's folder. */
async function checkBetween(top: string, dir: string): Promise<void> {
  const between: string[] = [];
  for (let at = dirname(dir); at !== top && at.startsWith(top); at = dirname(at)) between.unshift(at);
  for (const folder of between) {
    let stats;
    try {
      stats = await lstat(folder);
    } catch {
      return; // missing from here down: mkdir makes real folders
    }
    if (stats.isSymbolicLink()) refuse(`${folder} is a symbolic link inside rxlab's folder ${top}; rxlab follows no link there: remove it`);
    if (!stats.isDirectory()) refuse(`${folder} is a file where rxlab keeps a folder of runs; remove it`);
  }
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Refuses an outputs folder that cannot be written, saying why (exit 2); other errors as they are. */
function unusable(dir: string, err: unknown): never {
  const why = explainWriteError(err, dir);
  if (!why) throw err;
  throw new EnvironmentError(`cannot write to the outputs folder ${dir}: ${why}; nothing was run`, 2, { cause: err });
}
