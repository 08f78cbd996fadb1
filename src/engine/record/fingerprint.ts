/**
 * What decides a stage's results, as hashes: which stage it is, its code, its params, the
 * files it reads and its inputs. The cache, the lock, `status` and `check` all compare these.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hashValue, sha256 } from '../../util/canonical.ts';
import { rxlabVersion } from '../../version.ts';
import type { StageSpec } from '../load/pipeline.ts';

/** Everything about a stage but its inputs; known before anything runs. */
export interface StageIdentity {
  /** As written after `uses:`. */
  uses: string;
  /** `rxlab@0.1.0` for a built-in stage; `sha256:<hex>` of the module file for a user's stage. */
  code: string;
  /** sha256 of the canonical JSON of the resolved params. */
  paramsHash: string;
  /** The files the stage reads (its `reads`, as the params name them) → sha256 of their content, or `missing`. */
  files?: Record<string, string>;
}

/** The identity plus the hash of each input port, taken when the inputs are ready and before the stage runs. */
export interface StageKey extends StageIdentity {
  inputs: Record<string, string>;
}

/** What `files` records for a file that is not there. */
export const MISSING_FILE = 'missing';

/**
 * The identity of a stage in a pipeline whose file is in `pipelineDir`, taken now: a
 * user's module as it is on disk (only that file: what it imports is not followed), and
 * each file the stage reads.
 */
export function stageIdentity(spec: StageSpec, pipelineDir: string): StageIdentity {
  const code = spec.module ? `sha256:${sha256(readFileSync(spec.module))}` : `rxlab@${rxlabVersion()}`;
  const reads = spec.stage.reads(spec.params);
  const identity: StageIdentity = { uses: spec.uses, code, paramsHash: hashValue(spec.params) };
  if (reads.length > 0) identity.files = Object.fromEntries(reads.map((path) => [path, contentHash(resolve(pipelineDir, path))]));
  return identity;
}

function contentHash(file: string): string {
  try {
    return sha256(readFileSync(file));
  } catch {
    // The stage reports why it cannot read it; the key only needs to differ from any content.
    return MISSING_FILE;
  }
}

/**
 * One hash for a whole key: what a consumer of a live stream records as that input, since
 * the stream's values carry wall times and cannot be hashed themselves.
 */
export const keyHash = (key: StageKey): string =>
  hashValue({ uses: key.uses, code: key.code, paramsHash: key.paramsHash, inputs: key.inputs, ...(key.files ? { files: key.files } : {}) });
