/**
 * Running a plan: every stage is one RxJS stream, all merged into one. A stage starts
 * when its finished-value inputs are ready; live-stream inputs are handed over at once.
 * Each output is a subject fed by exactly one execution of its stage and shared by all
 * its consumers. An error anywhere unsubscribes everything, which runs every stage's
 * teardown (tensors disposed, timers cleared).
 *
 * With a cache (the output folder's lock), each stage decides once its inputs are ready
 * — their hashes are taken then, before it runs — whether it can be skipped; a skipped
 * stage feeds its consumers the values it recorded when it last ran. A stage and its live
 * consumers run together or are reused together (see cache.ts).
 */
import { join } from 'node:path';
import { EMPTY, Observable, ReplaySubject, Subject, concat, defer, forkJoin, from, merge, of, throwError } from 'rxjs';
import { concatMap, finalize, map, materialize, take } from 'rxjs/operators';
import { lookupCache, type CacheAnswer, type CacheContext, type Stored } from '../reuse/cache.ts';
import { liveReason } from '../reuse/changes.ts';
import { NotJsonError, canonicalJsonParts, hashValue } from '../../util/canonical.ts';
import { keyHash, madeWith, stageIdentity, type StageIdentity, type StageKey } from '../record/fingerprint.ts';
import type { Lockfile } from '../record/lock.ts';
import type { Edge, Plan, PlanNode } from '../plan/plan.ts';
import { keepsValues } from '../record/lock.ts';
import { byteLength, resetDir, writeAtomic, type FileContent } from '../record/write.ts';
import { StageError, type LiveInput, type Stage, type StageEvent } from '../../contract/stage.ts';
import type { ArtifactRecord } from '../record/manifest.ts';
import { clearState, writeOutput, writeRecord, type MadeWith } from '../record/state.ts';

export type EngineEvent =
  | { type: 'environment'; facts: Record<string, string> }
  /** `reason`: why it runs rather than being reused (only when the run has a cache). */
  | { type: 'stage-start'; stage: string; startedAt: string; key: StageKey; reason?: string }
  /** Skipped: its key matched the lock and its files were verified; `outputs` are its output value hashes. */
  | { type: 'stage-cached'; stage: string; key: StageKey; outputs: Record<string, string>; artifacts: Record<string, ArtifactRecord>; metrics: Record<string, number> }
  | { type: 'progress'; stage: string; current: number; total: number; state?: Record<string, unknown> }
  | { type: 'artifact'; stage: string; name: string; path: string; sha256: string; bytes: number }
  | { type: 'output'; stage: string; name: string }
  | { type: 'message'; stage: string; text: string }
  | { type: 'metric'; stage: string; name: string; value: number }
  /** `outputs`: the hash of each finished output value (canonical JSON). */
  | { type: 'stage-done'; stage: string; durationMs: number; outputs: Record<string, string> };

export interface CacheOptions {
  /** The lock of the output folder's last completed run; undefined when there is none (every stage runs). */
  lock: Lockfile | undefined;
  /** Stages that run even when they match the lock: all of them, or these ids. */
  force?: 'all' | ReadonlySet<string>;
}

export interface RunOptions {
  /** Artifacts go to `<outDir>/<stage-id>/`. */
  outDir: string;
  /** Reuse the stages that match this lock; without it every stage runs (as `check` wants). */
  cache?: CacheOptions;
  /** Called with the content of each small JSON artifact as it is written (what the lock keeps). */
  onValue?: (stage: string, artifact: string, value: unknown) => void;
  /** The run's interruption, handed to every stage (RunContext.signal) and to the engine's own long work (hashing large values). */
  signal?: AbortSignal;
}

interface Channels {
  outputs: Map<string, ReplaySubject<unknown>>;
  stop: Subject<string>;
  /**
   * Once the stage has decided whether it runs: its key hash (what consumers of its live
   * streams record as that input) and whether it runs.
   */
  decided: ReplaySubject<{ key: string; runs: boolean }>;
}

/** What every stage's run shares. */
interface Shared {
  plan: Plan;
  options: RunOptions;
  /** What the cache checks against; undefined when the run has no cache. */
  cache?: CacheContext;
  identity: (node: PlanNode) => StageIdentity;
  madeWith: (node: PlanNode) => MadeWith;
  hashes: ValueHashes;
  setup: (stage: Stage) => Observable<EngineEvent>;
}

