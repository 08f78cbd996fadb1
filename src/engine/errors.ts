/**
 * Errors a user can fix, which the CLI prints as they are, without a stack trace: input
 * errors, each pointing into the file (exit code 2), and environment errors, about where
 * the run writes (exit code 1 or 2).
 */

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

  constructor(
    readonly diagnostics: Diagnostic[],
    /** The text of the files the diagnostics point into, by name as they give it, to show the offending lines. */
    readonly sources: Readonly<Record<string, string>> = {},
  ) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'PipelineInputError';
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  // Without a line (a --set on the command line, an empty file) the place ends with a colon.
  const place = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : `${d.file}:`;
  return d.path ? `${place} ${d.path}: ${d.message}` : `${place} ${d.message}`;
}

/**
 * A problem with where or when a command runs rather than with the pipeline file: the
 * outputs folder cannot be written, the disk is full, another run holds the folder. The
 * message names the file or folder and the fix.
 */
export class EnvironmentError extends Error {
  constructor(
    message: string,
    /** 2 when found before anything ran (nothing was run), 1 otherwise. */
    readonly exitCode: 1 | 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EnvironmentError';
  }
}
