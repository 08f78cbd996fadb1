/**
 * Running a plan: every stage is one RxJS stream, all merged into one. A stage starts
 * when its finished-value inputs are ready; live-stream inputs are handed over at once.
 * Each output is a subject fed by exactly one execution of its stage and shared by all
 * its consumers. An error anywhere unsubscribes everything, which runs every stage's
 * teardown (tensors disposed, timers cleared).
 */
import { join } from 'node:path';
import { EMPTY, Observable, ReplaySubject, Subject, concat, defer, forkJoin, from, merge, of, throwError } from 'rxjs';
import { concatMap, map, materialize, take } from 'rxjs/operators';
import type { Edge, Plan, PlanNode } from './plan.ts';
import { resetDir, writeAtomic } from './record.ts';
import { StageError, type LiveInput, type StageEvent } from './stage.ts';

export type EngineEvent =
  | { type: 'environment'; facts: Record<string, string> }
  | { type: 'stage-start'; stage: string; startedAt: string }
  | { type: 'progress'; stage: string; current: number; total: number; state?: Record<string, unknown> }
  | { type: 'artifact'; stage: string; name: string; path: string; sha256: string; bytes: number }
  | { type: 'output'; stage: string; name: string }
  | { type: 'message'; stage: string; text: string }
  | { type: 'stage-done'; stage: string; durationMs: number };

export interface RunOptions {
  /** Artifacts go to `<outDir>/<stage-id>/`. */
  outDir: string;
}

interface Channels {
  outputs: Map<string, ReplaySubject<unknown>>;
  stop: Subject<string>;
}

export function runPlan(plan: Plan, options: RunOptions): Observable<EngineEvent> {
  const channels = new Map<string, Channels>();
  for (const node of plan.nodes) {
    const outputs = new Map<string, ReplaySubject<unknown>>();
    // A live stream replays its whole history, so a consumer that subscribes late misses nothing.
    for (const [name, spec] of Object.entries(node.spec.stage.outputs)) {
      outputs.set(name, spec.stream ? new ReplaySubject<unknown>() : new ReplaySubject<unknown>(1));
    }
    channels.set(node.spec.id, { outputs, stop: new Subject<string>() });
  }
  const channel = (edge: Edge): ReplaySubject<unknown> => channels.get(edge.from)!.outputs.get(edge.output)!;

  const stages = plan.nodes.map((node) =>
    defer(() => {
      const liveInputs: Record<string, LiveInput<unknown>> = {};
      for (const edge of node.edges.filter((e) => e.stream)) {
        const stop = channels.get(edge.from)!.stop;
        liveInputs[edge.port] = { values: channel(edge).asObservable(), stop: (reason) => stop.next(reason) };
      }
      const valueEdges = node.edges.filter((e) => !e.stream);
      const ready = valueEdges.length
        ? forkJoin(Object.fromEntries(valueEdges.map((e) => [e.port, channel(e).pipe(take(1))])))
        : of({});
      return ready.pipe(concatMap((values) => runNode(node, { ...values, ...liveInputs }, channels.get(node.spec.id)!, plan.pipeline.dir, options)));
    }),
  );
  return concat(setupStages(plan), merge(...stages));
}

/** Runs each distinct `setup` of the stages in the plan once and reports their facts. */
function setupStages(plan: Plan): Observable<EngineEvent> {
  const setups = [...new Set(plan.nodes.map((n) => n.spec.stage.setup).filter((s) => s !== undefined))];
  if (!setups.length) return EMPTY;
  return from(Promise.all(setups.map((s) => s()))).pipe(
    map((all): EngineEvent => ({ type: 'environment', facts: Object.assign({}, ...all) as Record<string, string> })),
  );
}

function runNode(
  node: PlanNode,
  inputs: Record<string, unknown>,
  own: Channels,
  pipelineDir: string,
  options: RunOptions,
): Observable<EngineEvent> {
  const { id, stage, params } = node.spec;
  const dir = join(options.outDir, id);
  const emitted = new Set<string>();
  let started = 0;
  const fail = (message: string, cause?: unknown): never => {
    throw new StageError(id, message, { cause });
  };

  const handle = (event: StageEvent): Observable<EngineEvent> => {
    switch (event.type) {
      case 'artifact':
        return from(
          writeAtomic(join(dir, event.name), event.content).catch((err: unknown) =>
            fail(`could not write ${join(dir, event.name)}: ${(err as Error).message}`, err),
          ),
        ).pipe(
          map((hash): EngineEvent => ({
            type: 'artifact',
            stage: id,
            name: event.name,
            path: join(dir, event.name),
            sha256: hash,
            bytes: typeof event.content === 'string' ? Buffer.byteLength(event.content) : event.content.byteLength,
          })),
        );
      case 'output': {
        const subject = own.outputs.get(event.name) ?? fail(`emitted an undeclared output "${event.name}"`);
        emitted.add(event.name);
        subject.next(event.value);
        return of({ type: 'output', stage: id, name: event.name });
      }
      case 'progress':
        return of({ type: 'progress', stage: id, current: event.current, total: event.total, state: event.state });
      case 'message':
        return of({ type: 'message', stage: id, text: event.text });
    }
  };

  const start = defer(async (): Promise<EngineEvent> => {
    await resetDir(dir);
    started = performance.now();
    return { type: 'stage-start', stage: id, startedAt: new Date().toISOString() };
  });
  // Materialised so that an error waits, in order, for the artifacts emitted before it to
  // be written: a failing stage can still leave what it had (e.g. a partial history).
  const body = defer(() => stage.run({ id, params, pipelineDir, stopRequested: own.stop.pipe(take(1)) }, inputs)).pipe(
    materialize(),
    concatMap((n) => (n.kind === 'N' ? handle(n.value) : n.kind === 'E' ? throwError(() => n.error as unknown) : EMPTY)),
  );
  const finish = defer((): Observable<EngineEvent> => {
    for (const [name, spec] of Object.entries(stage.outputs)) {
      if (!spec.optional && !emitted.has(name)) fail(`finished without producing its output "${name}"`);
      own.outputs.get(name)!.complete();
    }
    return of({ type: 'stage-done', stage: id, durationMs: performance.now() - started });
  });
  return concat(start, body, finish);
}
