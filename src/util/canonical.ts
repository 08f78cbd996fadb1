/**
 * Canonical JSON: the one text a value is hashed as, so equal data always gives equal
 * hashes. Object keys are sorted, numbers are written as JSON.stringify writes them (the
 * shortest text that reads back as the same double), and only plain data is accepted:
 * a value that JSON cannot carry faithfully (a typed array, a Map, a class instance, a
 * function) is refused with its path rather than silently mangled, because the engine
 * replays these values from disk on a cache hit.
 */
import { createHash } from 'node:crypto';

/** A value that is not plain JSON data, with where it is (`params[0].weight`). */
export class NotJsonError extends Error {
  override name = 'NotJsonError';

  constructor(
    readonly path: string,
    readonly found: string,
  ) {
    super(`${found}${path ? ` at ${path}` : ''} is not JSON data`);
  }
}

/**
 * The canonical JSON text of `value`. With `prettyLevels` > 0 the outermost levels are
 * indented (two spaces) and deeper ones stay on one line: a lock file that reads and
 * diffs well without thousands of one-number lines. The hash never uses this layout.
 *
 * @example canonicalJson({ b: 1, a: [1, 2] }) === '{"a":[1,2],"b":1}'
 */
export function canonicalJson(value: unknown, prettyLevels = 0): string {
  return write(value, '', prettyLevels, '');
}

/** The hex sha256 of a text or bytes: how every file and value is identified. */
export const sha256 = (content: string | Uint8Array): string => createHash('sha256').update(content).digest('hex');

/** sha256 of the canonical JSON of `value`: the hash of params, and of values passed between stages. */
export const hashValue = (value: unknown): string => sha256(canonicalJson(value));

function write(value: unknown, path: string, levels: number, indent: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      // JSON has no NaN or Infinity; JSON.stringify writes null, and so does an artifact.
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'object':
      break;
    default:
      throw new NotJsonError(path, `a ${typeof value}`);
  }
  const inner = `${indent}  `;
  const colon = levels > 0 ? ': ' : ':';
  let items: string[];
  let brackets: string;
  if (Array.isArray(value)) {
    // As in JSON.stringify, a hole or undefined in a list is null.
    items = Array.from(value, (v: unknown, i) => (v === undefined ? 'null' : write(v, `${path}[${i}]`, levels - 1, inner)));
    brackets = '[]';
  } else if (isPlainObject(value)) {
    items = Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}${colon}${write(value[k], path ? `${path}.${k}` : k, levels - 1, inner)}`);
    brackets = '{}';
  } else {
    throw new NotJsonError(path, `a ${(value as object).constructor?.name ?? 'object without a prototype'}`);
  }
  if (levels <= 0 || items.length === 0) return `${brackets[0]}${items.join(',')}${brackets[1]}`;
  return `${brackets[0]}\n${inner}${items.join(`,\n${inner}`)}\n${indent}${brackets[1]}`;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
