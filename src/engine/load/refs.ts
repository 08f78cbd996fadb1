/**
 * Params that refer to params: `${stage.param}` inside a string param is replaced by the
 * value that param has in this run — after `--set` and a sweep's values, with defaults
 * filled in — so `title: "Training loss (SGD lr ${train.optimizer.lr})"` says what ran.
 * A reference names a stage id, then a path inside its `with:` (list items by index:
 * `${model.layers.1}`). `$${` writes a literal `${`.
 */
import { didYouMean } from '../../util/suggest.ts';
import { isPlainObject, type Issue } from './issue.ts';

/** Where a stage's params are: id → params (validated, defaults filled in). */
export type ParamsById = ReadonlyMap<string, Record<string, unknown>>;

const REFERENCE = /\$\$\{|\$\{([^}]*)\}?/g;

/**
 * Replaces every reference in every stage's string params, in place; returns the problems
 * found (an unknown stage or param, an unclosed `${`, references that form a cycle), each
 * at the string that holds it. Returns the ids of the stages whose params changed.
 */
export function resolveReferences(params: ParamsById): { changed: Set<string>; issues: Issue[] } {
  const issues: Issue[] = [];
  const changed = new Set<string>();
  // What each referenced string became, so a string referred to twice is resolved once.
  const resolved = new Map<string, string>();

  /** The text of `template` (found at `at`) with its references replaced; `visiting` holds the strings being resolved. */
  const interpolate = (template: string, at: string[], visiting: string[]): string => {
    const key = at.join('\0');
    const done = resolved.get(key);
    if (done !== undefined) return done;
    const text = template.replace(REFERENCE, (match, inner: string | undefined) => {
      if (match === '$${') return '${';
      if (!match.endsWith('}')) {
        issues.push({ path: at, at: 'value', message: `unclosed "\${" in ${JSON.stringify(template)}; write \${stage.param}, or $\${ for a literal \${` });
        return match;
      }
      const found = lookUp(inner!.trim(), params);
      if ('problem' in found) {
        issues.push({ path: at, at: 'value', message: `${found.problem} in "\${${inner}}"` });
        return match;
      }
      const target = ['stages', found.stageId, 'with', ...found.path];
      if (typeof found.value !== 'string' || !found.value.includes('${')) return show(found.value);
      const targetKey = target.join('\0');
      if (visiting.includes(targetKey)) {
        const cycle = [...visiting.slice(visiting.indexOf(targetKey)), targetKey].map(describe);
        issues.push({ path: at, at: 'value', message: `references form a cycle: ${cycle.join(' → ')}` });
        return match;
      }
      return interpolate(found.value, target, [...visiting, targetKey]);
    });
    resolved.set(key, text);
    return text;
  };

  const walk = (value: unknown, at: string[]): unknown => {
    if (typeof value === 'string') return value.includes('${') ? interpolate(value, at, [at.join('\0')]) : value;
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...at, String(i)]));
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...at, k])]));
    return value;
  };

  // Every string is resolved from the params as written; they are replaced only at the end.
  const replacements = [...params].map(([id, p]) => [id, walk(p, ['stages', id, 'with']) as Record<string, unknown>] as const);
  for (const [id, next] of replacements) {
    const current = params.get(id)!;
    if (JSON.stringify(next) === JSON.stringify(current)) continue;
    changed.add(id);
    for (const key of Object.keys(current)) delete current[key];
    Object.assign(current, next);
  }
  return { changed, issues };
}

/** `stages\0train\0with\0title` → `train.title`. */
const describe = (key: string): string => {
  const [, id, , ...path] = key.split('\0');
  return [id, ...path].join('.');
};

/** A param's value as text: strings as they are, numbers as JavaScript writes them, lists and maps as JSON. */
const show = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

function lookUp(reference: string, params: ParamsById): { stageId: string; path: string[]; value: unknown } | { problem: string } {
  const [stageId, ...path] = reference.split('.');
  if (!stageId) return { problem: 'an empty reference; write ${stage.param}, e.g. ${train.optimizer.lr}' };
  const stage = params.get(stageId);
  if (!stage) return { problem: `unknown stage "${stageId}"${didYouMean(stageId, params.keys())}` };
  if (path.length === 0) return { problem: `no param named after the stage id; write \${${stageId}.param}` };
  let value: unknown = stage;
  for (const [i, segment] of path.entries()) {
    const here = [stageId, ...path.slice(0, i)].join('.');
    if (Array.isArray(value) && /^\d+$/.test(segment) && Number(segment) < value.length) value = value[Number(segment)];
    else if (isPlainObject(value) && Object.hasOwn(value, segment)) value = value[segment];
    else if (isPlainObject(value)) {
      const keys = Object.keys(value);
      const hint = didYouMean(segment, keys) || (keys.length ? `; it has ${keys.join(', ')}` : '');
      return { problem: `${here} has no param "${segment}"${hint}` };
    } else return { problem: `${here} is ${Array.isArray(value) ? `a list of ${value.length}, which has no item ${segment}` : 'not a map'}` };
  }
  return { stageId, path, value };
}
