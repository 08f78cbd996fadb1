/**
 * A problem the loader found in the document, before it is given a place: the loader
 * turns each into a `Diagnostic` at the file position of `path` (or at the `--set`
 * that put the value there).
 */

export interface Issue {
  /** Segments from the document root: `['stages', 'train', 'with', 'epochs']`. */
  path: string[];
  /** Point at the key that names `path` (unknown or missing keys) or at its value (wrong values). */
  at: 'key' | 'value';
  message: string;
}

/** `stages.train.with.epochs`, as diagnostics show paths. */
export const dotted = (path: readonly string[]): string => path.join('.');

/** A map as YAML gives it to us (not a list, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How "found …" shows a value: strings quoted, numbers as YAML writes them, collections by kind. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    return String(value);
  }
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (isPlainObject(value)) return Object.keys(value).length === 0 ? 'an empty map' : 'a map';
  return String(value);
}

/** `a`, `a or b`, `a, b or c`. */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** `"a"`, `"a", "b"`: names quoted for messages, at most `max` of them. */
export function quotedList(names: readonly string[], max = 12): string {
  const shown = names.slice(0, max).map((n) => JSON.stringify(n));
  return names.length > max ? `${shown.join(', ')}, ...` : shown.join(', ');
}
