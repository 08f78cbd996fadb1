/**
 * The stage contract: what every stage, built-in or a user's own, is made of.
 *
 * A stage declares its params (a JSON Schema), the inputs it reads and the outputs it
 * produces, and implements `run(context, inputs)` returning an Observable of events.
 * The engine owns everything else: validating params, wiring inputs, writing
 * artifacts atomically, hashing, caching and cancellation.
 *
 * @example
 * export default defineStage<{ factor: number }, { dataset: Dataset }>({
 *   name: 'scale',
 *   description: 'Multiplies every feature by a factor.',
 *   params: { type: 'object', properties: { factor: { type: 'number' } }, required: ['factor'] },
 *   inputs: { dataset: { kind: 'dataset' } },
 *   outputs: { dataset: { kind: 'dataset' } },
 *   run: (ctx, { dataset }) => of(output('dataset', scale(dataset, ctx.params.factor))),
 * });
 */
import { Observable, defer } from 'rxjs';
import { catchError } from 'rxjs/operators';

/** A JSON Schema, as ajv takes it. Kept loose on purpose: schemas are data. */
export type JsonSchema = Record<string, unknown>;

/** What flows between stages. `kind` lets the planner refuse a model where a dataset is expected. */
export interface PortSpec {
  kind: string;
  /** A live stream: the consumer gets an Observable of values while the producer runs. */
  stream?: boolean;
  optional?: boolean;
  description?: string;
}

/** A live stream as a consuming stage receives it. */
export interface LiveInput<T> {
  values: Observable<T>;
  /** Asks the producing stage to finish early (e.g. early stopping); `reason` is recorded. */
  stop(reason: string): void;
}

/** Progress of a stage: `current` of `total` steps, with the step's state (e.g. an epoch's loss). */
export interface ProgressEvent {
  type: 'progress';
  current: number;
  total: number;
  state?: Record<string, unknown>;
}

/** A file the stage produced; the engine writes it atomically and hashes it. */
export interface ArtifactEvent {
  type: 'artifact';
  name: string;
  content: string | Uint8Array;
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

export type StageEvent = ProgressEvent | ArtifactEvent | OutputEvent | MessageEvent;

export interface StageContext<P> {
  /** The stage's id in the pipeline (the key under `stages:`). */
  readonly id: string;
  /** Params after validation, with schema defaults filled in. */
  readonly params: P;
  /** Folder of the pipeline file: relative paths in params resolve against it. */
  readonly pipelineDir: string;
  /** Emits (once) when a consumer of one of this stage's stream outputs asked it to stop. */
  readonly stopRequested: Observable<string>;
}

export interface StageDefinition<P, I> {
  name: string;
  description: string;
  params: JsonSchema;
  inputs: { [K in keyof I]-?: PortSpec };
  outputs: Record<string, PortSpec>;
  /**
   * Prepares what the stage needs once per run (e.g. the tfjs backend) and returns facts
   * about it for run.json (`{ backend: 'cpu' }`). Stages sharing one `setup` share one call.
   */
  setup?: () => Promise<Record<string, string>>;
  run(ctx: StageContext<P>, inputs: I): Observable<StageEvent>;
}

/** A stage as the registry and the engine see it; `run` never throws synchronously. */
export interface Stage<P = unknown, I = Record<string, unknown>> extends StageDefinition<P, I> {
  readonly isStage: true;
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
export function defineStage<P, I = Record<string, never>>(definition: StageDefinition<P, I>): Stage<P, I> {
  return {
    ...definition,
    isStage: true,
    run: (ctx, inputs) =>
      defer(() => definition.run(ctx, inputs)).pipe(
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

/** Shorthands that keep stage code readable. */
export const output = (name: string, value: unknown): OutputEvent => ({ type: 'output', name, value });
export const artifact = (name: string, content: string | Uint8Array): ArtifactEvent => ({
  type: 'artifact',
  name,
  content,
});
export const message = (text: string): MessageEvent => ({ type: 'message', text });
