/** Params a pipeline file computes from others: strings with a `${…}` reference (titles, mostly). */
import { parse } from 'yaml';

/**
 * The `stage.path.to.param` of every string in the stages' `with:` of `source` that holds a
 * `${…}` reference (`$${` is a literal and does not count). Such a param follows the params
 * it names: `exp show` does not list it as one that differs, and `exp apply` never writes it.
 */
export function computedParams(source: string): Set<string> {
  const keys = new Set<string>();
  let data: unknown;
  try {
    data = parse(source);
  } catch {
    return keys;
  }
  const stages = (data as { stages?: Record<string, { with?: unknown } | null> } | null)?.stages ?? {};
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string' && /(^|[^$])\$\{/.test(value)) keys.add(path);
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
  };
  for (const [id, stage] of Object.entries(stages)) if (stage && typeof stage === 'object') walk(stage.with, id);
  return keys;
}
