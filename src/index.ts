/**
 * rxlab's public entry: what a stage of your own imports. Stages are made with
 * `defineStage`, the helper the built-ins use, so they have the same powers.
 */
export { artifact, defineStage, message, output } from './contract/stage.ts';
export type {
  ArtifactEvent,
  JsonSchema,
  LiveInput,
  MessageEvent,
  OutputEvent,
  PortSpec,
  ProgressEvent,
  Stage,
  StageContext,
  StageDefinition,
  StageEvent,
} from './contract/stage.ts';
export { jsonArtifact } from './stages/artifacts.ts';
export type { Activation, Dataset, DenseParams, EpochState, ModelSpec } from './data.ts';
export type { Checkpoint, History } from './stages/train.ts';
export { RandomState } from './numerics/random-state.ts';
