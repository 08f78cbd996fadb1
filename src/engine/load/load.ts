/**
 * `loadPipeline(file)`: reads, parses and validates a pipeline file into a PipelineSpec.
 *
 * Every problem a user can cause comes out as a positioned diagnostic, and all of a
 * file's problems come out together, sorted by position, in one PipelineInputError:
 * the file (missing, too large, not UTF-8, empty), its YAML (syntax, duplicate keys,
 * runaway aliases), its structure (schemas/pipeline.schema.json), and each stage's
 * `uses:`, `with:` params (and the `${stage.param}` references in them) and input port
 * names. References between stages' inputs and outputs are the planner's to check.
 */
import { basename, dirname } from 'node:path';
import type { StageResolver } from '../../contract/resolve.ts';
import { PipelineInputError, type Diagnostic } from '../errors.ts';
import { readPipelineFile } from './file.ts';
import { dotted, isPlainObject, type Issue } from './issue.ts';
import { compileSchema, type SchemaCheck } from './schema.ts';
import { recheckParams, checkStages } from './stages.ts';
import { EVERY_STAGE, applyOverrides, overrideAt, overrideDiagnostic, overrideUnder, parseOverrides, type Override } from './overrides.ts';
import type { PipelineSpec, StageSpec, SweepSpec } from './pipeline.ts';
import { declaredMetrics, unknownMetric } from './metrics.ts';
import { RESERVED_STAGE_IDS, pipelineSchemaFor } from './pipeline-schema.ts';
import { resolveReferences } from './refs.ts';
import { parseYaml } from './yaml-document.ts';
import { flowCommaHint, isInFile, locate } from './yaml-locate.ts';

export interface LoadOptions {
  /** Maps `uses:` to a stage; throws StageResolutionError for an unknown one. */
  resolve: StageResolver;
  /** `--set` arguments (`train.optimizer.lr=0.1`), applied to stages' params before validation. */
  overrides?: readonly string[];
  /** Larger files are refused without being read. Default: 1 MiB. */
  maxBytes?: number;
}

/** More diagnostics than this help no one (a file full of typos, a wrong file); the rest are counted. */
export const MAX_DIAGNOSTICS = 100;

let structure: SchemaCheck | undefined;
/** The structural pipeline schema, compiled on first use. */
const checkStructure = (data: unknown): Issue[] => (structure ??= compileSchema(pipelineSchemaFor(new Map()), { trusted: true }))(data);

/** Loads and validates a pipeline file; rejects with a PipelineInputError listing every problem found. */
export async function loadPipeline(file: string, opts: LoadOptions): Promise<PipelineSpec> {
  const { text, path } = await readPipelineFile(file, opts.maxBytes);
  const sets = opts.overrides ?? [];
  const { overrides, diagnostics: malformed } = parseOverrides(sets);
  const parsed = parseYaml(text, file);
  if (!parsed.ok) throw new PipelineInputError(sortDiagnostics(file, [...parsed.diagnostics, ...malformed], sets), { [file]: text });
  const { yaml, data } = parsed;

  const stageEntries = isPlainObject(data) && isPlainObject(data.stages) ? data.stages : {};
  const expanded = await expandEveryStage(overrides, stageEntries, dirname(path), opts.resolve);
  const unapplied = [...expanded.diagnostics, ...applyOverrides(data, expanded.overrides)];
  const checked = await checkStages(stageEntries, dirname(path), opts.resolve);
  const references = resolveReferences(new Map(checked.stages.map((s) => [s.id, s.params])));
  // A string a reference filled in must still fit its schema (a pattern, a length).
  const rechecked = checked.stages.filter((s) => references.changed.has(s.id)).flatMap(recheckParams);
  const reserved = Object.keys(stageEntries)
    .filter((id) => RESERVED_STAGE_IDS.includes(id))
    .map((id): Issue => ({ path: ['stages', id], at: 'key', message: `stage id "${id}" is reserved: rxlab keeps the pipeline's other runs in outputs/<name>/${id}/; rename the stage` }));
  const objective = isPlainObject(data) && isPlainObject(data.sweep) && typeof data.sweep.objective === 'string' ? data.sweep.objective : undefined;
  const objectiveProblem = objective === undefined ? undefined : unknownMetric(objective, Object.keys(declaredMetrics(checked.stages)));
  // Only when every stage resolved: an unresolved one might have declared it.
  const unknownObjective: Issue[] = objectiveProblem && checked.issues.length === 0 ? [{ path: ['sweep', 'objective'], at: 'value', message: objectiveProblem }] : [];
  const issues = [...checkStructure(data), ...reserved, ...checked.issues, ...references.issues, ...rechecked, ...unknownObjective];
  const placeIssue = (issue: Issue): Diagnostic => {
    // The --set that set this value, or that created the map it is in (e.g. the
    // unknown key `x` of `--set train.x.y=1`); `with:` itself belongs to the file.
    const override =
      overrideAt(expanded.overrides, issue.path) ?? (issue.path.length > 3 && !isInFile(yaml, issue.path) ? overrideUnder(expanded.overrides, issue.path) : undefined);
    if (override) return overrideDiagnostic(override.text, issue.path, issue.message);
    const hint = issue.message.startsWith('unknown key') ? (flowCommaHint(yaml, issue.path) ?? colonHint(issue.path[issue.path.length - 1])) : undefined;
    return { file, ...locate(yaml, issue.path, issue.at), path: dotted(issue.path), message: hint ? `${issue.message}; ${hint}` : issue.message };
  };
  const diagnostics = [...malformed, ...unapplied, ...issues.map(placeIssue)];

  const stages = checked.stages.map(
    (s): StageSpec => ({
      ...s,
      pos: locate(yaml, ['stages', s.id], 'key'),
      inputPos: Object.fromEntries(Object.keys(s.inputs).map((port) => [port, locate(yaml, ['stages', s.id, 'inputs', port], 'value')])),
    }),
  );
  const name = isPlainObject(data) && typeof data.name === 'string' ? data.name : nameFromFile(path);
  const sweep = isPlainObject(data) && isPlainObject(data.sweep) ? (data.sweep as unknown as SweepSpec) : undefined;
  const place = (at: readonly string[], where: 'key' | 'value', message: string): Diagnostic => placeIssue({ path: [...at], at: where, message });
  const spec: PipelineSpec = { name, file: path, given: file, dir: dirname(path), source: text, stages, overrides, ...(sweep ? { sweep } : {}), place };
  if (diagnostics.length > 0) {
    const unchecked = new Set(Object.keys(stageEntries).filter((id) => !stages.some((s) => s.id === id)));
    throw new PartialPipelineError(sortDiagnostics(file, diagnostics, sets), { [file]: text }, spec, unchecked);
  }
  return spec;
}

