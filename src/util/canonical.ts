/**
 * Canonical JSON: the one text a value is hashed as, so equal data always gives equal
 * hashes. Object keys are sorted, numbers are written as JSON.stringify writes them (the
 * shortest text that reads back as the same double), and only plain data is accepted:
 * a value that JSON cannot carry faithfully (a typed array, a Map, a class instance, a
 * function) is refused with its path rather than silently mangled, because the engine
 * replays these values from disk on a cache hit.
 */
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { stopIfAborted } from './steps.ts';

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

/** The hex sha256 of a text or bytes (or of a text given in parts): how every file and value is identified. */
export function sha256(content: string | Uint8Array | readonly string[]): string {
  const hash = createHash('sha256');
  if (typeof content === 'string' || content instanceof Uint8Array) hash.update(content);
  else for (const part of content) hash.update(part);
  return hash.digest('hex');
}

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
    // Numbers, or rows of numbers (a dataset's X), are written by JSON.stringify as canonical JSON would write them.
    if (levels <= 0 && isNumeric(value)) return JSON.stringify(value);
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

/**
 * A list of numbers, or of lists of numbers: JSON.stringify writes it exactly as the
 * canonical writer would (numbers the same way, non-finite ones as null, no keys to sort),
 * several times faster.
 */
function isNumeric(list: readonly unknown[]): boolean {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (typeof item === 'number') continue;
    if (!Array.isArray(item)) return false;
    for (let j = 0; j < item.length; j++) if (typeof item[j] !== 'number') return false;
  }
  // A sparse list has holes that `for` reads as undefined, caught above; this one is dense.
  return true;
}

/** Lists longer than this are written in slices, the process answering signals between them. */
const SLICE = 20_000;
/** At most this long between two turns of the event loop while writing. */
const TURN_MS = 25;

export interface JsonPartsOptions {
  /** Sort object keys (canonical JSON, what hashes are of); otherwise keep their order, as JSON.stringify does. */
  sortKeys?: boolean;
  /** Stop (rejecting with an `interrupted` error) once it aborts. */
  signal?: AbortSignal;
}

/**
 * The JSON text of `value` (compact), as a list of parts that join to it, written in
 * slices: a value of hundreds of megabytes (a dataset of millions of rows) never holds
 * the process for more than a few tens of milliseconds at a time, so Ctrl-C is answered
 * while it is written, and it is never joined into one string (hash or write the parts).
 * With `sortKeys` the text is `canonicalJson(value)`; plain data only, as there.
 */
export async function jsonParts(value: unknown, options: JsonPartsOptions = {}): Promise<string[]> {
  const parts: string[] = [];
  const sortKeys = options.sortKeys ?? true;
  let lastTurn = performance.now();
  const turn = async (): Promise<void> => {
    if (performance.now() - lastTurn < TURN_MS) return;
    await nextTurn();
    stopIfAborted(options.signal);
    lastTurn = performance.now();
  };
  const visit = async (v: unknown, path: string): Promise<void> => {
    if (Array.isArray(v) && v.length > SLICE) {
      parts.push('[');
      for (let start = 0; start < v.length; start += SLICE) {
        const slice = v.slice(start, start + SLICE);
        const text = isNumeric(slice) ? JSON.stringify(slice).slice(1, -1) : slice.map((item, i) => (item === undefined ? 'null' : write(item, `${path}[${start + i}]`, 0, ''))).join(',');
        parts.push(start === 0 ? text : `,${text}`);
        await turn();
      }
      parts.push(']');
    } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && isPlainObject(v)) {
      const keys = Object.keys(v).filter((k) => v[k] !== undefined);
      if (sortKeys) keys.sort();
      parts.push('{');
      for (const [i, k] of keys.entries()) {
        parts.push(`${i === 0 ? '' : ','}${JSON.stringify(k)}:`);
        await visit(v[k], path ? `${path}.${k}` : k);
      }
      parts.push('}');
    } else {
      parts.push(sortKeys ? write(v, path, 0, '') : JSON.stringify(v, (_, x: unknown) => plain(x)));
      await turn();
    }
  };
  await visit(value, '');
  return parts;
}

/** `jsonParts` with sorted keys: the canonical JSON of `value`, in parts. */
export const canonicalJsonParts = (value: unknown, signal?: AbortSignal): Promise<string[]> => jsonParts(value, { sortKeys: true, signal });

/** `hashValue`, written in slices (see `jsonParts`). */
export const hashValueSliced = async (value: unknown, signal?: AbortSignal): Promise<string> => sha256(await canonicalJsonParts(value, signal));

/** For JSON.stringify's replacer: refuses what is not plain data, as the canonical writer does. */
function plain(x: unknown): unknown {
  if (typeof x === 'object' && x !== null && !Array.isArray(x) && !isPlainObject(x)) throw new NotJsonError('', `a ${(x as object).constructor?.name ?? 'object'}`);
  if (typeof x === 'function' || typeof x === 'symbol' || typeof x === 'bigint') throw new NotJsonError('', `a ${typeof x}`);
  return x;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
