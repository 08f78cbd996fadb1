/**
 * The engine as the layers above it (the CLI, sweeps, experiments) use it. Nothing outside
 * src/engine imports its files directly.
 */
export { EnvironmentError, PipelineInputError, formatDiagnostic, type Diagnostic } from './errors.ts';
export { formatDiagnosticWithSource } from './load/format.ts';
export { parseOverrides, type Override } from './load/overrides.ts';
export { METRIC_PATTERN, PARAM_PATH_PATTERN, STAGE_ID_PATTERN } from './load/pipeline-schema.ts';
export { declaredMetrics, unknownMetric } from './load/metrics.ts';
export type { PipelineSpec, StageSpec, SweepSpec } from './load/pipeline.ts';
export { describePlan, type Plan, type PlanNode } from './plan/plan.ts';
export { RunInterruptedError, defaultMaxMemory } from './plan/preflight.ts';
export { FOLDER_LOCK, pipelineSpace, projectRoot, runName, runTarget, type Target, type TargetOptions } from './record/target.ts';
export { readLock, writeLock, type LockEntry, type Lockfile } from './record/lock.ts';
export { runMetrics, type RunManifest, type RunStatus, type StageRecord } from './record/manifest.ts';
export { OutputFolderBusyError, acquireRunLock } from './record/run-lock.ts';
export { claimFolder } from './record/folder.ts';
export { writeAtomic } from './record/write.ts';
export { pipelineStatus, type StatusRow } from './reuse/status.ts';
export { formatNumber, type CheckReport, type CheckRow } from './reuse/check.ts';
export type { EngineEvent } from './run/stream.ts';
export {
  FrozenLockError,
  checkPipeline,
  claimTarget,
  loadAndPlan,
  runPipeline,
  subPlan,
  type CheckPipelineOptions,
  type PipelineCheck,
  type PipelineRun,
  type RunPipelineOptions,
} from './run-pipeline.ts';
