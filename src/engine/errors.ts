/** Errors a user can cause with their input: each points into the file, exit code 2. */

export interface Diagnostic {
  /** The file the problem is in (as given on the command line, or absolute). */
  file: string;
  /** 1-based; 0 when the problem has no place in the file (e.g. it is empty). */
  line: number;
  col: number;
  /** Path in the document, dotted: `stages.train.with.epochs`. Empty for the whole document. */
  path: string;
  /** What was expected and what was found, and the fix when there is one. */
  message: string;
}

export class PipelineInputError extends Error {
  readonly exitCode = 2;

  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'PipelineInputError';
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  // Without a line (a --set on the command line, an empty file) the place ends with a colon.
  const place = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : `${d.file}:`;
  return d.path ? `${place} ${d.path}: ${d.message}` : `${place} ${d.message}`;
}
