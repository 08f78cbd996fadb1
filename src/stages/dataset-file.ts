/**
 * Reading and checking a user's dataset: CSV (numbers, label in the last column unless
 * told otherwise, optional header row) or JSON (`{"X": [[…]], "y": […]}`). Every problem
 * is reported with its place: a line and column in the file, or a path in the data. A
 * CSV is parsed a step at a time (see util/steps.ts), so a file of a million rows never
 * keeps the process from answering Ctrl-C.
 */
import type { Dataset } from '../data.ts';
import { complete } from '../util/steps.ts';

/** One problem: in a file (with its line and column for a CSV), or at a path in the data (`X[3][1]`). */
export interface DataProblem {
  /** `file:line:col`, `file X[3]`, or `with.X[3]`: how a message shows the place. */
  where: string;
  message: string;
  /** Where in the data or in `with:` (`['X', 3, 1]`), for inline data and JSON files. */
  path?: (string | number)[];
  /** 1-based, for a CSV. */
  line?: number;
  col?: number;
}

export class DatasetError extends Error {
  constructor(readonly problems: DataProblem[]) {
    super(problems.map((p) => `${p.where}: ${p.message}`).join('; '));
    this.name = 'DatasetError';
  }
}

/** More problems than this in one file help no one: the rest are counted. */
const MAX_PROBLEMS = 20;

/** `X[3][1]` for ['X', 3, 1]. */
const showPath = (path: readonly (string | number)[]): string => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

/**
 * Shape, values and labels: at least one row of at least one feature, every row as long
 * as the first, finite numbers, one integer label ≥ 0 per row. `place` shows a path.
 */
export function checkDataset(X: unknown, y: unknown, place: (path: string) => string): DataProblem[] {
  const problems: DataProblem[] = [];
  const add = (path: (string | number)[], message: string): void => {
    if (problems.length <= MAX_PROBLEMS) problems.push({ where: place(showPath(path)), path, message });
  };
  if (!Array.isArray(X) || X.length === 0) return [{ where: place('X'), path: ['X'], message: 'expected a non-empty list of rows' }];
  if (!Array.isArray(y)) return [{ where: place('y'), path: ['y'], message: 'expected a list of labels' }];
  const width = Array.isArray(X[0]) ? X[0].length : 0;
  if (width === 0) add(['X', 0], 'expected a row of at least one number');
  X.forEach((row: unknown, i) => {
    if (!Array.isArray(row)) return add(['X', i], `expected a row of numbers, found ${JSON.stringify(row)}`);
    if (row.length !== width) add(['X', i], `expected ${width} features (as in X[0]), found ${row.length}`);
    row.forEach((v: unknown, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) add(['X', i, j], `expected a finite number, found ${describe(v)}`);
    });
  });
  if (y.length !== X.length) add(['y'], `expected ${X.length} labels (one per row of X), found ${y.length}`);
  y.forEach((v: unknown, i) => {
    if (!Number.isInteger(v) || (v as number) < 0) add(['y', i], `expected a class label (an integer ≥ 0), found ${describe(v)}`);
  });
  return capped(problems);
}

const describe = (v: unknown): string => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : (JSON.stringify(v) ?? String(v)));

function capped(problems: DataProblem[]): DataProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_PROBLEMS), { where: problems[0].where.split(/[: ]/)[0], message: 'and more problems not shown' }];
}

/** Parses a numeric CSV; the label column is the last one unless `label` names (header) or numbers (0-based) it. */
export const parseCsv = (text: string, file: string, label?: string | number): Dataset => complete(parseCsvSteps(text, file, label));

/** Rows parsed between two yields. */
const STEP_LINES = 20_000;

/** `parseCsv`, a step at a time. */
export function* parseCsvSteps(text: string, file: string, label?: string | number): Generator<void, Dataset> {
  const problems: DataProblem[] = [];
  const add = (line: number, col: number, message: string): void => {
    if (problems.length <= MAX_PROBLEMS) problems.push({ where: `${file}:${line}:${col}`, line, col, message });
  };
  const lines = text.split(/\r?\n/);
  yield;
  const cellsOf = (i: number): string[] => lines[i].split(',').map((c) => c.trim());
  const first = lines.findIndex((l) => l.trim() !== '' && l.split(',').some((c) => c.trim() !== ''));
  if (first < 0) throw new DatasetError([{ where: file, message: 'the file has no rows; expected numbers separated by commas' }]);
  const firstCells = cellsOf(first);
  const header = firstCells.some((c) => c !== '' && Number.isNaN(Number(c))) ? firstCells : undefined;
  const width = firstCells.length;
  let labelIndex = width - 1;
  if (typeof label === 'number') labelIndex = label;
  if (typeof label === 'string') {
    labelIndex = header?.indexOf(label) ?? -1;
    if (labelIndex < 0) {
      const names = header ? `its columns are ${header.join(', ')}` : 'it has no header row';
      throw new DatasetError([{ where: `${file}:${first + 1}:1`, line: first + 1, col: 1, message: `no column named "${label}"; ${names}` }]);
    }
  }
  if (labelIndex < 0 || labelIndex >= width) {
    throw new DatasetError([{ where: `${file}:${first + 1}:1`, line: first + 1, col: 1, message: `label column ${labelIndex} does not exist; the file has ${width} column${width === 1 ? '' : 's'}` }]);
  }
  if (width < 2) {
    throw new DatasetError([
      { where: `${file}:${first + 1}:1`, line: first + 1, col: 1, message: 'the file has one column, the labels, and no features; expected features, then the label, separated by commas' },
    ]);
  }
  const X: number[][] = [];
  const y: number[] = [];
  for (let start = header ? first + 1 : first; start < lines.length; start += STEP_LINES) {
    for (let i = start, end = Math.min(start + STEP_LINES, lines.length); i < end; i++) {
      if (lines[i].trim() === '') continue;
      const cells = cellsOf(i);
      if (cells.every((c) => c === '')) continue;
      const line = i + 1;
      if (cells.length !== width) {
        add(line, 1, `expected ${width} columns, found ${cells.length}`);
        continue;
      }
      const values = cells.map((c, j) => {
        const v = c === '' ? NaN : Number(c);
        if (!Number.isFinite(v)) add(line, column(cells, j), `expected a finite number, found "${c}"`);
        return v;
      });
      const labelValue = values[labelIndex];
      if (Number.isFinite(labelValue) && (!Number.isInteger(labelValue) || labelValue < 0)) {
        add(line, column(cells, labelIndex), `expected a class label (an integer ≥ 0), found ${cells[labelIndex]}`);
      }
      y.push(labelValue);
      X.push(values.filter((_, j) => j !== labelIndex));
    }
    yield;
  }
  if (problems.length) throw new DatasetError(capped(problems));
  if (X.length === 0) throw new DatasetError([{ where: `${file}:${first + 1}:1`, line: first + 1, col: 1, message: 'the file has a header row but no data rows' }]);
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