/**
 * A file with problems, with what of it did load: the stages that checked, so that the
 * planner can report the references between them too, all problems at once.
 */
export class PartialPipelineError extends PipelineInputError {
  constructor(
    diagnostics: Diagnostic[],
    sources: Readonly<Record<string, string>>,
    /** The pipeline with only the stages that loaded. */
    readonly partial: PipelineSpec,
    /** Ids of the stages in the file that did not load (a reference to one is not an error of its own). */
    readonly unchecked: ReadonlySet<string>,
  ) {
    super(diagnostics, sources);
  }
}

/** `n_samples:50` read as one key: YAML needs a space after the colon of a key. */
function colonHint(key: string | undefined): string | undefined {
  const glued = /^([^:\s]+):(\S.*)$/.exec(key ?? '');
  return glued ? `YAML needs a space after a key's colon: ${glued[1]}: ${glued[2]}` : undefined;
}

/**
 * `--set '*.backend=cpu'`: the param set on every stage whose params declare it (at the top
 * of its `with:`), as one override per such stage; a param no stage declares is refused.
 */
async function expandEveryStage(
  overrides: Override[],
  stages: Record<string, unknown>,
  pipelineDir: string,
  resolve: StageResolver,
): Promise<{ overrides: Override[]; diagnostics: Diagnostic[] }> {
  if (!overrides.some((o) => o.stageId === EVERY_STAGE)) return { overrides, diagnostics: [] };
  const declared = new Map<string, Set<string>>();
  for (const [id, entry] of Object.entries(stages)) {
    if (!isPlainObject(entry) || typeof entry.uses !== 'string') continue;
    // A stage that does not resolve is reported by the checks that follow.
    const stage = await resolve(entry.uses, pipelineDir).then(({ stage }) => stage, () => undefined);
    declared.set(id, new Set(Object.keys((stage?.params.properties ?? {}) as object)));
  }
  const diagnostics: Diagnostic[] = [];
  const concrete = overrides.flatMap((o) => {
    if (o.stageId !== EVERY_STAGE) return [o];
    const ids = [...declared].filter(([, params]) => params.has(o.param[0])).map(([id]) => id);
    if (ids.length === 0) diagnostics.push(overrideDiagnostic(o.text, [], `no stage of this pipeline has a param "${o.param[0]}"`));
    return ids.map((stageId) => ({ ...o, stageId }));
  });
  return { overrides: concrete, diagnostics };
}

/**
 * The default pipeline name: the file name without .yaml/.yml, made to fit the name
 * pattern (lowercased, other characters turned into -) rather than refusing the file
 * for its name.
 */
function nameFromFile(path: string): string {
  const name = basename(path)
    .replace(/\.ya?ml$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '');
  return name || 'pipeline';
}

/**
 * The file's diagnostics by position, then the command line's in `--set` order; a problem
 * reached twice (e.g. through an alias) once; at most MAX_DIAGNOSTICS of them.
 */
export function sortDiagnostics(file: string, diagnostics: Diagnostic[], sets: readonly string[]): Diagnostic[] {
  const rank = (d: Diagnostic): number => (d.file === file ? 0 : 1 + sets.findIndex((text) => `--set ${text}` === d.file));
  const sorted = diagnostics
    .map((d, i) => ({ d, i, r: rank(d) }))
    .sort((a, b) => a.r - b.r || a.d.line - b.d.line || a.d.col - b.d.col || a.i - b.i)
    .map(({ d }) => d);
  const seen = new Set<string>();
  const unique = sorted.filter((d) => {
    const key = JSON.stringify(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length <= MAX_DIAGNOSTICS) return unique;
  const rest = unique.length - MAX_DIAGNOSTICS;
  return [...unique.slice(0, MAX_DIAGNOSTICS), { file, line: 0, col: 0, path: '', message: `and ${rest} more problem${rest === 1 ? '' : 's'} not shown` }];
}
