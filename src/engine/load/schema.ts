/**
 * JSON Schema validation (ajv, draft-07) whose errors come out as a user would put them:
 * one issue per problem, with `anyOf`/`oneOf` failures explained by their most relevant
 * alternative instead of one line per alternative.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv, schemaHash } from './ajv-setup.ts';
import type { JsonSchema } from '../../contract/stage.ts';
import { quotedList } from './issue.ts';
import { allowedMessage, issueFor, pointerPath, typeMessage, type SchemaIssue } from './messages.ts';
import { precompiled } from './precompiled-validators.ts';

// One instance for every schema.
const ajv = createAjv();

let schemaCount = 0;
/** Validators of single alternatives, by `<schema key>#<pointer>`. */
const alternatives = new Map<string, ValidateFunction>();

/** Validates data in place (filling defaults) and returns its problems; `[]` when it is valid. */
export type SchemaCheck = (data: unknown) => SchemaIssue[];

/**
 * Compiles a JSON Schema (draft-07); throws when the schema itself is invalid. A `trusted`
 * schema (rxlab's own, checked against the meta-schema by the tests) skips that check:
 * compiling the meta-schema is a noticeable share of a start, which a run then pays only
 * when it uses a stage of the user's. In the bundle, trusted schemas come compiled ahead of time.
 */
export function compileSchema(schema: JsonSchema, { trusted = false } = {}): SchemaCheck {
  // Each schema is registered under its own key so an alternative inside it can be
  // compiled on its own later, as `<key>#/path/to/anyOf/1`, with its $refs still resolving.
  const key = `rxlab:schema/${++schemaCount}`;
  let validate: ValidateFunction | undefined = trusted ? precompiled[schemaHash(schema)] : undefined;
  try {
    ajv.addSchema(schema, key, undefined, !trusted);
    validate ??= ajv.getSchema(key);
  } catch (err) {
    ajv.removeSchema(key);
    throw err;
  }
  if (!validate) throw new Error(`schema ${key} did not compile`);
  const check = validate;
  return (data) => {
    if (check(data)) return [];
    const issues = mergeRequired(explain(check.errors ?? [], key));
    // Never "invalid" with nothing to say (explaining an alternative alone could, in
    // principle, disagree with the whole): fall back to ajv's own words.
    return issues.length > 0 ? issues : [{ path: [], at: 'value', keyword: 'invalid', message: ajv.errorsText(check.errors, { separator: '; ' }) }];
  };
}

/**
 * Issues for ajv's flat error list. It is read from the end: an `anyOf`/`oneOf` error
 * comes right after the errors of all its alternatives, which are replaced by the
 * explanation of the best one.
 */
function explain(errors: readonly ErrorObject[], key: string): SchemaIssue[] {
  const out: SchemaIssue[][] = [];
  for (let i = errors.length - 1; i >= 0; i--) {
    const e = errors[i];
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      const { issues, consumed } = explainAlternatives(e, key, errors, i);
      out.push(issues);
      i -= consumed;
    } else {
      const issue = issueFor(e);
      if (issue) out.push([issue]);
    }
  }
  return out.reverse().flat();
}

interface Alternative {
  issues: SchemaIssue[];
  /** How many raw errors it produced (what it left in the flat list). */
  raw: number;
}

