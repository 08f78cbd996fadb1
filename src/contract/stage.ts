/**
 * The stage contract: what every stage, built-in or a user's own, is made of. A stage is
 * one definition, in the spirit of vega-dataflow's transform definitions:
 *
 * - `params`: one JSON Schema, with every default in it. The type `run` receives is derived
 *   from it (json-schema-to-ts), defaults filled in, so there is no hand-written twin.
 * - `inputs` / `outputs`: ports, each with a kind from src/contract/kinds.ts; `run`'s inputs
 *   and `ctx.output`'s values are typed from those kinds.
 * - `reads`: the files the stage reads, from its params; the engine hashes their content
 *   into the stage's cache key, so a changed data file is never served as cached.
 * - `metrics`: what the stage measures (`accuracy` maximise, `loss` minimise), addressed as
 *   `stage.metric` by sweeps and experiments, and emitted with `ctx.metric`.
 * - `packages`: the npm packages that compute its results; their versions are recorded and
 *   keyed (a stage computed with another version of one runs again).
 * - `preflight`: what the stage will make and need, from its params and what is known of its
 *   inputs before anything runs (a dataset's size and labels, a model's layers): its
 *   outputs' facts, the problems between its params and its inputs (positioned, exit 2),
 *   and an estimate of the memory it needs, which the planner holds to `--max-memory`.
 *
 * The engine owns everything else: validating params, wiring inputs, writing artifacts
 * atomically, hashing, caching and cancellation.
 *
 * @example
 * export default defineStage({
 *   name: 'scale',
 *   description: 'Multiplies every feature by a factor.',
 *   params: { type: 'object', properties: { factor: { type: 'number', default: 2 } }, additionalProperties: false },
 *   inputs: { dataset: { kind: 'dataset' } },
 *   outputs: { dataset: { kind: 'dataset' } },
 *   run: (ctx, { dataset }) => of(ctx.output('dataset', scale(dataset, ctx.params.factor))),
 * });
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { Observable, defer } from 'rxjs';
import { catchError } from 'rxjs/operators';
import { jsonParts } from '../util/canonical.ts';
import type { Kind, KindFacts, KindType } from './kinds.ts';

/** A JSON Schema as the engine handles it: data. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A params schema as a definition writes it: a literal, from which the params' type is derived. */
export type ParamsSchema = JSONSchema;

/** The params `run` receives for a schema: validated, defaults filled in. */
export type ParamsOf<S> = S extends JSONSchema ? FromSchema<S> : never;

/** One input or output of a stage. */
export interface PortSpec {
  readonly kind: Kind;
  /** A live stream: the consumer gets an Observable of values while the producer runs. */
  readonly stream?: boolean;
  readonly optional?: boolean;
  readonly description?: string;
}

export type Ports = Readonly<Record<string, PortSpec>>;

/** Something a stage measures; `stage.metric` names it in sweeps and experiments. */
export interface MetricSpec {
  /** Which way is better. */
  readonly direction: 'maximize' | 'minimize';
  readonly description: string;
  /**
   * The optional input it is measured on (train's `val_loss` on `validation`): the stage
   * reports it only when a pipeline gives that input, and only then is it one of the
   * pipeline's metrics.
   */
  readonly input?: string;
}

/** A problem with params that their schema cannot express (how two of them relate); `path` is inside `with:`. */
export interface ParamsProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** What is known of an input before anything runs: its producer's facts (each may be absent: unknown), and which output it is. */
export type InputFacts<K extends Kind> = Partial<FactsOf<K>> & {
  /** `data.dataset`: the output feeding it, for messages. */
  readonly from: string;
};

/** The facts a kind of value can carry before anything runs (none for most kinds). */
export type FactsOf<K extends Kind> = K extends keyof KindFacts ? KindFacts[K] : Record<never, never>;

/** A problem `preflight` found; `path` is from the stage's entry: `['with', 'points', 0]` or `['inputs', 'dataset']`. */
export interface PreflightProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** A place in another file than the pipeline (a data file), when the problem is there. */
  readonly file?: { readonly path: string; readonly line: number; readonly col: number };
}

/** Memory a stage needs at most, and the param that decides it (for the message when it is too much). */
export interface MemoryEstimate {
  readonly bytes: number;
  /** From the stage's entry, as in PreflightProblem. */
  readonly path: readonly (string | number)[];
  /** What takes it: `5000000 samples of 2 features`. */
  readonly what: string;
}

/** What `preflight` says. */
export interface Preflight<O extends Ports> {
  readonly outputs?: { readonly [K in keyof O]?: Partial<FactsOf<O[K]['kind']>> };
  readonly problems?: readonly PreflightProblem[];
  readonly memory?: MemoryEstimate;
}

