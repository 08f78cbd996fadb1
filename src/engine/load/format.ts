/** Diagnostics as the CLI prints them: the message, then the offending line with a caret. */
import { formatDiagnostic, type Diagnostic } from '../errors.ts';

/**
 * `formatDiagnostic(d)` followed, when `d` has a place in `source` (the file's text), by
 * that line and a caret under the column:
 *
 *     train.yaml:7:21 stages.train.with.epochs: expected an integer ≥ 1, found 0
 *        7 |     with: { epochs: 0 }
 *          |                     ^
 */
export function formatDiagnosticWithSource(d: Diagnostic, source: string): string {
  const head = formatDiagnostic(d);
  const line = d.line > 0 ? source.split(/\r?\n/)[d.line - 1] : undefined;
  if (line === undefined) return head;
  const number = String(d.line);
  const gutter = ' '.repeat(number.length);
  // Tabs are kept so the caret lines up whatever width the terminal gives them.
  const indent = line.slice(0, Math.max(0, d.col - 1)).replace(/[^\t]/g, ' ');
  return `${head}\n ${number} | ${line}\n ${gutter} | ${indent}^`;
}