export function runPlan(plan: Plan, options: RunOptions): Observable<EngineEvent> {
  const channels = new Map<string, Channels>();
  for (const node of plan.nodes) {
    const outputs = new Map<string, ReplaySubject<unknown>>();
    // A live stream replays its whole history, so a consumer that subscribes late misses nothing.
    for (const [name, spec] of Object.entries(node.spec.stage.outputs)) {
      outputs.set(name, spec.stream ? new ReplaySubject<unknown>() : new ReplaySubject<unknown>(1));
    }
    channels.set(node.spec.id, { outputs, stop: new Subject<string>(), decided: new ReplaySubject<{ key: string; runs: boolean }>(1) });
  }
  const channel = (edge: Edge): ReplaySubject<unknown> => channels.get(edge.from)!.outputs.get(edge.output)!;
  // Taken once, as the run starts: a user's module edited during the run is not what ran.
  const identities = new Map(plan.nodes.map((n) => [n, stageIdentity(n.spec, plan.pipeline.dir)]));
  const identity = (node: PlanNode): StageIdentity => identities.get(node)!;
  const made = new Map(plan.nodes.map((n) => [n, madeWith(n.spec)]));
  const madeWithOf = (node: PlanNode): MadeWith => made.get(node)!;
  const { cache } = options;
  const forced = (node: PlanNode): boolean => cache?.force === 'all' || Boolean(cache?.force?.has(node.spec.id));
  const shared: Shared = {
    plan,
    options,
    identity,
    madeWith: madeWithOf,
    cache: cache && { plan, lock: cache.lock, outDir: options.outDir, identity, madeWith: madeWithOf, forced },
    hashes: valueHashes(),
    setup: setupOnce(),
  };

  const stages = plan.nodes.map((node) =>
    defer(() => {
      const own = channels.get(node.spec.id)!;
      const liveInputs: Record<string, LiveInput<unknown>> = {};
      for (const edge of node.edges.filter((e) => e.stream)) {
        const stop = channels.get(edge.from)!.stop;
        liveInputs[edge.port] = { values: channel(edge).asObservable(), stop: (reason) => stop.next(reason) };
      }
      const values = allOf(node.edges.filter((e) => !e.stream).map((e) => [e.port, channel(e).pipe(take(1))]));
      const producers = allOf(node.edges.filter((e) => e.stream).map((e) => [e.port, channels.get(e.from)!.decided.pipe(take(1))]));
      return forkJoin([values, producers]).pipe(
        concatMap(([ready, live]) => {
          const inputs = Object.fromEntries(Object.entries(ready).map(([port, value]) => [port, shared.hashes.of(value)]));
          // A live stream's values carry wall times: its consumer records the producer's key instead.
          const keys = Object.fromEntries(Object.entries(live).map(([port, d]) => [port, d.key]));
          const key: StageKey = { ...shared.identity(node), inputs: { ...inputs, ...keys } };
          const running = node.edges.find((e) => e.stream && live[e.port].runs);
          return from(decide(node, key, running, shared)).pipe(
            concatMap((answer) => {
              own.decided.next({ key: keyHash(key), runs: !('hit' in answer) });
              return 'hit' in answer ? replay(node, key, answer.hit, own, shared) : runNode(node, key, answer.reason, { ...ready, ...liveInputs }, own, shared);
            }),
          );
        }),
      );
    }),
  );
  return merge(...stages);
}

/** forkJoin of named sources, which emits `{}` at once when there are none (forkJoin alone would emit nothing). */
function allOf<T>(sources: [string, Observable<T>][]): Observable<Record<string, T>> {
  return sources.length ? forkJoin(Object.fromEntries(sources)) : of({});
}

/** Hashes of the values passed between stages, each computed once however many consumers read it. */
interface ValueHashes {
  of(value: unknown): string;
  remember(value: unknown, hash: string): void;
}

function valueHashes(): ValueHashes {
  // Keyed by identity: values between stages are shared, never copied, and stages do not mutate their inputs.
  const known = new WeakMap<object, string>();
  const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;
  return {
    of(value) {
      if (!isObject(value)) return hashValue(value);
      let hash = known.get(value);
      if (hash === undefined) known.set(value, (hash = hashValue(value)));
      return hash;
    },
    remember(value, hash) {
      if (isObject(value)) known.set(value, hash);
    },
  };
}

/**
 * Runs each distinct `setup` once, when the first stage needing it is about to run (so a
 * run where every such stage is cached never loads, say, TensorFlow.js), and reports its facts.
 */