/** What `preflight` is given besides params. */
export interface PreflightContext {
  /** Folder of the pipeline file: relative paths in params resolve against it. */
  readonly pipelineDir: string;
  /** Aborts on Ctrl-C: a preflight that reads a large file should stop (rejecting) when it does. */
  readonly signal?: AbortSignal;
  /** The memory the run may use (`--max-memory`): a preflight need not read a file it can already tell is too large. */
  readonly maxMemory?: number;
}

type InputsFactsOf<I extends Ports> = { -readonly [K in keyof I]?: InputFacts<I[K]['kind']> };

/** A live stream as a consuming stage receives it. */
export interface LiveInput<T> {
  values: Observable<T>;
  /** Asks the producing stage to finish early (e.g. early stopping); `reason` is recorded. */
  stop(reason: string): void;
}

type PortValue<P extends PortSpec> = P extends { readonly stream: true } ? LiveInput<KindType<P['kind']>> : KindType<P['kind']>;
type OptionalPorts<I extends Ports> = { [K in keyof I]: I[K] extends { readonly optional: true } ? K : never }[keyof I];

/** The inputs `run` receives: each port's value typed by its kind; an optional port may be absent. */
export type InputsOf<I extends Ports> = { -readonly [K in Exclude<keyof I, OptionalPorts<I>>]: PortValue<I[K]> } & {
  -readonly [K in OptionalPorts<I>]?: PortValue<I[K]>;
};

/** Progress of a stage: `current` of `total` steps, with the step's state (e.g. an epoch's loss). */
export interface ProgressEvent {
  type: 'progress';
  current: number;
  total: number;
  state?: Record<string, unknown>;
}

/**
 * A file the stage produced; the engine writes it atomically and hashes it. `name` is a
 * plain file name. `content` is text, bytes, or text in parts (a large JSON value, never
 * joined into one string: see `largeJsonArtifact`).
 */
export interface ArtifactEvent {
  type: 'artifact';
  name: string;
  content: string | Uint8Array | readonly string[];
}

/** A value on one of the stage's declared outputs (a stream output may emit many). */
export interface OutputEvent {
  type: 'output';
  name: string;
  value: unknown;
}

/** A line for the user (e.g. the final loss); shown by the CLI, never part of an artifact. */
export interface MessageEvent {
  type: 'message';
  text: string;
}

/** The value of one of the stage's declared metrics; recorded in run.json and the lock. */
export interface MetricEvent {
  type: 'metric';
  name: string;
  value: number;
}

export type StageEvent = ProgressEvent | ArtifactEvent | OutputEvent | MessageEvent | MetricEvent;

/** What the engine hands a stage's run. */
export interface RunContext {
  /** The stage's id in the pipeline (the key under `stages:`). */
  readonly id: string;
  /** Params after validation, with schema defaults filled in. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Folder of the pipeline file: relative paths in params resolve against it. */
  readonly pipelineDir: string;
  /** Emits (once) when a consumer of one of this stage's stream outputs asked it to stop. */
  readonly stopRequested: Observable<string>;
  /**
   * Aborts when the run is interrupted (Ctrl-C, SIGTERM), or no longer wants what the
   * stage is making (another stage failed): long work of the stage's own should stop then.
   * On an interruption a stage may end with an error after emitting what it has so far
   * (train keeps history.incomplete.json); the engine waits a moment for that before it
   * stops every stage. Always given by the engine.
   */
  readonly signal?: AbortSignal;
}

/** What a definition's `run` receives: the run context, typed, with event makers for its own outputs and metrics. */
export interface StageContext<P, O extends Ports, M extends string> extends Omit<RunContext, 'params'> {
  readonly params: P;
  output<N extends keyof O & string>(name: N, value: KindType<O[N]['kind']>): OutputEvent;
  metric(name: M, value: number): MetricEvent;
}

export interface StageDefinition<S extends ParamsSchema, I extends Ports, O extends Ports, M extends Readonly<Record<string, MetricSpec>>> {
  name: string;
  description: string;
  params: S;
  inputs?: I;
  outputs?: O;
  metrics?: M;
  /** Checks between params, run at load time after the schema's: a problem found here stops the run before it starts. */
  check?: (params: ParamsOf<S>) => readonly ParamsProblem[];
  /** The files it reads, relative to the pipeline file, as its params name them. */
  reads?: (params: ParamsOf<S>) => readonly string[];
  /**
   * Before anything runs, in plan order: what it will make (`outputs`' facts), what is
   * wrong between its params and its inputs (`problems`), and the memory it needs. An
   * input whose producer says nothing is absent. May read the files `reads` names.
   */
  preflight?: (params: ParamsOf<S>, inputs: InputsFactsOf<I>, ctx: PreflightContext) => Preflight<O> | Promise<Preflight<O>>;
  /** npm packages whose code computes its results (their versions are recorded and keyed). */
  packages?: readonly string[];
  /**
   * Prepares what the stage needs once per run (e.g. the tfjs backend) and returns facts
   * about it for run.json (`{ backend: 'cpu' }`). Stages sharing one `setup` share one call.
   */
  setup?: () => Promise<Record<string, string>>;
  run(ctx: StageContext<ParamsOf<S>, O, keyof M & string>, inputs: InputsOf<I>): Observable<StageEvent>;
}

