/**
 * `rxlab exp show`: a pipeline's runs as one table, like `dvc exp show` — a row per run,
 * the params that differ between the rows and every metric as columns — with `--filter`,
 * `--sort` and `--all-params`. The table is data here (columns and cells); the CLI prints
 * it as text, CSV or JSON.
 *
 * A param that a string in the pipeline file computes from others (a title with `${…}`)
 * differs whenever they do and says nothing new: it is left out unless `allParams`.
 *
 * Columns are named as everywhere else: `train.optimizer.lr` a param, `evaluate.accuracy` a
 * metric. Where a param and a metric share a name (train's `loss` function and its `loss`),
 * the name means the metric, and `param:train.loss` the param (`metric:` works too).
 */
import { parse } from 'yaml';
import { computedParams } from './computed.ts';
import { EnvironmentError } from '../engine/index.ts';
import { didYouMean } from '../util/suggest.ts';
import type { Direction, RunRecord } from './history.ts';

/** A `--filter` or `--sort` that cannot be used: exit 2. */
export class ExpQueryError extends EnvironmentError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'ExpQueryError';
  }
}

/** What each run shows besides its params and metrics. */
export const INFO_COLUMNS = ['id', 'name', 'kind', 'status', 'started', 'duration', 'commit'] as const;

export interface Column {
  /** How the run's values are keyed: `id`, `param:train.optimizer.lr`, `metric:evaluate.accuracy`. */
  id: string;
  /** Its heading, and how --sort and --filter name it: `train.optimizer.lr`, or `param:train.loss` where a metric has that name. */
  label: string;
  kind: 'info' | 'param' | 'metric';
  /** For a metric: which way is better. */
  direction?: Direction;
}

export interface RunTable {
  columns: Column[];
  /** The runs shown, in order, each with a value per column id (absent: the run has none). */
  rows: { record: RunRecord; values: Record<string, unknown> }[];
}

export interface TableOptions {
  /** `KEY OP VALUE` each (all must hold): `evaluate.accuracy>=0.9`, `kind=trial`, `train.optimizer.lr=0.1`. */
  filters?: readonly string[];
  /** A column key: metrics best first (their direction), anything else ascending; runs without a value last. */
  sort?: string;
  /** Every param, not only those that differ between the runs shown. */
  allParams?: boolean;
  /** The pipeline file's text: its `${…}` strings are left out of the params that differ. */
  source?: string;
}

/** Every leaf of each stage's params as `stage.path.to.param` → value; lists are leaves (`model.layers`). */
export function flattenParams(params: RunRecord['params']): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    } else flat[path] = value;
  };
  for (const [stage, p] of Object.entries(params)) walk(p, stage);
  return flat;
}

/** The values a run's row shows for the info columns. */
function infoValues(r: RunRecord): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    status: r.status,
    started: r.startedAt,
    ...(r.durationMs !== undefined ? { duration: r.durationMs / 1000 } : {}),
    ...(r.git ? { commit: `${r.git.commit.slice(0, 7)}${r.git.dirty ? '*' : ''}` } : {}),
  };
}

const OPERATORS = ['<=', '>=', '!=', '=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];

/** `KEY OP VALUE` with the value read as YAML (`0.1` a number, `sgd` a string, `[2, 1]` a list). */
function parseFilter(text: string): { key: string; op: Operator; value: unknown } {
  const at = text.search(/<=|>=|!=|=|<|>/);
  if (at <= 0) throw new ExpQueryError(`--filter ${text}: expected KEY OP VALUE with OP one of ${OPERATORS.join(' ')}, e.g. --filter evaluate.accuracy>=0.9`);
  const op = OPERATORS.find((o) => text.startsWith(o, at))!;
  const raw = text.slice(at + op.length).trim();
  let value: unknown;
  try {
    value = raw === '' ? '' : parse(raw);
  } catch {
    value = raw;
  }
  return { key: text.slice(0, at).trim(), op, value };
}

/** Orders two values: numbers as numbers, anything else by its text; undefined when they cannot be compared. */
function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [typeof a === 'string' ? a : JSON.stringify(a), typeof b === 'string' ? b : JSON.stringify(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

function holds(value: unknown, op: Operator, wanted: unknown): boolean {
  if (value === undefined) return op === '!=';
  const c = compare(value, wanted);
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** The table of `records` (oldest first), filtered, sorted and with the columns `options` ask for. */
export function runTable(records: readonly RunRecord[], options: TableOptions = {}): RunTable {
  const keyed = (prefix: string, values: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}:${k}`, v]));
  const all = records.map((record) => ({ record, values: { ...infoValues(record), ...keyed('param', flattenParams(record.params)), ...keyed('metric', record.metrics) } }));
  const directions: Record<string, Direction> = Object.assign({}, ...records.map((r) => r.directions));
  const paramNames = unique(records.flatMap((r) => Object.keys(flattenParams(r.params))));
  const metricNames = unique([...Object.keys(directions), ...records.flatMap((r) => Object.keys(r.metrics))]);
  const labelOf = (id: string): string => {
    const [kind, name] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
    return kind === 'param' && metricNames.includes(name) ? id : name;
  };
  const ids = [...INFO_COLUMNS, ...paramNames.map((n) => `param:${n}`), ...metricNames.map((n) => `metric:${n}`)];
  /** The column a user's key names; the metric where a param shares its name. */
  const resolve = (key: string, flag: string): string => {
    const id = [key, `metric:${key}`, `param:${key}`].find((k) => ids.includes(k));
    if (id) return id;
    const labels = ids.map((i) => (i.includes(':') ? labelOf(i) : i));
    const hint = didYouMean(key, labels) || `; columns are ${INFO_COLUMNS.join(', ')}, a param (stage.param) or a metric (${metricNames.join(', ') || 'none recorded'})`;
    throw new ExpQueryError(`${flag}: no column "${key}"${hint}`);
  };

  let rows = all;
  for (const text of options.filters ?? []) {
    const { key, op, value } = parseFilter(text);
    const id = resolve(key, `--filter ${text}`);
    rows = rows.filter((row) => holds(row.values[id], op, value));
  }
  if (options.sort !== undefined) {
    const id = resolve(options.sort, `--sort ${options.sort}`);
    const sign = id.startsWith('metric:') && directions[id.slice('metric:'.length)] === 'maximize' ? -1 : 1;
    // Stable: runs that tie keep their order in time.
    rows = [...rows].sort((a, b) => {
      const [x, y] = [a.values[id], b.values[id]];
      if (x === undefined || y === undefined) return Number(x === undefined) - Number(y === undefined);
      return sign * compare(x, y);
    });
  }

  const computed = options.source === undefined ? new Set<string>() : computedParams(options.source);
  const differs = (id: string): boolean => new Set(rows.map((row) => JSON.stringify(row.values[id]))).size > 1;
  const params = paramNames.filter((n) => options.allParams || (!computed.has(n) && differs(`param:${n}`)));
  const metrics = metricNames.filter((n) => rows.some((row) => row.values[`metric:${n}`] !== undefined));
  return {
    columns: [
      ...INFO_COLUMNS.map((id): Column => ({ id, label: id, kind: 'info' })),
      ...params.map((n): Column => ({ id: `param:${n}`, label: labelOf(`param:${n}`), kind: 'param' })),
      ...metrics.map((n): Column => ({ id: `metric:${n}`, label: n, kind: 'metric', ...(directions[n] ? { direction: directions[n] } : {}) })),
    ],
    rows,
  };
}

const unique = (keys: string[]): string[] => [...new Set(keys)];
