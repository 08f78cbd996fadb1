/**
 * Preflight: before anything runs, each stage in plan order is told what is known of its
 * inputs (facts its producers declared: a dataset's size, features and labels, a model's
 * layers, whether checkpoints will come) and says what it will make, what is wrong
 * between its params and those inputs, and how much memory it needs. Every problem comes
 * out at once, each at its place in the file (or in the data file), as a PipelineInputError
 * (exit 2); so does a pipeline that would need more memory than `maxMemory`.
 */
import { stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { InputFacts, MemoryEstimate, Preflight, PreflightProblem } from '../../contract/stage.ts';
import type { Kind } from '../../contract/kinds.ts';
import { formatBytes, kindOf } from '../../util/read-file.ts';
import { EnvironmentError, PipelineInputError, type Diagnostic } from '../errors.ts';
import type { StageSpec } from '../load/pipeline.ts';
import type { Plan } from './plan.ts';

export interface PreflightOptions {
  /** Refuse a pipeline whose stages together need more memory than this, in bytes. Default: `defaultMaxMemory()`. */
  maxMemory?: number;
  /** Stops a preflight that reads large files; it then rejects with RunInterruptedError. */
  signal?: AbortSignal;
}

/** A signal arrived while the pipeline was being checked: nothing ran (exit code 1, as for an interrupted run). */
export class RunInterruptedError extends EnvironmentError {
  constructor() {
    super('interrupted before the run started; nothing was run', 1);
    this.name = 'RunInterruptedError';
  }
}

/**
 * The memory a pipeline may need unless told otherwise: the smaller of V8's heap limit
 * (the data, as JavaScript arrays, lives there: past it the process aborts) and half the
 * machine's memory.
 */
export const defaultMaxMemory = (): number => Math.min(getHeapStatistics().heap_size_limit, Math.floor(totalmem() / 2));

/** Runs every stage's preflight and records the plan's memory estimate; throws a PipelineInputError listing every problem found. */
export async function preflightPlan(plan: Plan, options: PreflightOptions = {}): Promise<void> {
  const { pipeline } = plan;
  const file = pipeline.given ?? pipeline.file;
  const place = (spec: StageSpec, path: readonly (string | number)[], message: string): Diagnostic => {
    const full = ['stages', spec.id, ...path.map(String)];
    if (pipeline.place) return pipeline.place(full, 'value', message);
    const pos = path[0] === 'inputs' && typeof path[1] === 'string' ? (spec.inputPos[path[1]] ?? spec.pos) : spec.pos;
    return { file, ...pos, path: full.join('.'), message };
  };
  const facts = new Map<string, Record<string, unknown>>();
  const diagnostics: Diagnostic[] = [];
  const limit = options.maxMemory ?? defaultMaxMemory();
  const memory: { spec: StageSpec; estimate: MemoryEstimate }[] = [];
  for (const node of plan.nodes) {
    const { spec } = node;
    const unreadable = await readsProblems(spec, pipeline.dir);
    if (unreadable.length > 0) {
      // Its files cannot be read: what it would make is unknown, and its own preflight would only say the same.
      diagnostics.push(...unreadable.map((p) => place(spec, p.path, p.message)));
      continue;
    }
    const inputs: Record<string, InputFacts<Kind>> = {};
    for (const edge of node.edges) {
      const known = facts.get(edge.from)?.[edge.output] as Record<string, unknown> | undefined;
      inputs[edge.port] = { ...known, from: `${edge.from}.${edge.output}` } as InputFacts<Kind>;
    }
    let result: Preflight<Record<string, never>>;
    try {
      result = (await spec.stage.preflight(spec.params, inputs, { pipelineDir: pipeline.dir, maxMemory: limit, ...(options.signal ? { signal: options.signal } : {}) })) as Preflight<Record<string, never>>;
    } catch (err) {
      if (options.signal?.aborted) throw new RunInterruptedError();
      diagnostics.push(place(spec, ['uses'], `the stage's own preflight check failed (a bug in the stage): ${err instanceof Error ? err.message : String(err)}`));
      continue;
    }
    for (const problem of result.problems ?? []) diagnostics.push(problemAt(problem, spec, place));
    facts.set(spec.id, (result.outputs ?? {}) as Record<string, unknown>);
    if (result.memory && Number.isFinite(result.memory.bytes) && result.memory.bytes > 0) memory.push({ spec, estimate: result.memory });
  }
  const total = memory.reduce((sum, m) => sum + m.estimate.bytes, 0);
  if (total > limit) {
    const { spec, estimate } = memory.reduce((a, b) => (b.estimate.bytes > a.estimate.bytes ? b : a));
    const all = memory.length > 1 && total > estimate.bytes * 1.05 ? ` (the whole pipeline about ${formatBytes(total)})` : '';
    const how = options.maxMemory === undefined ? `, the smaller of Node's heap limit and half this machine's memory` : '';
    diagnostics.push(
      place(
        spec,
        estimate.path,
        `needs about ${formatBytes(estimate.bytes)} of memory for ${estimate.what}${all}, more than the ${formatBytes(limit)} rxlab may use (--max-memory${how}); make it smaller, or allow more with --max-memory SIZE`,
      ),
    );
  }
  // The pipeline file's problems by position, then those in data files.
  const rank = (d: Diagnostic): number => (d.file === file ? 0 : 1);
  diagnostics.sort((a, b) => rank(a) - rank(b) || (rank(a) === 0 ? a.line - b.line || a.col - b.col : 0));
  if (diagnostics.length > 0) throw new PipelineInputError(diagnostics, { [file]: pipeline.source });
  plan.memory = total;
}

/** Files a stage reads are checked by everyone's rules: there, and regular files (never a FIFO, a device, a folder). */
async function readsProblems(spec: StageSpec, pipelineDir: string): Promise<PreflightProblem[]> {
  let reads: readonly string[];
  try {
    reads = spec.stage.reads(spec.params);
    if (!Array.isArray(reads) || reads.some((r) => typeof r !== 'string')) throw new Error(`reads returned ${JSON.stringify(reads)}, not a list of paths`);
  } catch (err) {
    return [{ path: ['uses'], message: `the stage's reads failed (a bug in the stage): ${err instanceof Error ? err.message : String(err)}` }];
  }
  const problems: PreflightProblem[] = [];
  for (const path of reads) {
    const file = resolve(pipelineDir, path);
    const at = ['with', ...(paramHolding(spec.params, path) ?? [])];
    const stats = await stat(file).catch(() => undefined);
    if (!stats) problems.push({ path: at, message: `${path}: not found (looked for ${file}); path is relative to the pipeline file` });
    else if (!stats.isFile()) problems.push({ path: at, message: `${path}: is ${kindOf(stats)}, not a regular file` });
  }
  return problems;
}

/** Where in `params` the string `value` is (the param naming a file the stage reads), if it is there. */
function paramHolding(params: unknown, value: string, path: (string | number)[] = []): (string | number)[] | undefined {
  if (params === value) return path;
  if (typeof params !== 'object' || params === null) return undefined;
  for (const [key, child] of Object.entries(params)) {
    const found = paramHolding(child, value, [...path, Array.isArray(params) ? Number(key) : key]);
    if (found) return found;
  }
  return undefined;
}

function problemAt(problem: PreflightProblem, spec: StageSpec, place: (spec: StageSpec, path: readonly (string | number)[], message: string) => Diagnostic): Diagnostic {
  if (!problem.file) return place(spec, problem.path, problem.message);
  return { file: problem.file.path, line: problem.file.line, col: problem.file.col, path: '', message: problem.message };
}
