/**
 * rxlab's public entry. For a stage of your own: `defineStage` (the helper the built-ins
 * use, so a user's stage has their powers), the event makers and the data types. For a
 * program: `runPipeline` and `checkPipeline`, which run a pipeline file as `rxlab run`
 * and `rxlab check` do, with rxlab's built-in stages and the user's modules, and put the
 * run on record in the pipeline's history as those commands do.
 */
import type { StageResolver } from './contract/resolve.ts';
import type * as engine from './engine/index.ts';
import { recordedCheck, recordedRun } from './exp/record.ts';
import { resolveStage } from './stages/registry.ts';

export { artifact, defineStage, jsonArtifact, message } from './contract/stage.ts';
export type {
  ArtifactEvent,
  InputsOf,
  JsonSchema,
  LiveInput,
  MessageEvent,
  MetricEvent,
  MetricSpec,
  OutputEvent,
  ParamsOf,
  ParamsProblem,
  PortSpec,
  ProgressEvent,
  Stage,
  StageContext,
  StageDefinition,
  StageEvent,
} from './contract/stage.ts';
export { KINDS, type Kind, type KindType } from './contract/kinds.ts';
export { StageResolutionError, type ResolvedStage, type StageResolver } from './contract/resolve.ts';
export type { Activation, Checkpoint, Dataset, DenseParams, EarlyStopDecision, EpochState, History, ModelSpec, Prediction, Predictions } from './data.ts';
export { RandomState } from './numerics/random-state.ts';
export { builtinStages, resolveStage } from './stages/registry.ts';
export { EnvironmentError, PipelineInputError, formatDiagnostic, runMetrics } from './engine/index.ts';
export type { Diagnostic, EngineEvent, Lockfile, PipelineCheck, PipelineRun, RunManifest } from './engine/index.ts';

type WithStages<T> = Omit<T, 'resolve'> & { resolve?: StageResolver };

/** `rxlab run FILE` as a function: `await runPipeline('pipelines/perceptron.yaml', { set: ['train.epochs=10'] })`. */
export const runPipeline = (file: string, options: WithStages<engine.RunPipelineOptions> = {}): Promise<engine.PipelineRun> =>
  recordedRun(file, { resolve: resolveStage, ...options });

/** `rxlab check FILE` as a function: runs the pipeline from scratch and compares it with its committed lock. */
export const checkPipeline = (file: string, options: WithStages<engine.CheckPipelineOptions> = {}): Promise<engine.PipelineCheck> =>
  recordedCheck(file, { resolve: resolveStage, ...options });
