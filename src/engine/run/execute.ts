/**
 * One run from start to `run.json`: subscribes to the plan's events, stops on an abort
 * signal (Ctrl-C), and records what happened — whatever the ending — in the manifest.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StageError } from '../../contract/stage.ts';
import { sha256 } from '../../util/canonical.ts';
import { rxlabRoot, rxlabVersion } from '../../version.ts';
import type { Plan } from '../plan/plan.ts';
import { STATE_DIR } from '../record/folder.ts';
import { packageVersions, type RunManifest } from '../record/manifest.ts';
import { settleInFlightWrites, sweepTempFiles, writeAtomic } from '../record/write.ts';
import { runPlan, type CacheOptions, type EngineEvent } from './stream.ts';

export interface ExecuteOptions {
  outDir: string;
  /** Reuse stages that match this lock (see stream.ts); without it every stage runs. */
  cache?: CacheOptions;
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
}

/** What a run produced: its manifest, and the content of its small JSON artifacts (what the lock keeps). */
export interface Execution {
  manifest: RunManifest;
  /** Stage id → artifact name → parsed content. */
  values: Map<string, Record<string, unknown>>;
}

/**
 * How long an interrupted run waits for its stages to end by themselves (keeping what they
 * have, as train does) before it stops them: well inside the second a stop may take.
 */
const INTERRUPT_GRACE_MS = 250;

/** The packages of the engine itself, whose versions every run records. */
const ENGINE_PACKAGES = ['rxjs', 'yaml', 'ajv'];

/** Versions that decide what a run computes: rxlab's, the engine's packages, and those the plan's stages declare. */
function environmentOf(plan: Plan): Record<string, string> {
  const builtin = plan.nodes.filter((n) => !n.spec.module).flatMap((n) => n.spec.stage.packages);
  const versions: Record<string, string> = { rxlab: rxlabVersion(), ...packageVersions([...ENGINE_PACKAGES, ...builtin].sort(), join(rxlabRoot(), 'package.json')) };
  // A user's stage takes its packages from its own project.
  for (const node of plan.nodes.filter((n) => n.spec.module)) Object.assign(versions, packageVersions(node.spec.stage.packages, node.spec.module!));
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    ...Object.fromEntries(Object.entries(versions).map(([k, v]) => [`package:${k}`, v])),
  };
}

/** Runs `plan` into `options.outDir` and records what happened in run.json, whatever the ending. */
export async function executeRun(plan: Plan, options: ExecuteOptions): Promise<Execution> {
  const started = performance.now();
  const { pipeline } = plan;
  const manifest: RunManifest = {
    pipeline: { name: pipeline.name, file: pipeline.file, sha256: sha256(pipeline.source) },
    overrides: pipeline.overrides.map((o) => o.text),
    status: 'completed',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    environment: environmentOf(plan),
    stages: Object.fromEntries(
      plan.nodes.map((n) => [n.spec.id, { uses: n.spec.uses, params: n.spec.params, status: 'pending', artifacts: {}, metrics: {} }]),
    ),
  };
  const values = new Map<string, Record<string, unknown>>();
  const onValue = (stage: string, name: string, value: unknown): void => {
    values.set(stage, { ...values.get(stage), [name]: value });
  };
  const record = (event: EngineEvent): void => {
    if (event.type === 'environment') Object.assign(manifest.environment, event.facts);
    if (!('stage' in event)) return;
    const stage = manifest.stages[event.stage];
    if (event.type === 'stage-start' || event.type === 'stage-cached') {
      const { code, imports, paramsHash, files, inputs } = event.key;
      Object.assign(stage, { code, paramsHash, inputs }, imports ? { imports } : {}, files ? { files } : {});
    }
    if (event.type === 'stage-start') Object.assign(stage, { status: 'running', reason: event.reason, startedAt: event.startedAt });
    if (event.type === 'stage-cached') Object.assign(stage, { status: 'cached', outputs: event.outputs, artifacts: event.artifacts, metrics: event.metrics });
    if (event.type === 'metric') stage.metrics[event.name] = event.value;
    if (event.type === 'stage-done') Object.assign(stage, { status: 'completed', durationMs: event.durationMs, outputs: event.outputs });
    if (event.type === 'artifact') stage.artifacts[event.name] = { sha256: event.sha256, bytes: event.bytes };
  };

  await sweepTempFiles(
    options.outDir,
    plan.nodes.map((n) => n.spec.id),
    STATE_DIR,
  );
  // The last run's record goes first: should this run be unable to write its own (a full
  // disk), the folder must not keep a run.json describing artifacts that are gone.
  await rm(join(options.outDir, 'run.json'), { force: true });
  let abort = (): void => undefined;
  await new Promise<void>((resolve) => {
    let interrupted = false;
    const subscription = runPlan(plan, { outDir: options.outDir, cache: options.cache, onValue, signal: options.signal }).subscribe({
      next: (event) => {
        record(event);
        options.onEvent?.(event);
      },
      error: (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        const stage = err instanceof StageError && Object.hasOwn(manifest.stages, err.stageId) ? manifest.stages[err.stageId] : undefined;
        if (interrupted) {
          // A stage that ended on the interruption, saying what it kept (`the losses so far … are in …`).
          const kept = message.replace(/^stage "[^"]*" failed: (interrupted(; )?)?/, '');
          if (stage && kept) manifest.error += `; ${kept}`;
        } else {
          manifest.status = 'failed';
          manifest.error = message;
          if (stage) stage.status = 'failed';
        }
        resolve();
      },
      complete: resolve,
    });
    abort = (): void => {
      interrupted = true;
      manifest.status = 'interrupted';
      // bin/rxlab.js aborts with 'EPIPE' when the reader of stdout went away (`rxlab run … | head -1`).
      manifest.error = options.signal?.reason === 'EPIPE' ? 'its output was closed (EPIPE) before the run finished' : 'interrupted by a signal before the run finished';
      // Stages watching the signal end by themselves, keeping what they have; the rest are stopped.
      setTimeout(() => {
        subscription.unsubscribe();
        resolve();
      }, INTERRUPT_GRACE_MS).unref();
    };
    if (options.signal?.aborted) abort();
    options.signal?.addEventListener('abort', abort, { once: true });
  });
  // The run has ended, and how is decided: a signal from now on (while run.json and the
  // lock are written) must not turn a completed run into an interrupted one after the fact.
  options.signal?.removeEventListener('abort', abort);
  for (const stage of Object.values(manifest.stages)) {
    if (manifest.status === 'interrupted' && stage.status === 'running') stage.status = 'interrupted';
  }
  await settleInFlightWrites();
  manifest.durationMs = performance.now() - started;
  try {
    await writeAtomic(join(options.outDir, 'run.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (err) {
    // A run that failed (say, as the disk filled up) still reports its own error, with this one.
    if (manifest.status === 'completed') throw err;
    manifest.error += `; run.json was not written either: ${err instanceof Error ? err.message : String(err)}`;
  }
  return { manifest, values };
}
