/**
 * `--set stage.path.to.param=value`: command-line overrides of stage params.
 *
 * They are applied to the parsed document before it is validated, so a bad value is
 * reported by the same checks, in the same words, as one written in the file; the
 * diagnostic then points at the command line (`file: '--set train.epochs=0'`, line 0).
 */
import { parseDocument } from 'yaml';
import type { Diagnostic } from '../errors.ts';
import { describeValue, dotted, isPlainObject, quotedList } from './issue.ts';
import { didYouMean } from '../../util/suggest.ts';

/** The stage id of `--set '*.param=value'`: every stage whose params declare `param`. */
export const EVERY_STAGE = '*';

/** One parsed `--set`. */
export interface Override {
  /** As given after `--set`: `train.optimizer.lr=0.1`. */
  text: string;
  /** A stage id, or EVERY_STAGE. */
  stageId: string;
  /** Path inside the stage's `with:`, e.g. `['optimizer', 'lr']`. */
  param: string[];
  /** The value, read as YAML: `0.1` is a number, `[1, 2]` a list, `sgd` a string. */
  value: unknown;
}

/** The document path an override sets: `['stages', 'train', 'with', 'optimizer', 'lr']`. */
export const overridePath = (o: Override): string[] => ['stages', o.stageId, 'with', ...o.param];

/** A diagnostic placed on the command line, at the `--set` it is about. */
export const overrideDiagnostic = (text: string, path: readonly string[], message: string): Diagnostic => ({
  file: `--set ${text}`,
  line: 0,
  col: 0,
  path: dotted(path),
  message,
});

const USAGE = 'expected --set stage.param=value, e.g. --set train.epochs=200';

/** Parses each `--set` argument (the text after `--set`); malformed ones become diagnostics. */
export function parseOverrides(texts: readonly string[]): { overrides: Override[]; diagnostics: Diagnostic[] } {
  const overrides: Override[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const text of texts) {
    const parsed = parseOverride(text);
    if ('message' in parsed) diagnostics.push(parsed);
    else overrides.push(parsed);
  }
  return { overrides, diagnostics };
}

function parseOverride(text: string): Override | Diagnostic {
  const eq = text.indexOf('=');
  if (eq < 0) return overrideDiagnostic(text, [], `no "=" found; ${USAGE}`);
  const [stageId, ...param] = text.slice(0, eq).trim().split('.');
  if (stageId === '') return overrideDiagnostic(text, [], `no stage id before "="; ${USAGE}`);
  const path = ['stages', stageId, 'with', ...param];
  if (param.length === 0) return overrideDiagnostic(text, path, `no param after the stage id; ${USAGE}`);
  if (param.some((p) => p === '')) return overrideDiagnostic(text, path, `empty name in the param path "${param.join('.')}"; ${USAGE}`);
  const doc = parseDocument(text.slice(eq + 1), { prettyErrors: false });
  const problem = [...doc.errors, ...doc.warnings][0];
  if (problem) return overrideDiagnostic(text, path, `the value is not valid YAML: ${problem.message}; quote it to pass a string`);
  let value: unknown;
  try {
    // maxAliasCount 0: an alias in a --set value is refused, not resolved.
    value = doc.toJS({ maxAliasCount: 0 });
  } catch (err) {
    return overrideDiagnostic(text, path, `the value is not valid YAML: ${(err as Error).message}`);
  }
  const made = tagMade(value);
  if (made) return overrideDiagnostic(text, path, `a value holds text, numbers, booleans, lists and maps; a tag in this one makes ${made}: remove the tag`);
  return { text, stageId, param, value };
}

/** What one of YAML's own tags (`!!binary`, `!!timestamp`, `!!set`, `!!omap`) made inside `value` instead of plain data, if any. */
function tagMade(value: unknown): string | undefined {
  if (value instanceof Uint8Array) return 'binary data';
  if (value instanceof Date) return 'a date';
  if (value instanceof Set) return 'a set';
  if (value instanceof Map) return 'an ordered map';
  if (Array.isArray(value)) return value.map(tagMade).find(Boolean);
  if (isPlainObject(value)) return Object.values(value).map(tagMade).find(Boolean);
  return undefined;
}

/**
 * Sets each override's value inside `data.stages.<id>.with`, creating maps on the way.
 * Returns diagnostics for overrides that cannot be applied (unknown stage, a path through
 * a value that is not a map); a stage or `with:` of the wrong shape is left for
 * validation to report.
 */
export function applyOverrides(data: unknown, overrides: readonly Override[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const stages = isPlainObject(data) && isPlainObject(data.stages) ? data.stages : {};
  for (const o of overrides) {
    if (!Object.hasOwn(stages, o.stageId)) {
      const ids = Object.keys(stages);
      const hint = didYouMean(o.stageId, ids) || (ids.length > 0 ? `; the stages are ${quotedList(ids)}` : '');
      diagnostics.push(overrideDiagnostic(o.text, ['stages', o.stageId], `unknown stage "${o.stageId}"${hint}`));
      continue;
    }
    const stage = stages[o.stageId];
    if (!isPlainObject(stage)) continue;
    if (stage.with === undefined) stage.with = {};
    if (!isPlainObject(stage.with)) continue;
    const problem = setIn(stage.with, o.param, o.value, ['stages', o.stageId, 'with']);
    if (problem) diagnostics.push(overrideDiagnostic(o.text, overridePath(o), problem));
  }
  return diagnostics;
}

/** Sets `path` inside `target`; a message when a value on the way is not a map (or list). */
function setIn(target: unknown, path: readonly string[], value: unknown, at: string[]): string | undefined {
  if (!isPlainObject(target) && !Array.isArray(target)) return `cannot set: ${dotted(at)} is ${describeValue(target)}, not a map`;
  const [head, ...rest] = path;
  if (Array.isArray(target) && !(/^\d+$/.test(head) && Number(head) < target.length)) {
    return `cannot set: ${dotted(at)} is ${describeValue(target)}, which has no item ${head}`;
  }
  if (rest.length === 0) {
    // defineProperty: a key such as __proto__ is set as a plain key, never as the prototype.
    Object.defineProperty(target, head, { value, enumerable: true, writable: true, configurable: true });
    return undefined;
  }
  if (!Object.hasOwn(target, head)) Object.defineProperty(target, head, { value: {}, enumerable: true, writable: true, configurable: true });
  return setIn((target as Record<string, unknown>)[head], rest, value, [...at, head]);
}

/** The override that set `path` or one of its ancestors (the last such `--set` wins), if any. */
export const overrideAt = (overrides: readonly Override[], path: readonly string[]): Override | undefined =>
  lastOf(overrides, (o) => overridePath(o).every((segment, k) => path[k] === segment));

/** The last override that set something inside `path`, if any. */
export const overrideUnder = (overrides: readonly Override[], path: readonly string[]): Override | undefined =>
  lastOf(overrides, (o) => path.every((segment, k) => overridePath(o)[k] === segment));

function lastOf(overrides: readonly Override[], test: (o: Override) => boolean): Override | undefined {
  for (let i = overrides.length - 1; i >= 0; i--) if (test(overrides[i])) return overrides[i];
  return undefined;
}