/** Explains the failed `anyOf`/`oneOf` `e` (= `errors[at]`) by validating its data against each alternative alone. */
function explainAlternatives(e: ErrorObject, key: string, errors: readonly ErrorObject[], at: number): { issues: SchemaIssue[]; consumed: number } {
  const base = pointerPath(e.instancePath);
  const schemaRef = e.schemaPath.startsWith('#') ? `${key}${e.schemaPath}` : e.schemaPath;
  const branches = (Array.isArray(e.schema) ? e.schema : []).map((_, i) => validateAlternative(`${schemaRef}/${i}`, e.data, key));
  // The alternatives' own errors precede this one in the flat list: as many as they
  // produce alone, all inside this value (the check guards against miscounting).
  const expected = branches.reduce((n, b) => n + (b?.raw ?? 0), 0);
  let consumed = 0;
  while (consumed < expected && consumed < at && isWithin(errors[at - 1 - consumed].instancePath, e.instancePath)) {
    consumed++;
  }
  const prefix = (issues: SchemaIssue[]): SchemaIssue[] => issues.map((i) => ({ ...i, path: [...base, ...i.path] }));
  const whole = (message: string, extra: Partial<SchemaIssue> = {}): SchemaIssue[] => [{ path: base, at: 'value', keyword: e.keyword, message, found: e.data, ...extra }];

  const passing = (e.params as { passingSchemas?: number[] | null }).passingSchemas;
  if (e.keyword === 'oneOf' && passing) {
    return { consumed, issues: whole(`matches more than one of the allowed forms (numbers ${passing.map((n) => n + 1).join(' and ')}); it must match exactly one`) };
  }
  if (branches.some((b) => b === undefined)) return { consumed, issues: whole('does not match any of the allowed forms') };
  const all = (branches as Alternative[]).map((b) => prefix(b.issues));

  // Every alternative wants another type: one message listing them all.
  const typeOnly = (issues: SchemaIssue[]): boolean => issues.length > 0 && issues.every((i) => i.keyword === 'type' && i.path.length === base.length);
  if (all.every(typeOnly)) {
    const types = all.flatMap((issues) => issues.flatMap((i) => i.types ?? []));
    return { consumed, issues: whole(typeMessage(types, e.data), { keyword: 'type', types }) };
  }
  let candidates = all.filter((issues) => !typeOnly(issues));

  // Every remaining alternative wants another value at the same place (e.g. optimizer.name:
  // sgd | adam): one message listing the values allowed there.
  const choice = sharedChoice(candidates);
  if (choice) return { consumed, issues: [choice] };

  // Otherwise prefer alternatives whose fixed values matched, then the fewest problems,
  // then the deepest: the alternative the user most likely meant.
  const matched = candidates.filter((issues) => !issues.some(isChoice));
  if (matched.length > 0) candidates = matched;
  const depth = (issues: SchemaIssue[]): number => issues.reduce((d, i) => Math.max(d, i.path.length), 0);
  const best = candidates.reduce((a, b) => (b.length < a.length || (b.length === a.length && depth(b) > depth(a)) ? b : a));
  return { consumed, issues: best };
}

const isChoice = (i: SchemaIssue): boolean => i.allowed !== undefined;

const isWithin = (pointer: string, base: string): boolean => pointer === base || pointer.startsWith(`${base}/`);

/** When each alternative fails on a fixed value at one shared path, the merged "expected one of". */
function sharedChoice(candidates: SchemaIssue[][]): SchemaIssue | undefined {
  const first = candidates[0]?.filter(isChoice) ?? [];
  for (const issue of first) {
    const at = issue.path.join('\0');
    const same = candidates.map((issues) => issues.find((i) => isChoice(i) && i.path.join('\0') === at));
    if (same.every((i) => i !== undefined)) {
      const allowed = [...new Set(same.flatMap((i) => i?.allowed ?? []))];
      return { ...issue, allowed, message: allowedMessage(allowed, issue.found) };
    }
  }
  return undefined;
}

/** One alternative's problems with `data`, or undefined if it cannot be compiled alone. */
function validateAlternative(ref: string, data: unknown, key: string): Alternative | undefined {
  let validate = alternatives.get(ref);
  if (!validate) {
    try {
      validate = ajv.compile({ $ref: ref });
    } catch {
      return undefined;
    }
    alternatives.set(ref, validate);
  }
  // A copy: defaults filled while trying an alternative must not reach the real params.
  if (validate(structuredClone(data))) return { issues: [], raw: 0 };
  const errors = validate.errors ?? [];
  return { issues: mergeRequired(explain(errors, key)), raw: errors.length };
}

/** Several missing keys of one map become one issue. */
function mergeRequired(issues: SchemaIssue[]): SchemaIssue[] {
  const missing = new Map<string, string[]>();
  const kept = issues.filter((issue) => {
    if (issue.missing === undefined) return true;
    const names = missing.get(issue.path.join('\0'));
    if (names) names.push(issue.missing);
    else missing.set(issue.path.join('\0'), [issue.missing]);
    return !names;
  });
  return kept.map((issue) => {
    const names = issue.missing === undefined ? [] : (missing.get(issue.path.join('\0')) ?? []);
    return names.length > 1 ? { ...issue, message: `missing required keys ${quotedList(names)}` } : issue;
  });
}
