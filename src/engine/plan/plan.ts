/**
 * Planning: resolves every input reference to the stage output it names, checks kinds,
 * and orders the stages into a DAG. All problems are reported together, each at the
 * place in the file where the reference was written.
 */
import type { Diagnostic } from '../errors.ts';
import { PipelineInputError } from '../errors.ts';
import type { PipelineSpec, SourcePos, StageSpec } from '../load/pipeline.ts';
import type { PortSpec } from '../../contract/stage.ts';
import { didYouMean } from '../../util/suggest.ts';

/** One input of a node, wired to the output that feeds it. */
export interface Edge {
  port: string;
  from: string;
  output: string;
  stream: boolean;
}

export interface PlanNode {
  spec: StageSpec;
  edges: Edge[];
  /** Longest distance from a source stage: stages of one level can run at the same time. */
  level: number;
}

export interface Plan {
  pipeline: PipelineSpec;
  /** Topological order; among ready stages, file order. */
  nodes: PlanNode[];
  /** The memory its stages need together, in bytes, as their preflights estimate it (once preflighted). */
  memory?: number;
}

export function planPipeline(pipeline: PipelineSpec): Plan {
  const { edges, diagnostics } = wire(pipeline);
  if (diagnostics.length) throw new PipelineInputError(sortByPosition(diagnostics), { [pipeline.given ?? pipeline.file]: pipeline.source });
  return { pipeline, nodes: order(pipeline.stages, edges) };
}

/**
 * The planner's problems with a file the loader refused (its stages that did load):
 * unknown references, kinds that do not fit, cycles, so that they come out with the
 * loader's, all at once. A reference to a stage that did not load is left to the loader's report.
 */
export function referenceDiagnostics(pipeline: PipelineSpec, unchecked: ReadonlySet<string>): Diagnostic[] {
  return wire(pipeline, unchecked).diagnostics;
}

/** Each stage's inputs wired to the outputs they name, and every problem found doing it. */
function wire(pipeline: PipelineSpec, unchecked: ReadonlySet<string> = new Set()): { edges: Map<string, Edge[]>; diagnostics: Diagnostic[] } {
  const byId = new Map(pipeline.stages.map((s) => [s.id, s]));
  const diagnostics: Diagnostic[] = [];
  const at = (pos: SourcePos, path: string, message: string): void => {
    diagnostics.push({ file: pipeline.given ?? pipeline.file, line: pos.line, col: pos.col, path, message });
  };

  const edges = new Map<string, Edge[]>();
  for (const spec of pipeline.stages) {
    const list: Edge[] = [];
    for (const [port, ref] of Object.entries(spec.inputs)) {
      if (typeof ref !== 'string' || unchecked.has(ref.split('.')[0])) continue;
      const pos = spec.inputPos[port] ?? spec.pos;
      const path = `stages.${spec.id}.inputs.${port}`;
      const edge = resolveReference(ref, port, spec, byId, (message) => at(pos, path, message));
      if (edge) list.push(edge);
    }
    edges.set(spec.id, list);
  }

  const cycle = findCycle(pipeline.stages, edges);
  if (cycle) {
    const first = byId.get(cycle[0])!;
    at(first.pos, `stages.${first.id}`, `cycle between stages: ${cycle.join(' → ')}; a stage cannot depend on its own outputs`);
  }
  return { edges, diagnostics };
}