/** A stage as the registry and the engine see it; `run` never throws synchronously. */
export interface Stage {
  readonly isStage: true;
  readonly name: string;
  readonly description: string;
  readonly params: JsonSchema;
  readonly inputs: Ports;
  readonly outputs: Ports;
  readonly metrics: Readonly<Record<string, MetricSpec>>;
  readonly packages: readonly string[];
  check(params: Readonly<Record<string, unknown>>): readonly ParamsProblem[];
  reads(params: Readonly<Record<string, unknown>>): readonly string[];
  preflight(params: Readonly<Record<string, unknown>>, inputs: Readonly<Record<string, InputFacts<Kind>>>, ctx: PreflightContext): Preflight<Ports> | Promise<Preflight<Ports>>;
  readonly setup?: () => Promise<Record<string, string>>;
  run(ctx: RunContext, inputs: Readonly<Record<string, unknown>>): Observable<StageEvent>;
}

/** Raised by a stage's run; the engine adds the stage id when it reports it. */
export class StageError extends Error {
  constructor(
    readonly stageId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`stage "${stageId}" failed: ${message}`, options);
    this.name = 'StageError';
  }
}

/**
 * Turns a definition into a stage. Built-ins and users' stages go through this one
 * helper, so a throw anywhere in `run` (sync or in the stream) becomes a StageError
 * that names the stage.
 */
export function defineStage<
  const S extends ParamsSchema,
  const I extends Ports = Record<never, PortSpec>,
  const O extends Ports = Record<never, PortSpec>,
  const M extends Readonly<Record<string, MetricSpec>> = Record<never, MetricSpec>,
>(definition: StageDefinition<S, I, O, M>): Stage {
  const { run, check, reads, preflight, inputs = {}, outputs = {}, metrics = {}, packages = [], ...rest } = definition;
  for (const [name, m] of Object.entries(metrics as Readonly<Record<string, MetricSpec>>)) {
    if (m.input !== undefined && !(inputs as Ports)[m.input]?.optional) {
      throw new Error(`stage ${definition.name}: metric ${name} is measured on input "${m.input}", which is not one of its optional inputs`);
    }
  }
  return {
    ...rest,
    params: definition.params as JsonSchema,
    inputs,
    outputs,
    metrics,
    packages,
    isStage: true,
    // The engine validated the params against this very schema, so they have its type.
    check: (params) => (check ? check(params as ParamsOf<S>) : []),
    reads: (params) => (reads ? reads(params as ParamsOf<S>) : []),
    preflight: (params, given, ctx) => (preflight ? (preflight(params as ParamsOf<S>, given as InputsFactsOf<I>, ctx) as Preflight<Ports> | Promise<Preflight<Ports>>) : {}),
    run: (ctx, given) =>
      defer(() =>
        run(
          {
            ...ctx,
            params: ctx.params as ParamsOf<S>,
            output: (name, value) => ({ type: 'output', name, value }),
            metric: (name, value) => ({ type: 'metric', name, value }),
          },
          given as InputsOf<I>,
        ),
      ).pipe(
        catchError((err: unknown) => {
          if (err instanceof StageError) throw err;
          const message = err instanceof Error ? err.message : String(err);
          throw new StageError(ctx.id, message, { cause: err });
        }),
      ),
  };
}

export function isStage(value: unknown): value is Stage {
  return typeof value === 'object' && value !== null && (value as { isStage?: unknown }).isStage === true;
}

/** A file the stage produced. */
export const artifact = (name: string, content: ArtifactEvent['content']): ArtifactEvent => ({ type: 'artifact', name, content });

/** A line for the user. */
export const message = (text: string): MessageEvent => ({ type: 'message', text });

/**
 * A JSON artifact with a final newline. Numbers keep full precision: JSON.stringify writes
 * the shortest decimal that reads back as the same double (float32 values stay exact too).
 * Pretty output is indented, with lists of plain values kept on one line.
 */
export const jsonArtifact = (name: string, value: unknown, pretty = true): ArtifactEvent =>
  artifact(name, `${pretty ? prettyJson(value) : JSON.stringify(value)}\n`);

/**
 * `jsonArtifact(name, value, false)` for a large value (a dataset of millions of rows):
 * the same bytes, written a slice at a time so the process answers Ctrl-C meanwhile, and
 * never joined into one string.
 */
export const largeJsonArtifact = async (name: string, value: unknown, signal?: AbortSignal): Promise<ArtifactEvent> =>
  artifact(name, [...(await jsonParts(value, { sortKeys: false, signal })), '\n']);

/** A JSON string cannot hold a raw newline, so `,\n` only ever separates elements. */
const prettyJson = (value: unknown): string =>
  JSON.stringify(value, null, 2).replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_, inner: string) => `[${inner.replace(/,\n\s*/g, ', ')}]`);
