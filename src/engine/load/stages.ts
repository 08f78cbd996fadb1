/**
 * The checks only a stage itself can answer: whether `uses:` names one, whether `with:`
 * fits its params schema (defaults filled in) and its own checks between params, and
 * whether `inputs:` names its ports.
 */
import { KINDS, isKind } from '../../contract/kinds.ts';
import { StageResolutionError, type ResolvedStage, type StageResolver } from '../../contract/resolve.ts';
import type { JsonSchema, Stage } from '../../contract/stage.ts';
import { didYouMean } from '../../util/suggest.ts';
import { isPlainObject, quotedList, type Issue } from './issue.ts';
import type { CheckedStage } from './pipeline.ts';
import { compileSchema, type SchemaCheck } from './schema.ts';


// Compiled once per stage object: ajv compilation costs far more than validation.
const paramsChecks = new WeakMap<Stage, SchemaCheck | Error>();

function paramsCheck({ stage, module }: ResolvedStage): SchemaCheck | Error {
  let check = paramsChecks.get(stage);
  if (!check) {
    try {
      // A built-in's schema is rxlab's own, checked against the meta-schema by its tests.
      check = compileSchema(stage.params, { trusted: module === undefined });
    } catch (err) {
      check = err instanceof Error ? err : new Error(String(err));
    }
    paramsChecks.set(stage, check);
  }
  return check;
}

/**
 * Checks every entry of `stages` (id → the entry as written, `--set`s applied) that names
 * a stage; entries of the wrong shape are skipped, the pipeline schema reports them.
 * Resolution runs concurrently, once per distinct `uses:`; results keep file order.
 */
export async function checkStages(
  stages: Record<string, unknown>,
  pipelineDir: string,
  resolve: StageResolver,
): Promise<{ stages: CheckedStage[]; issues: Issue[] }> {
  const resolutions = new Map<string, Promise<ResolvedStage | StageResolutionError>>();
  const resolveOnce = (uses: string): Promise<ResolvedStage | StageResolutionError> => {
    let pending = resolutions.get(uses);
    if (!pending) {
      pending = resolve(uses, pipelineDir).catch((err: unknown) => {
        if (err instanceof StageResolutionError) return err;
        throw err;
      });
      resolutions.set(uses, pending);
    }
    return pending;
  };
  const results = await Promise.all(
    Object.entries(stages).map(async ([id, entry]) => {
      if (!isPlainObject(entry) || typeof entry.uses !== 'string' || entry.uses === '') return { issues: [] };
      const resolved = await resolveOnce(entry.uses);
      if (resolved instanceof StageResolutionError) {
        return { issues: [{ path: ['stages', id, 'uses'], at: 'value', message: resolved.message } satisfies Issue] };
      }
      return checkStage(id, entry, entry.uses, resolved);
    }),
  );
  return {
    stages: results.flatMap((r) => ('stage' in r && r.stage ? [r.stage] : [])),
    issues: results.flatMap((r) => r.issues),
  };
}

function checkStage(id: string, entry: Record<string, unknown>, uses: string, resolved: ResolvedStage): { stage: CheckedStage; issues: Issue[] } {
  const { stage, module } = resolved;
  const at = ['stages', id];
  // concat, not push(...): a params map may have thousands of problems.
  let issues: Issue[] = portKindIssues(stage, uses, at);
  const params = entry.with === undefined ? {} : entry.with;
  if (isPlainObject(params)) {
    const check = paramsCheck(resolved);
    if (check instanceof Error) {
      issues = issues.concat([{ path: [...at, 'uses'], at: 'value', message: `stage "${uses}" has an invalid params schema (a bug in the stage): ${check.message}` }]);
    } else {
      const found = check(params);
      issues = issues.concat(found.map((i) => ({ path: [...at, 'with', ...i.path], at: i.at, message: otherVariantHint(stage.params, i.path, i.message) })));
      // The stage's own checks assume params its schema accepted.
      if (found.length === 0) issues = issues.concat(ownChecks(stage, params, [...at, 'with']));
    }
  }
  const inputs = entry.inputs === undefined ? {} : entry.inputs;
  if (isPlainObject(inputs)) issues = issues.concat(checkPorts(stage, inputs, [...at, 'inputs']));
  return {
    stage: {
      id,
      uses,
      stage,
      ...(module ? { module } : {}),
      params: isPlainObject(params) ? params : {},
      inputs: Object.fromEntries(Object.entries(isPlainObject(inputs) ? inputs : {}).filter((e): e is [string, string] => typeof e[1] === 'string')),
    },
    issues,
  };
}

