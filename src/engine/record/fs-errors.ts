/**
 * What a failed write means to the user: the file system's error codes (ENOSPC, EACCES,
 * ENOTDIR, …) in words, with the fix, for messages such as
 * `could not write out/train/history.json: the disk is full; free some space, …`.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';

const ELSEWHERE = 'or give the run another folder with --out DIR';

/** The reason and the fix for a failed write of `path`; undefined for an error that is not a known file-system one. */
export function explainWriteError(err: unknown, path: string): string | undefined {
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOSPC':
      return 'the disk is full; free some space, or give the run a folder on another disk with --out DIR';
    case 'EDQUOT':
      return 'the disk quota is used up; free some space, or give the run a folder on another disk with --out DIR';
    case 'EACCES':
    case 'EPERM':
      return `permission denied; make ${dirname(path)} writable, ${ELSEWHERE}`;
    case 'EROFS':
      return `the file system is read-only; ${ELSEWHERE}`;
    // mkdir says ENOTDIR when a parent is a file, EEXIST when the folder itself is one.
    case 'ENOTDIR':
    case 'EEXIST':
      return `${fileInTheWay(path) ?? 'a part of the path'} is a file, not a folder; move it, ${ELSEWHERE}`;
    case 'EISDIR':
      return `${path} is a folder; remove it, ${ELSEWHERE}`;
    case 'ENAMETOOLONG':
      return `the path is too long; ${ELSEWHERE}`;
    default:
      return undefined;
  }
}

/** The deepest existing part of `path` that is not a folder, if any. */
function fileInTheWay(path: string): string | undefined {
  for (let p = path; dirname(p) !== p; p = dirname(p)) {
    let stats;
    try {
      stats = statSync(p);
    } catch {
      continue; // missing, or under the file in the way (ENOTDIR): look further up
    }
    return stats.isDirectory() ? undefined : p;
  }
  return undefined;
}
