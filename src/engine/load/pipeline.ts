/** A pipeline as the loader hands it to the planner: validated, with positions kept for errors. */
import type { Stage } from '../../contract/stage.ts';
import type { Diagnostic } from '../errors.ts';
import type { Override } from './overrides.ts';

/** 1-based line and column in the pipeline file. */
export interface SourcePos {
  line: number;
  col: number;
}

/** A stage entry that resolved, with its params validated and defaults filled in. */
export interface CheckedStage {
  /** The key under `stages:`. */
  id: string;
  /** As written: a built-in name (`blobs`) or a module path (`./stages/noise.ts`). */
  uses: string;
  stage: Stage;
  /** Absolute path of a user's stage module; absent for a built-in stage. */
  module?: string;
  /** Validated params (`with:`), schema defaults filled in and `${…}` references resolved. */
  params: Record<string, unknown>;
  /** Input port → reference as written (`data.dataset`, or `data` for a stage's only output). */
  inputs: Record<string, string>;
}

/** A stage of a loaded pipeline: a checked stage and where it stands in the file. */
export interface StageSpec extends CheckedStage {
  /** Where the stage's key is, and where each input reference is. */
  pos: SourcePos;
  inputPos: Record<string, SourcePos>;
}

export interface PipelineSpec {
  name: string;
  /** Absolute path of the pipeline file, and its folder. */
  file: string;
  /** The file as the user named it, which diagnostics show (as the loader's do); `file` when absent. */
  given?: string;
  dir: string;
  /** The file's exact text, hashed into run.json and the lock. */
  source: string;
  /** In file order. */
  stages: StageSpec[];
  /** The `--set` overrides it was loaded with, parsed; the later of two setting one param wins. */
  overrides: Override[];
  /** The file's `sweep:` block, for `rxlab sweep`. */
  sweep?: SweepSpec;
  /**
   * Where a problem at `path` (from the document root: `['stages', 'train', 'with', 'epochs']`)
   * is shown: its place in the file, or the `--set` that put the value there. Absent for a
   * pipeline not loaded from a file (tests): the stage's own place is used.
   */
  place?: (path: readonly string[], at: 'key' | 'value', message: string) => Diagnostic;
}

/** A grid of param values (`train.optimizer.lr` → values), optionally how many combinations to draw, and the metric that decides the best trial. */
export interface SweepSpec {
  grid: Record<string, unknown[] | string>;
  random?: number;
  seed?: number;
  /** A declared metric, `stage.metric` (checked when the file is loaded). */
  objective?: string;
  direction?: 'maximize' | 'minimize';
  /** Where the trials run: a Redis URL for `rxlab worker`s (`redis://host:port/db`; put credentials in REDIS_URL, not here). */
  queue?: string;
}