function setupOnce(): (stage: Stage) => Observable<EngineEvent> {
  const started = new Map<NonNullable<Stage['setup']>, Promise<Record<string, string>>>();
  return ({ setup }) => {
    if (!setup) return EMPTY;
    const first = !started.has(setup);
    if (first) started.set(setup, setup());
    return from(started.get(setup)!).pipe(concatMap((facts) => (first ? of<EngineEvent>({ type: 'environment', facts }) : EMPTY)));
  };
}

/**
 * Whether the cache lets `node` be skipped; without a cache it always runs, with no reason
 * given. A stage fed live by a producer that runs runs too (see cache.ts).
 */
async function decide(node: PlanNode, key: StageKey, liveFromRunning: Edge | undefined, shared: Shared): Promise<CacheAnswer | { reason: undefined }> {
  if (!shared.cache) return { reason: undefined };
  if (liveFromRunning) return { reason: liveReason(liveFromRunning) };
  const answer = await lookupCache(node, key, shared.cache);
  if ('reason' in answer && node.edges.some((e) => e.stream)) {
    // Its live producers were reused, which the cache allows only when this stage will be too.
    throw new StageError(node.spec.id, `has to run (${answer.reason}) but the stages feeding it live were reused; its files changed during the run: run again`);
  }
  return answer;
}

/** A cached stage: says so, then feeds its recorded values to its consumers. */
function replay(node: PlanNode, key: StageKey, stored: Stored, own: Channels, shared: Shared): Observable<EngineEvent> {
  const cached: EngineEvent = { type: 'stage-cached', stage: node.spec.id, key, outputs: stored.hashes, artifacts: stored.artifacts, metrics: stored.metrics };
  const feed = defer(async () => {
    const values = await stored.outputs();
    for (const [name, spec] of Object.entries(node.spec.stage.outputs)) {
      const subject = own.outputs.get(name)!;
      // A stream output completes empty: its live consumers are reused with it and never read it.
      if (!spec.stream && Object.hasOwn(values, name)) {
        shared.hashes.remember(values[name], stored.hashes[name]);
        subject.next(values[name]);
      }
      subject.complete();
    }
  }).pipe(concatMap(() => EMPTY));
  return concat(of(cached), feed);
}

