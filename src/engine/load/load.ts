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
import { applyOverrides, overrideAt, overrideDiagnostic, overrideUnder, parseOverrides } from './overrides.ts';
import type { PipelineSpec, StageSpec, SweepSpec } from './pipeline.ts';
import { RESERVED_STAGE_IDS, pipelineSchemaFor } from './pipeline-schema.ts';
import { resolveReferences } from './refs.ts';
import { parseYaml } from './yaml-document.ts';
import { isInFile, locate } from './yaml-locate.ts';

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

  const unapplied = applyOverrides(data, overrides);
  const stageEntries = isPlainObject(data) && isPlainObject(data.stages) ? data.stages : {};
  const checked = await checkStages(stageEntries, dirname(path), opts.resolve);
  const references = resolveReferences(new Map(checked.stages.map((s) => [s.id, s.params])));
  // A string a reference filled in must still fit its schema (a pattern, a length).
  const rechecked = checked.stages.filter((s) => references.changed.has(s.id)).flatMap(recheckParams);
  const reserved = Object.keys(stageEntries)
    .filter((id) => RESERVED_STAGE_IDS.includes(id))
    .map((id): Issue => ({ path: ['stages', id], at: 'key', message: `stage id "${id}" is reserved: rxlab keeps the pipeline's other runs in outputs/<name>/${id}/; rename the stage` }));
  const issues = [...checkStructure(data), ...reserved, ...checked.issues, ...references.issues, ...rechecked];
  const placeIssue = (issue: Issue): Diagnostic => {
    // The --set that set this value, or that created the map it is in (e.g. the
    // unknown key `x` of `--set train.x.y=1`); `with:` itself belongs to the file.
    const override =
      overrideAt(overrides, issue.path) ?? (issue.path.length > 3 && !isInFile(yaml, issue.path) ? overrideUnder(overrides, issue.path) : undefined);
    if (override) return overrideDiagnostic(override.text, issue.path, issue.message);
    return { file, ...locate(yaml, issue.path, issue.at), path: dotted(issue.path), message: issue.message };
  };
  const diagnostics = [...malformed, ...unapplied, ...issues.map(placeIssue)];
  if (diagnostics.length > 0) throw new PipelineInputError(sortDiagnostics(file, diagnostics, sets), { [file]: text });

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
  return { name, file: path, given: file, dir: dirname(path), source: text, stages, overrides, ...(sweep ? { sweep } : {}), place };
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
function sortDiagnostics(file: string, diagnostics: Diagnostic[], sets: readonly string[]): Diagnostic[] {
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
