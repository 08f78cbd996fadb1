/**
 * One ajv error in words: what was expected and what was found, at the path of the
 * offending value (or key). `anyOf`/`oneOf` are explained in load-schema.ts.
 */
import type { ErrorObject } from 'ajv';
import { describeValue, orList, quotedList, type Issue } from './issue.ts';
import { closest, didYouMean } from '../../util/suggest.ts';

/** An issue from a schema, with what alternatives need to merge or rank it. */
export interface SchemaIssue extends Issue {
  keyword: string;
  /** `type`: the types the schema allowed. */
  types?: string[];
  /** `enum`/`const`: the values the schema allowed. */
  allowed?: unknown[];
  /** `required`: the missing key. */
  missing?: string;
  found?: unknown;
}

/** `/stages/a~1b` → `['stages', 'a/b']` (JSON Pointer unescaping). */
export const pointerPath = (pointer: string): string[] =>
  pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

/** `an integer`, `a map`, …: a JSON Schema type as YAML users know it. */
export function typeName(type: string): string {
  const names: Record<string, string> = {
    integer: 'an integer',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a map',
    array: 'a list',
    null: 'null',
  };
  return names[type] ?? type;
}

/** `expected one of "sgd", "adam", found "sdg" (did you mean "sgd"?)`. */
export function allowedMessage(allowed: readonly unknown[], found: unknown): string {
  const shown = allowed.length === 1 ? JSON.stringify(allowed[0]) : `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
  const strings = allowed.filter((a): a is string => typeof a === 'string');
  return `expected ${shown}, found ${describeValue(found)}${typeof found === 'string' ? didYouMean(found, strings) : ''}`;
}

/** `expected a number or a string, found a list`. */
export const typeMessage = (types: readonly string[], found: unknown): string =>
  `expected ${orList([...new Set(types)].map(typeName))}, found ${describeValue(found)}`;

/** The issue for one ajv error (made with `verbose: true`), or undefined for errors that only summarise others. */
export function issueFor(e: ErrorObject): SchemaIssue | undefined {
  const path = pointerPath(e.instancePath);
  const schema = (e.parentSchema ?? {}) as Record<string, unknown>;
  const value = (message: string, extra: Partial<SchemaIssue> = {}): SchemaIssue => ({
    path,
    at: 'value',
    keyword: e.keyword,
    message,
    found: e.data,
    ...extra,
  });
  // propertyNames reports the failing key on the inner error; the summary error adds nothing.
  if (e.keyword === 'propertyNames' || e.keyword === 'if') return undefined;
  if (e.propertyName !== undefined) {
    const expected = typeof schema.patternErrorMessage === 'string' ? schema.patternErrorMessage : `expected a key matching ${String(e.params.pattern ?? e.message)}`;
    return { path: [...path, e.propertyName], at: 'key', keyword: e.keyword, message: `${expected}, found ${JSON.stringify(e.propertyName)}` };
  }
  const p = e.params as Record<string, unknown>;
  // Computed only where a message shows it: the data of an unknown-key error is the
  // whole map, and describing it once per unknown key would cost O(keys²).
  const found = (): string => describeValue(e.data);
  switch (e.keyword) {
    case 'type': {
      const types = Array.isArray(p.type) ? (p.type as string[]) : String(p.type).split(',');
      return value(typeMessage(types, e.data), { types });
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return value(`expected ${schema.type === 'integer' ? 'an integer' : 'a number'} ${bounds(schema)}, found ${found()}`);
    case 'multipleOf':
      return value(`expected a multiple of ${String(p.multipleOf)}, found ${found()}`);
    case 'minLength':
      return value(p.limit === 1 ? `expected a non-empty string, found ""` : `expected at least ${String(p.limit)} characters, found ${found()}`);
    case 'maxLength':
      return value(`expected at most ${String(p.limit)} characters, found ${found()}`);
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties': {
      const count = Array.isArray(e.data) ? e.data.length : Object.keys(e.data as object).length;
      const [one, many] = e.keyword.endsWith('Items') ? ['item', 'items'] : ['entry', 'entries'];
      const limit = Number(p.limit);
      return value(`expected ${e.keyword.startsWith('min') ? 'at least' : 'at most'} ${limit} ${limit === 1 ? one : many}, found ${count}`);
    }
    case 'uniqueItems':
      return value(`expected no repeated items; items ${String(p.j)} and ${String(p.i)} are equal`);
    case 'pattern': {
      const expected = typeof schema.patternErrorMessage === 'string' ? schema.patternErrorMessage : `expected a string matching ${String(p.pattern)}`;
      return value(`${expected}, found ${found()}`);
    }
    case 'format':
      return value(`expected a ${String(p.format)}, found ${found()}`);
    case 'enum':
      return value(allowedMessage(p.allowedValues as unknown[], e.data), { allowed: p.allowedValues as unknown[] });
    case 'const':
      return value(allowedMessage([p.allowedValue], e.data), { allowed: [p.allowedValue] });
    case 'required':
      return { path, at: 'key', keyword: e.keyword, missing: String(p.missingProperty), message: `missing required key ${JSON.stringify(p.missingProperty)}` };
    case 'dependencies':
    case 'dependentRequired':
      return { path, at: 'key', keyword: e.keyword, message: `${JSON.stringify(p.missingProperty)} is required when ${JSON.stringify(p.property)} is set` };
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys((schema.properties ?? {}) as object);
      const nested = known.includes(key) ? undefined : nestedKey(schema, key);
      const hint =
        didYouMean(key, known) ||
        (nested ? ` (did you mean "${nested}"?)` : '') ||
        (known.length > 0 ? `; expected one of ${quotedList(known)}` : '; no keys are allowed here');
      return { path: [...path, key], at: 'key', keyword: e.keyword, message: `unknown key${hint}` };
    }
    case 'discriminator': {
      // A choice between variants by one key (optimizer.name: sgd | adam).
      const tag = String(p.tag);
      const variants = (Array.isArray(schema.oneOf) ? schema.oneOf : []) as { properties?: Record<string, { const?: unknown }> }[];
      const allowed = variants.map((v) => v.properties?.[tag]?.const).filter((v) => v !== undefined);
      const found = (e.data as Record<string, unknown> | undefined)?.[tag];
      // A missing tag is reported by `required`.
      if (found === undefined) return undefined;
      if (p.error !== 'mapping') return { path: [...path, tag], at: 'value', keyword: e.keyword, message: `expected a string, found ${describeValue(found)}`, found };
      return { path: [...path, tag], at: 'value', keyword: e.keyword, message: allowedMessage(allowed, found), allowed, found };
    }
    case 'additionalItems':
    case 'maxContains':
      return value(`expected at most ${String(p.limit)} items, found ${found()}`);
    case 'contains':
    case 'minContains':
      return value(`expected a list with at least ${String(p.minContains ?? 1)} matching item(s), found ${found()}`);
    case 'false schema':
      return value('no value is allowed here');
    case 'not':
      return value(`${found()} is not allowed here`);
    default:
      return value(`${e.message ?? 'invalid value'}, found ${found()}`);
  }
}

/** `≥ 1`, `> 0 and ≤ 1`: every bound the schema sets, so one message says the whole range. */
function bounds(schema: Record<string, unknown>): string {
  const parts: string[] = [];
  const add = (keyword: string, sign: string): void => {
    if (typeof schema[keyword] === 'number') parts.push(`${sign} ${String(schema[keyword])}`);
  };
  add('minimum', '≥');
  add('exclusiveMinimum', '>');
  add('maximum', '≤');
  add('exclusiveMaximum', '<');
  return parts.join(' and ');
}

/**
 * Where a key that is not at this level is found deeper (`lr` under train's params →
 * `optimizer.lr`), through nested maps and their variants, nearest first; the key itself
 * or one within a typo of it.
 */
export function nestedKey(schema: Record<string, unknown>, key: string, depth = 3): string | undefined {
  let level: { prefix: string; schema: Record<string, unknown> }[] = [{ prefix: '', schema }];
  for (let d = 0; d <= depth && level.length > 0; d++) {
    const next: typeof level = [];
    for (const { prefix, schema: node } of level) {
      const variants = [node, ...(['oneOf', 'anyOf'] as const).flatMap((k) => (Array.isArray(node[k]) ? (node[k] as Record<string, unknown>[]) : []))];
      const properties = Object.assign({}, ...variants.map((v) => (v.properties ?? {}) as Record<string, Record<string, unknown>>)) as Record<string, Record<string, unknown>>;
      if (d > 0) {
        const match = Object.hasOwn(properties, key) ? key : closest(key, Object.keys(properties));
        if (match !== undefined) return `${prefix}${match}`;
      }
      for (const [name, child] of Object.entries(properties)) if (child && typeof child === 'object') next.push({ prefix: `${prefix}${name}.`, schema: child });
    }
    level = next;
  }
  return undefined;
}