function resolveReference(
  ref: string,
  port: string,
  consumer: StageSpec,
  byId: Map<string, StageSpec>,
  fail: (message: string) => void,
): Edge | undefined {
  const [fromId, outputName] = ref.split('.', 2);
  const producer = byId.get(fromId);
  if (!producer) {
    fail(`unknown stage "${fromId}" in reference "${ref}"${didYouMean(fromId, byId.keys())}`);
    return undefined;
  }
  const outputs = producer.stage.outputs;
  let output = outputName;
  if (output === undefined) {
    const names = Object.keys(outputs).filter((n) => !outputs[n].stream);
    if (names.length !== 1) {
      fail(`stage "${fromId}" has outputs ${Object.keys(outputs).join(', ')}; name one, e.g. "${fromId}.${names[0] ?? Object.keys(outputs)[0]}"`);
      return undefined;
    }
    output = names[0];
  }
  const produced = outputs[output];
  if (!produced) {
    const known = Object.keys(outputs);
    fail(`stage "${fromId}" has no output "${output}"${didYouMean(output, known)}; its outputs are ${known.join(', ') || '(none)'}`);
    return undefined;
  }
  const wanted = consumer.stage.inputs[port];
  if (!wanted) return undefined; // the loader already reported an unknown port
  if (wanted.kind !== produced.kind) {
    fail(`expected ${aKind(wanted.kind)}, found ${aKind(produced.kind)} ("${fromId}.${output}")${outputsOfKind(wanted, consumer, [...byId.values()])}`);
    return undefined;
  }
  if (Boolean(wanted.stream) !== Boolean(produced.stream)) {
    const what = (s: boolean | undefined): string => (s ? 'a live stream' : 'a finished value');
    fail(`expected ${what(wanted.stream)}, but "${fromId}.${output}" is ${what(produced.stream)}`);
    return undefined;
  }
  return { port, from: fromId, output, stream: Boolean(produced.stream) };
}

/** `; outputs that are a model: model.model, train.model`: the references that would fit, if any. */
function outputsOfKind(wanted: PortSpec, consumer: StageSpec, stages: StageSpec[]): string {
  const fitting = stages
    .filter((s) => s !== consumer)
    .flatMap((s) => Object.entries(s.stage.outputs).filter(([, o]) => o.kind === wanted.kind && Boolean(o.stream) === Boolean(wanted.stream)).map(([name]) => `${s.id}.${name}`));
  return fitting.length ? `; outputs that are ${aKind(wanted.kind)}: ${fitting.join(', ')}` : '';
}

/** `a model`, `an epoch-state`, `an x-text`. */
const aKind = (kind: string): string => `${/^[aeiox]/.test(kind) ? 'an' : 'a'} ${kind}`;

/** The first cycle found by depth-first search, as a closed path of ids (`a → b → a`). */
function findCycle(stages: StageSpec[], edges: Map<string, Edge[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const edge of edges.get(id) ?? []) {
      const found = visit(edge.from);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const s of stages) {
    // Dependencies were followed backwards; reverse so the path reads in the direction data flows.
    const found = visit(s.id);
    if (found) return found.reverse();
  }
  return undefined;
}

/** Kahn's algorithm, taking ready stages in file order; the level is the longest path from a source. */
function order(stages: StageSpec[], edges: Map<string, Edge[]>): PlanNode[] {
  const level = new Map<string, number>();
  const nodes: PlanNode[] = [];
  const pending = [...stages];
  while (pending.length) {
    const index = pending.findIndex((s) => (edges.get(s.id) ?? []).every((e) => level.has(e.from)));
    const [spec] = pending.splice(index, 1);
    const own = edges.get(spec.id) ?? [];
    const lvl = own.reduce((max, e) => Math.max(max, level.get(e.from)! + 1), 0);
    level.set(spec.id, lvl);
    nodes.push({ spec, edges: own, level: lvl });
  }
  return nodes;
}

function sortByPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The plan as text, for `rxlab plan`: one line per stage in run order, with what feeds it. */
export function describePlan(plan: Plan): string {
  const lines = [`pipeline ${plan.pipeline.name}: ${plan.nodes.length} stages`];
  for (const node of plan.nodes) {
    const from = node.edges.map((e) => `${e.port} ← ${e.from}.${e.output}${e.stream ? ' (live)' : ''}`).join(', ');
    lines.push(`  [${node.level}] ${node.spec.id} (${node.spec.uses})${from ? `  ${from}` : ''}`);
  }
  const levels = Math.max(...plan.nodes.map((n) => n.level), -1) + 1;
  lines.push(`stages at the same level run concurrently (${levels} level${levels === 1 ? '' : 's'})`);
  return lines.join('\n');
}
