/** Paths as the user should read them: relative to where they ran the command. */
import { relative } from 'node:path';

/** `path` relative to the working directory when it is inside it, absolute otherwise. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
