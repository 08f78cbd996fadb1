/**
 * Reading and checking a user's dataset: CSV (numbers, label in the last column unless
 * told otherwise, optional header row) or JSON (`{"X": [[…]], "y": […]}`). Every problem
 * is reported with its place: a line and column in the file, or a path in the data.
 */
import type { Dataset } from '../data.ts';

/** One problem: `where` is `file:line:col` for a file, or a path such as `X[3]` for inline data. */
export interface DataProblem {
  where: string;
  message: string;
}

export class DatasetError extends Error {
  constructor(readonly problems: DataProblem[]) {
    super(problems.map((p) => `${p.where}: ${p.message}`).join('; '));
    this.name = 'DatasetError';
  }
}

/** Shape and labels: every row as long as the first, finite numbers, one integer label ≥ 0 per row. */
export function checkDataset(X: unknown, y: unknown, place: (path: string) => string): DataProblem[] {
  const problems: DataProblem[] = [];
  const add = (path: string, message: string): number => problems.push({ where: place(path), message });
  if (!Array.isArray(X) || X.length === 0) return [{ where: place('X'), message: 'expected a non-empty list of rows' }];
  if (!Array.isArray(y)) return [{ where: place('y'), message: 'expected a list of labels' }];
  const width = Array.isArray(X[0]) ? X[0].length : 0;
  if (width === 0) add('X[0]', 'expected a row of at least one number');
  X.forEach((row: unknown, i) => {
    if (!Array.isArray(row)) return add(`X[${i}]`, `expected a row of numbers, found ${JSON.stringify(row)}`);
    if (row.length !== width) add(`X[${i}]`, `expected ${width} features (as in X[0]), found ${row.length}`);
    row.forEach((v: unknown, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) add(`X[${i}][${j}]`, `expected a finite number, found ${JSON.stringify(v)}`);
    });
  });
  if (y.length !== X.length) add('y', `expected ${X.length} labels (one per row of X), found ${y.length}`);
  y.forEach((v: unknown, i) => {
    if (!Number.isInteger(v) || (v as number) < 0) add(`y[${i}]`, `expected a class label (an integer ≥ 0), found ${JSON.stringify(v)}`);
  });
  return problems;
}

/** Parses a numeric CSV; the label column is the last one unless `label` names (header) or numbers (0-based) it. */
export function parseCsv(text: string, file: string, label?: string | number): Dataset {
  const problems: DataProblem[] = [];
  const lines = text.split(/\r?\n/).map((l, i) => ({ line: i + 1, cells: l.split(',').map((c) => c.trim()) }));
  const rows = lines.filter((l) => l.cells.some((c) => c !== ''));
  if (rows.length === 0) throw new DatasetError([{ where: file, message: 'the file has no rows; expected numbers separated by commas' }]);
  const header = rows[0].cells.some((c) => c !== '' && Number.isNaN(Number(c))) ? rows.shift()!.cells : undefined;
  const width = (header ?? rows[0]?.cells ?? []).length;
  let labelIndex = width - 1;
  if (typeof label === 'number') labelIndex = label;
  if (typeof label === 'string') {
    labelIndex = header?.indexOf(label) ?? -1;
    if (labelIndex < 0) {
      const names = header ? `its columns are ${header.join(', ')}` : 'it has no header row';
      throw new DatasetError([{ where: `${file}:1:1`, message: `no column named "${label}"; ${names}` }]);
    }
  }
  if (labelIndex < 0 || labelIndex >= width) {
    throw new DatasetError([{ where: `${file}:1:1`, message: `label column ${labelIndex} does not exist; the file has ${width} columns` }]);
  }
  const X: number[][] = [];
  const y: number[] = [];
  for (const { line, cells } of rows) {
    if (cells.length !== width) {
      problems.push({ where: `${file}:${line}:1`, message: `expected ${width} columns, found ${cells.length}` });
      continue;
    }
    const values = cells.map((c, j) => {
      const v = c === '' ? NaN : Number(c);
      if (!Number.isFinite(v)) problems.push({ where: `${file}:${line}:${column(lines[line - 1].cells, j)}`, message: `expected a number, found "${c}"` });
      return v;
    });
    const labelValue = values[labelIndex];
    if (Number.isFinite(labelValue) && (!Number.isInteger(labelValue) || labelValue < 0)) {
      problems.push({ where: `${file}:${line}:${column(cells, labelIndex)}`, message: `expected a class label (an integer ≥ 0), found ${cells[labelIndex]}` });
    }
    y.push(labelValue);
    X.push(values.filter((_, j) => j !== labelIndex));
  }
  if (problems.length) throw new DatasetError(problems);
  return { X, y };
}

/** 1-based column where cell `j` starts in a line split at commas (cells were trimmed; close enough to point at it). */
function column(cells: string[], j: number): number {
  return cells.slice(0, j).reduce((sum, c) => sum + c.length + 1, 0) + 1;
}

/** Parses `{"X": …, "y": …}` and checks it, problems placed as `file: X[3]`. */
export function parseJsonDataset(text: string, file: string): Dataset {
  let data: { X?: unknown; y?: unknown };
  try {
    data = JSON.parse(text) as { X?: unknown; y?: unknown };
  } catch (err) {
    throw new DatasetError([{ where: file, message: `not valid JSON (${(err as Error).message}); expected {"X": [[…]], "y": […]}` }]);
  }
  const problems = checkDataset(data?.X, data?.y, (path) => `${file} ${path}`);
  if (problems.length) throw new DatasetError(problems);
  return { X: data.X as number[][], y: data.y as number[] };
}
