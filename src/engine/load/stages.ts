/**
 * The checks only a stage itself can answer: whether `uses:` names one, whether `with:`
 * fits its params schema (defaults filled in), and whether `inputs:` names its ports.
 */
import { builtinStages, StageResolutionError } from '../../stages/registry.ts';
import { isPlainObject, quotedList, type Issue } from './issue.ts';
import { compileSchema, type SchemaCheck } from './schema.ts';
import type { Stage } from '../../contract/stage.ts';
import { didYouMean } from '../../util/suggest.ts';

/** Maps `uses:` to a stage; throws StageResolutionError when it names none. */
export type StageResolver = (uses: string, pipelineDir: string) => Promise<Stage>;

/** A stage entry that resolved, with its params validated and defaults filled in. */
export interface CheckedStage {
  id: string;
  uses: string;
  stage: Stage;
  params: Record<string, unknown>;
  inputs: Record<string, string>;
}

// Compiled once per stage object: ajv compilation costs far more than validation.
const paramsChecks = new WeakMap<Stage, SchemaCheck | Error>();

function paramsCheck(stage: Stage, uses: string): SchemaCheck | Error {
  let check = paramsChecks.get(stage);
  if (!check) {
    try {
      check = compileSchema(stage.params, { trusted: builtinStages.get(uses) === stage });
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
  const resolutions = new Map<string, Promise<Stage | StageResolutionError>>();
  const resolveOnce = (uses: string): Promise<Stage | StageResolutionError> => {
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

function checkStage(id: string, entry: Record<string, unknown>, uses: string, stage: Stage): { stage: CheckedStage; issues: Issue[] } {
  const at = ['stages', id];
  // concat, not push(...): a params map may have thousands of problems.
  let issues: Issue[] = [];
  const params = entry.with === undefined ? {} : entry.with;
  if (isPlainObject(params)) {
    const check = paramsCheck(stage, uses);
    issues =
      check instanceof Error
        ? [{ path: [...at, 'uses'], at: 'value', message: `stage "${uses}" has an invalid params schema (a bug in the stage): ${check.message}` }]
        : check(params).map((i) => ({ path: [...at, 'with', ...i.path], at: i.at, message: i.message }));
  }
  const inputs = entry.inputs === undefined ? {} : entry.inputs;
  if (isPlainObject(inputs)) issues = issues.concat(checkPorts(stage, inputs, [...at, 'inputs']));
  return {
    stage: {
      id,
      uses,
      stage,
      params: isPlainObject(params) ? params : {},
      inputs: Object.fromEntries(Object.entries(isPlainObject(inputs) ? inputs : {}).filter((e): e is [string, string] => typeof e[1] === 'string')),
    },
    issues,
  };
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
