/**
 * How `uses:` becomes a stage. The engine is handed a resolver (rxlab's CLI passes the
 * registry of src/stages, which knows the built-ins and loads users' modules); it never
 * looks stages up itself.
 */
import type { Stage } from './stage.ts';

export interface ResolvedStage {
  stage: Stage;
  /** Absolute path of a user's stage module, whose code the cache keys on; absent for a built-in. */
  module?: string;
}

/** Maps a `uses:` text, written in a pipeline file in `pipelineDir`, to its stage; throws StageResolutionError when it names none. */
export type StageResolver = (uses: string, pipelineDir: string) => Promise<ResolvedStage>;

/** A `uses:` that names no stage; the loader reports its message at the `uses:` line. */
export class StageResolutionError extends Error {
  override name = 'StageResolutionError';
}