/** A stage's params checked again (after `${…}` references were filled in), as issues at their place. */
export function recheckParams({ id, stage, module, params }: CheckedStage): Issue[] {
  const check = paramsCheck({ stage, module });
  if (check instanceof Error) return [];
  return check(params).map((i) => ({ path: ['stages', id, 'with', ...i.path], at: i.at, message: i.message }));
}

/** The stage's `check` of its (valid) params; a throw in it is the stage's bug, reported as such. */
function ownChecks(stage: Stage, params: Record<string, unknown>, at: string[]): Issue[] {
  try {
    return stage.check(params).map((p) => ({ path: [...at, ...p.path.map(String)], at: 'value', message: p.message }));
  } catch (err) {
    return [{ path: at, at: 'key', message: `the stage's own params check failed (a bug in the stage): ${err instanceof Error ? err.message : String(err)}` }];
  }
}

/**
 * "unknown key" for a param that belongs to another variant of a discriminated choice
 * (`betas` under `optimizer: {name: sgd}`) says which variant takes it.
 */
function otherVariantHint(schema: JsonSchema, path: readonly string[], message: string): string {
  if (!message.startsWith('unknown key') || path.length < 2) return message;
  const key = path[path.length - 1];
  let node: JsonSchema | undefined = schema;
  for (const segment of path.slice(0, -1)) {
    const properties = node?.properties as Record<string, JsonSchema> | undefined;
    node = properties?.[segment];
  }
  const tag = (node?.discriminator as { propertyName?: string } | undefined)?.propertyName;
  const variants = node?.oneOf as JsonSchema[] | undefined;
  if (!tag || !variants) return message;
  const owners = variants.flatMap((v) => {
    const properties = v.properties as Record<string, JsonSchema> | undefined;
    const value = (properties?.[tag] as { const?: unknown } | undefined)?.const;
    return properties && Object.hasOwn(properties, key) && value !== undefined ? [JSON.stringify(value)] : [];
  });
  return owners.length ? `${key} applies only to ${tag} ${owners.join(' or ')}; remove it, or change ${tag}` : message;
}

/** Every port's kind must be rxlab's or `x-<name>`: a misspelt kind is a bug in the stage, found before it runs. */
function portKindIssues(stage: Stage, uses: string, at: string[]): Issue[] {
  const ports = [...Object.entries(stage.inputs), ...Object.entries(stage.outputs)];
  return ports
    .filter(([, port]) => !isKind(port.kind))
    .map(([name, port]) => ({
      path: [...at, 'uses'],
      at: 'value',
      message: `stage "${uses}" declares port "${name}" of unknown kind ${JSON.stringify(port.kind)}${didYouMean(String(port.kind), Object.keys(KINDS))}; kinds are ${Object.keys(KINDS).join(', ')}, or x-<name> for a kind of your own`,
    }));
}

/** Input ports named in the file must be the stage's; its required ports must be there. */
function checkPorts(stage: Stage, inputs: Record<string, unknown>, at: string[]): Issue[] {
  const ports = Object.keys(stage.inputs);
  const issues: Issue[] = [];
  for (const name of Object.keys(inputs)) {
    if (Object.hasOwn(stage.inputs, name)) continue;
    const hint = didYouMean(name, ports) || (ports.length > 0 ? `; this stage's inputs are ${quotedList(ports)}` : '; this stage takes no inputs');
    issues.push({ path: [...at, name], at: 'key', message: `unknown input port${hint}` });
  }
  const missing = ports.filter((p) => !stage.inputs[p].optional && !Object.hasOwn(inputs, p));
  if (missing.length > 0) {
    const what = missing.length === 1 ? `input ${JSON.stringify(missing[0])}` : `inputs ${quotedList(missing)}`;
    issues.push({ path: at, at: 'key', message: `missing required ${what}` });
  }
  return issues;
}