function runNode(
  node: PlanNode,
  key: StageKey,
  reason: string | undefined,
  inputs: Record<string, unknown>,
  own: Channels,
  shared: Shared,
): Observable<EngineEvent> {
  const { id, stage, params } = node.spec;
  const { outDir } = shared.options;
  const dir = join(outDir, id);
  const emitted = new Set<string>();
  const hashes: Record<string, string> = {};
  const metrics: Record<string, number> = {};
  let started = 0;
  /** Aborted once the stage's stream ends or the run stops it: its work and writes still going are then unwanted. */
  const abandoned = new AbortController();
  const fail = (message: string, cause?: unknown): never => {
    throw new StageError(id, message, { cause });
  };
  /**
   * A finished output's value: hashed and recorded (as canonical JSON, written in slices
   * so a large one never holds up Ctrl-C), before its consumers get it.
   */
  const recordOutput = async (name: string, value: unknown): Promise<void> => {
    let parts: string[];
    try {
      parts = await canonicalJsonParts(value, shared.options.signal);
    } catch (err) {
      if (!(err instanceof NotJsonError)) throw err;
      return fail(`output "${name}": ${err.message}; outputs must be plain JSON data, since they are hashed, cached and replayed`, err);
    }
    // Written and hashed together: the file's sha256 is the value's hash.
    const hash = await writeOutput(outDir, id, name, parts, abandoned.signal).catch((err: unknown) => fail(`could not record its output "${name}": ${(err as Error).message}`, err));
    shared.hashes.remember(value, hash);
    hashes[name] = hash;
  };

  const handle = (event: StageEvent): Observable<EngineEvent> => {
    switch (event.type) {
      case 'artifact':
        if (!isPlainFileName(event.name)) {
          fail(`artifact name ${JSON.stringify(event.name)} is not a plain file name; a stage writes only into its own folder (no "/", "\\" or leading ".")`);
        }
        recordValue(event.name, event.content);
        return from(
          // writeAtomic's errors name the file already.
          writeAtomic(join(dir, event.name), event.content, abandoned.signal).catch((err: unknown) => fail((err as Error).message, err)),
        ).pipe(
          map((hash): EngineEvent => ({
            type: 'artifact',
            stage: id,
            name: event.name,
            path: join(dir, event.name),
            sha256: hash,
            bytes: byteLength(event.content),
          })),
        );
      case 'output': {
        const subject = own.outputs.get(event.name) ?? fail(`emitted an undeclared output "${JSON.stringify(event.name).slice(1, -1)}"`);
        const emit = (): EngineEvent => {
          subject.next(event.value);
          return { type: 'output', stage: id, name: event.name };
        };
        if (stage.outputs[event.name].stream) {
          emitted.add(event.name);
          return of(emit());
        }
        // Consumers take the first value; a second one would make the lock record another.
        if (emitted.has(event.name)) fail(`emitted its output "${event.name}" twice; only a stream output may emit more than one value`);
        emitted.add(event.name);
        return from(recordOutput(event.name, event.value)).pipe(map(emit));
      }
      case 'progress':
        return of({ type: 'progress', stage: id, current: event.current, total: event.total, state: event.state });
      case 'message':
        return of({ type: 'message', stage: id, text: event.text });
      case 'metric':
        if (!Object.hasOwn(stage.metrics, event.name)) {
          const declared = Object.keys(stage.metrics);
          fail(`reported an undeclared metric "${event.name}"; its metrics are ${declared.join(', ') || '(none: declare them in the stage definition)'}`);
        }
        if (typeof event.value !== 'number' || !Number.isFinite(event.value)) fail(`metric "${event.name}" is ${String(event.value)}, not a finite number`);
        metrics[event.name] = event.value;
        return of({ type: 'metric', stage: id, name: event.name, value: event.value });
    }
  };
  const recordValue = (name: string, content: FileContent): void => {
    if (!shared.options.onValue || !keepsValues(name, byteLength(content))) return;
    let value: unknown;
    try {
      value = JSON.parse(typeof content === 'string' ? content : content instanceof Uint8Array ? Buffer.from(content).toString('utf8') : content.join(''));
    } catch (err) {
      fail(`artifact ${name} is not valid JSON (${(err as Error).message}); give a .json artifact JSON content, or another name`, err);
    }
    shared.options.onValue(id, name, value);
  };

  const start = defer(async (): Promise<EngineEvent> => {
    await Promise.all([resetDir(dir), clearState(outDir, id)]);
    started = performance.now();
    return { type: 'stage-start', stage: id, startedAt: new Date().toISOString(), key, ...(reason ? { reason } : {}) };
  });
  // Materialised so that an error waits, in order, for the artifacts emitted before it to
  // be written: a failing stage can still leave what it had (e.g. a partial history).
  // The stage's signal: the run's interruption, or the stage's end (the run stopped it: another stage failed).
  const signal = shared.options.signal ? AbortSignal.any([shared.options.signal, abandoned.signal]) : abandoned.signal;
  const body = defer(() =>
    stage.run({ id, params, pipelineDir: shared.plan.pipeline.dir, stopRequested: own.stop.pipe(take(1)), signal }, inputs),
  ).pipe(
    materialize(),
    concatMap((n) => (n.kind === 'N' ? handle(n.value) : n.kind === 'E' ? throwError(() => n.error as unknown) : EMPTY)),
  );
  const finish = defer(async (): Promise<EngineEvent> => {
    for (const [name, spec] of Object.entries(stage.outputs)) {
      if (!spec.optional && !emitted.has(name)) fail(`finished without producing its output "${name}"`);
    }
    // Recorded before the outputs complete: a stage counts as finished only with its record on disk.
    await writeRecord(outDir, id, { madeWith: shared.madeWith(node), metrics }).catch((err: unknown) => fail(`could not record that it finished: ${(err as Error).message}`, err));
    for (const subject of own.outputs.values()) subject.complete();
    return { type: 'stage-done', stage: id, durationMs: performance.now() - started, outputs: hashes };
  });
  // Ended, or stopped by the run (after an interruption's grace, or another stage's failure):
  // the stage's own work and the writes still going are no longer wanted.
  return concat(shared.setup(stage), start, body, finish).pipe(finalize(() => abandoned.abort()));
}

/** A name a stage may give an artifact: one path segment, not hidden (rxlab's own files start with a dot). */
const isPlainFileName = (name: string): boolean => name.length > 0 && !/[/\\\0]/.test(name) && !name.startsWith('.');
