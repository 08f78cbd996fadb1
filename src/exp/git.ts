/** The git state a run is recorded with: the commit checked out, and whether the work tree differed from it. */
import { execFile } from 'node:child_process';

export interface GitState {
  commit: string;
  /** Tracked files changed, or files not yet added (outside the outputs folder, which runs write to). */
  dirty: boolean;
}

const git = (cwd: string, args: string[]): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });

/** The state of the work tree at `root` (a project root); undefined outside a git repository, or without git. */
export async function gitState(root: string): Promise<GitState | undefined> {
  try {
    const [head, status] = await Promise.all([git(root, ['rev-parse', 'HEAD']), git(root, ['status', '--porcelain', '--', '.', ':(exclude)outputs'])]);
    return { commit: head.trim(), dirty: status.trim() !== '' };
  } catch {
    // Not a repository, no commit yet, or no git: the record says nothing about git.
    return undefined;
  }
}
