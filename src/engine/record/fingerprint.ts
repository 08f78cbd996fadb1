/**
 * What decides a stage's results, as hashes: which stage it is, its code, its params and
 * its inputs. The cache, the lock, `status` and `check` all compare these.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isModulePath } from '../../stages/registry.ts';
import { hashValue } from '../../util/canonical.ts';
import type { StageSpec } from '../load/pipeline.ts';
import { sha256 } from '../../util/canonical.ts';
import { rxlabVersion } from '../../version.ts';

/** Everything about a stage but its inputs; known before anything runs. */
export interface StageIdentity {
  /** As written after `uses:`. */
  uses: string;
  /** `rxlab@0.1.0` for a built-in stage; `sha256:<hex>` of the module file for a user's stage. */
  code: string;
  /** sha256 of the canonical JSON of the resolved params. */
  paramsHash: string;
}

/** The identity plus the hash of each input port, taken when the inputs are ready and before the stage runs. */
export interface StageKey extends StageIdentity {
  inputs: Record<string, string>;
}

/**
 * The identity of a stage in a pipeline whose file is in `pipelineDir`. A user's module
 * is hashed as it is on disk now (only that file: what it imports is not followed).
 */
export function stageIdentity(spec: StageSpec, pipelineDir: string): StageIdentity {
  const code = isModulePath(spec.uses) ? `sha256:${sha256(readFileSync(resolve(pipelineDir, spec.uses)))}` : `rxlab@${rxlabVersion()}`;
  return { uses: spec.uses, code, paramsHash: hashValue(spec.params) };
}

/**
 * One hash for a whole key: what a consumer of a live stream records as that input, since
 * the stream's values carry wall times and cannot be hashed themselves.
 */
export const keyHash = (key: StageKey): string =>
  hashValue({ uses: key.uses, code: key.code, paramsHash: key.paramsHash, inputs: key.inputs });
