/**
 * One run from start to `run.json`: subscribes to the plan's events, stops on an abort
 * signal (Ctrl-C), and records what happened — whatever the ending — in the manifest.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { rxlabVersion } from '../../version.ts';
import type { Plan } from '../plan/plan.ts';
import { sha256 } from '../../util/canonical.ts';
import { removeInFlightWrites, sweepTempFiles, writeAtomic } from '../record/write.ts';
import { runPlan, type ArtifactRecord, type CacheOptions, type EngineEvent } from './stream.ts';
import { StageError } from '../../contract/stage.ts';

export type RunStatus = 'completed' | 'failed' | 'interrupted';

export interface StageRecord {
  uses: string;
  params: Record<string, unknown>;
  /** `cached`: skipped, its artifacts verified against the lock and reused; `failed`: the stage whose error ended the run. */
  status: 'pending' | 'running' | 'completed' | 'cached' | 'failed';
  /** Why it ran instead of being reused (`params changed: epochs 1000 → 20`), when the run had a cache. */
  reason?: string;
  /** What decided its results: code, params hash and the hash of each input, taken before it ran. */
  code?: string;
  paramsHash?: string;
  inputs?: Record<string, string>;
  /** Hash of each finished output value, once it finished. */
  outputs?: Record<string, string>;
  startedAt?: string;
  durationMs?: number;
  artifacts: Record<string, ArtifactRecord>;
}

export interface RunManifest {
  pipeline: { name: string; file: string; sha256: string };
  /** The `--set` arguments the pipeline was loaded with. */
  overrides: string[];
  status: RunStatus;
  error?: string;
  startedAt: string;
  durationMs: number;
  environment: Record<string, string>;
  stages: Record<string, StageRecord>;
}

export interface ExecuteOptions {
  outDir: string;
  /** Reuse stages that match this lock (see run.ts); without it every stage runs. */
  cache?: CacheOptions;
  /** Recorded in run.json: the `--set` arguments the plan was loaded with. */
  overrides?: readonly string[];
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
}

/** Versions that decide what a run computes, for the manifest. */
const RECORDED_PACKAGES = [
  'rxjs',
  'yaml',
  'ajv',
  'vega',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-backend-wasm',
];

function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = { rxlab: rxlabVersion() };
  for (const name of RECORDED_PACKAGES) {
    const version = installedVersion(require, name);
    if (version) versions[name] = version;
  }
  return versions;
}

/**
 * The version in a package's package.json, or undefined when the package is not installed
 * (tfjs-node where its native download failed). Packages whose `exports` hide their
 * package.json (vega) are found from their entry point, walking up.
 */
function installedVersion(require: NodeJS.Require, name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    // Hidden by `exports`, or not installed: try the entry point.
  }
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === name) return pkg.version;
  }
  return undefined;
}

export async function executeRun(plan: Plan, options: ExecuteOptions): Promise<RunManifest> {
  const started = performance.now();
  const { pipeline } = plan;
  const manifest: RunManifest = {
    pipeline: { name: pipeline.name, file: pipeline.file, sha256: sha256(pipeline.source) },
    overrides: [...(options.overrides ?? [])],
    status: 'completed',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      ...Object.fromEntries(Object.entries(packageVersions()).map(([k, v]) => [`package:${k}`, v])),
    },
    stages: Object.fromEntries(
      plan.nodes.map((n) => [n.spec.id, { uses: n.spec.uses, params: n.spec.params, status: 'pending', artifacts: {} }]),
    ),
  };
  const record = (event: EngineEvent): void => {
    if (event.type === 'environment') Object.assign(manifest.environment, event.facts);
    if (!('stage' in event)) return;
    const stage = manifest.stages[event.stage];
    if (event.type === 'stage-start' || event.type === 'stage-cached') {
      const { code, paramsHash, inputs } = event.key;
      Object.assign(stage, { code, paramsHash, inputs });
    }
    if (event.type === 'stage-start') Object.assign(stage, { status: 'running', reason: event.reason, startedAt: event.startedAt });
    if (event.type === 'stage-cached') Object.assign(stage, { status: 'cached', outputs: event.outputs, artifacts: event.artifacts });
    if (event.type === 'stage-done') Object.assign(stage, { status: 'completed', durationMs: event.durationMs, outputs: event.outputs });
    if (event.type === 'artifact') stage.artifacts[event.name] = { sha256: event.sha256, bytes: event.bytes };
  };

  await sweepTempFiles(options.outDir);
  // The last run's record goes first: should this run be unable to write its own (a full
  // disk), the folder must not keep a run.json describing artifacts that are gone.
  await rm(join(options.outDir, 'run.json'), { force: true });
  await new Promise<void>((resolve) => {
    const subscription = runPlan(plan, { outDir: options.outDir, cache: options.cache }).subscribe({
      next: (event) => {
        record(event);
        options.onEvent?.(event);
      },
      error: (err: unknown) => {
        manifest.status = 'failed';
        manifest.error = err instanceof Error ? err.message : String(err);
        if (err instanceof StageError && Object.hasOwn(manifest.stages, err.stageId)) manifest.stages[err.stageId].status = 'failed';
        resolve();
      },
      complete: resolve,
    });
    const abort = (): void => {
      subscription.unsubscribe();
      manifest.status = 'interrupted';
      manifest.error = 'interrupted by a signal before the run finished';
      resolve();
    };
    if (options.signal?.aborted) abort();
    options.signal?.addEventListener('abort', abort, { once: true });
  });
  await removeInFlightWrites();
  manifest.durationMs = performance.now() - started;
  try {
    await writeAtomic(join(options.outDir, 'run.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (err) {
    // A run that failed (say, as the disk filled up) still reports its own error, with this one.
    if (manifest.status === 'completed') throw err;
    manifest.error += `; run.json was not written either: ${err instanceof Error ? err.message : String(err)}`;
  }
  return manifest;
}
